import { SECONDARY_MODES, type DestinationRecord } from '../domain/destination.js';
import { EVENT_TYPES, type EventRecord } from '../domain/event.js';

/**
 * The on-disk form of the store: one JSON document with a schema version. Reading it checks every
 * field, so a damaged or foreign file is reported (naming the file and the bad field) instead of
 * being half-loaded and later overwritten.
 */
export const STORE_SCHEMA_VERSION = 1;
export const STORE_FILE_NAME = 'store.json';

export interface StoreDocument {
  readonly schemaVersion: typeof STORE_SCHEMA_VERSION;
  readonly events: readonly EventRecord[];
}

/** The store file cannot be used; the process must not start (and must not touch the file). */
export class StoreFileError extends Error {
  constructor(
    readonly file: string,
    why: string,
  ) {
    super(`store file ${file} ${why}; it was left untouched: repair it, or move it away to start with an empty store`);
    this.name = 'StoreFileError';
  }
}

export function encodeStore(events: readonly EventRecord[]): string {
  const document: StoreDocument = { schemaVersion: STORE_SCHEMA_VERSION, events };
  return `${JSON.stringify(document, null, 2)}\n`;
}

type Json = Record<string, unknown>;

class Reader {
  constructor(private readonly file: string) {}

  fail(path: string, why: string): never {
    throw new StoreFileError(this.file, `is not a valid rtmp-relay store: ${path} ${why}`);
  }

  object(value: unknown, path: string): Json {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) this.fail(path, 'must be an object');
    return value as Json;
  }

  array(value: unknown, path: string): unknown[] {
    if (!Array.isArray(value)) this.fail(path, 'must be an array');
    return value;
  }

  string(object: Json, key: string, path: string): string {
    const value = object[key];
    if (typeof value !== 'string' || value === '') this.fail(`${path}.${key}`, 'must be a non-empty string');
    return value;
  }

  nullableString(object: Json, key: string, path: string): string | null {
    return object[key] === null ? null : this.string(object, key, path);
  }

  oneOf<T extends string>(object: Json, key: string, values: readonly T[], path: string): T {
    const value = object[key];
    if (typeof value !== 'string' || !values.includes(value as T)) this.fail(`${path}.${key}`, `must be one of ${values.join(', ')}`);
    return value as T;
  }

  boolean(object: Json, key: string, path: string): boolean {
    const value = object[key];
    if (typeof value !== 'boolean') this.fail(`${path}.${key}`, 'must be true or false');
    return value;
  }
}

function readDestination(reader: Reader, value: unknown, path: string): DestinationRecord {
  const object = reader.object(value, path);
  return {
    id: reader.string(object, 'id', path),
    systemName: reader.string(object, 'systemName', path),
    primaryUrl: reader.string(object, 'primaryUrl', path),
    secondaryUrl: reader.nullableString(object, 'secondaryUrl', path),
    secondaryMode: reader.oneOf(object, 'secondaryMode', SECONDARY_MODES, path),
    streamKey: reader.string(object, 'streamKey', path),
    enabled: reader.boolean(object, 'enabled', path),
    createdAt: reader.string(object, 'createdAt', path),
    updatedAt: reader.string(object, 'updatedAt', path),
  };
}

function readEvent(reader: Reader, value: unknown, path: string): EventRecord {
  const object = reader.object(value, path);
  return {
    id: reader.string(object, 'id', path),
    name: reader.string(object, 'name', path),
    type: reader.oneOf(object, 'type', EVENT_TYPES, path),
    scheduledStart: reader.nullableString(object, 'scheduledStart', path),
    scheduledEnd: reader.nullableString(object, 'scheduledEnd', path),
    ingestKey: reader.string(object, 'ingestKey', path),
    destinations: reader.array(object['destinations'], `${path}.destinations`).map((d, i) => readDestination(reader, d, `${path}.destinations[${i}]`)),
    createdAt: reader.string(object, 'createdAt', path),
    updatedAt: reader.string(object, 'updatedAt', path),
  };
}

/** Parses and checks a store file's text; throws StoreFileError naming the file and the fault. */
export function decodeStore(file: string, text: string): EventRecord[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new StoreFileError(file, `is not valid JSON (${(error as Error).message})`);
  }
  const reader = new Reader(file);
  const root = reader.object(parsed, 'the document');
  const version = root['schemaVersion'];
  if (typeof version !== 'number') reader.fail('schemaVersion', 'is missing');
  if (version !== STORE_SCHEMA_VERSION) {
    throw new StoreFileError(file, `has schemaVersion ${version}, but this version of rtmp-relay reads schemaVersion ${STORE_SCHEMA_VERSION}`);
  }
  const events = reader.array(root['events'], 'events').map((event, i) => readEvent(reader, event, `events[${i}]`));
  const ids = new Set<string>();
  const keys = new Set<string>();
  for (const [i, event] of events.entries()) {
    if (ids.has(event.id)) reader.fail(`events[${i}].id`, 'repeats another id');
    if (keys.has(event.ingestKey)) reader.fail(`events[${i}].ingestKey`, "repeats another event's ingest key");
    ids.add(event.id);
    keys.add(event.ingestKey);
    for (const [j, destination] of event.destinations.entries()) {
      if (ids.has(destination.id)) reader.fail(`events[${i}].destinations[${j}].id`, 'repeats another id');
      ids.add(destination.id);
    }
  }
  return events;
}
