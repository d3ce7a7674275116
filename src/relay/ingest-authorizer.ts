/**
 * Decides whether a publish name (the ingest key) belongs to an event. The event store backs it
 * (issue 3/8); `StaticIngestAuthorizer` serves `serve --ingest-key KEY` for manual trials.
 */
export interface IngestAuthorizer {
  /** The event id the key belongs to, or null when no event has it. */
  eventForKey(ingestKey: string): string | null;
}

export class StaticIngestAuthorizer implements IngestAuthorizer {
  private readonly keys: Map<string, string>;

  constructor(keys: readonly string[]) {
    this.keys = new Map(keys.map((key, index) => [key, `key_${index + 1}`]));
  }

  eventForKey(ingestKey: string): string | null {
    return this.keys.get(ingestKey) ?? null;
  }
}

/** The publish name without the query string: what is matched against ingest keys (CONTRACT §2). */
export function ingestKeyOf(publishName: string): string {
  const query = publishName.indexOf('?');
  return query === -1 ? publishName : publishName.slice(0, query);
}

/** The application part of a connect's app (`live`, `live/`, `live?x=1` all name `live`). */
export function appNameOf(app: string): string {
  const query = app.indexOf('?');
  const path = query === -1 ? app : app.slice(0, query);
  return path.replace(/^\/+|\/+$/g, '');
}
