import type { IngestAuthorizer } from '../relay/ingest-authorizer.js';
import type { Store } from './store.js';

/**
 * Publish authorization from the store: an ingest key names its event. The store's map is replaced
 * when a change is on disk, so a rotated key is refused from the moment the rotation is
 * acknowledged. `fallback` serves `--ingest-key` for manual trials.
 */
export class StoreIngestAuthorizer implements IngestAuthorizer {
  constructor(
    private readonly store: Store,
    private readonly fallback: IngestAuthorizer | null = null,
  ) {}

  eventForKey(ingestKey: string): string | null {
    return this.store.eventIdForIngestKey(ingestKey) ?? this.fallback?.eventForKey(ingestKey) ?? null;
  }
}
