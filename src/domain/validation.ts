import { destinationUrlProblem } from '../rtmp/session/publish-target.js';
import { MASK_BULLETS, maskSecret } from '../util/mask.js';
import { SECONDARY_MODES, systemNameKey, type DestinationInput, type DestinationPatch, type DestinationRecord } from './destination.js';
import { Problem } from './errors.js';
import { EVENT_TYPES, type EventInput, type EventPatch, type EventRecord } from './event.js';

/**
 * Every rule of CONTRACT §3 for request bodies, in one place: the shape check the HTTP layer runs
 * before a handler (types, enums, no unknown fields) reads the same field tables as the semantic
 * checks below (lengths after trimming, control characters, URLs, keys, schedule order, unique
 * system names), and phrases its errors the same way. Messages name the field and never quote a
 * submitted value.
 */

type FieldKind =
  | { readonly type: 'string' }
  | { readonly type: 'nullable-string' }
  | { readonly type: 'boolean' }
  | { readonly type: 'enum'; readonly values: readonly string[] };

export interface FieldTable {
  readonly writable: Readonly<Record<string, FieldKind>>;
  readonly readOnly: readonly string[];
}

export const EVENT_FIELDS: FieldTable = {
  writable: {
    name: { type: 'string' },
    type: { type: 'enum', values: EVENT_TYPES },
    scheduledStart: { type: 'nullable-string' },
    scheduledEnd: { type: 'nullable-string' },
  },
  readOnly: ['id', 'ingestUrl', 'ingestKey', 'destinations', 'createdAt', 'updatedAt'],
};

export const DESTINATION_FIELDS: FieldTable = {
  writable: {
    systemName: { type: 'string' },
    primaryUrl: { type: 'string' },
    secondaryUrl: { type: 'nullable-string' },
    secondaryMode: { type: 'enum', values: SECONDARY_MODES },
    streamKey: { type: 'string' },
    enabled: { type: 'boolean' },
  },
  readOnly: ['id', 'createdAt', 'updatedAt'],
};

export const EVENT_NAME_MAX = 200;
export const SYSTEM_NAME_MAX = 64;
export const STREAM_KEY_MAX = 1024;

const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f]/;
const STREAM_KEY_FORBIDDEN = /[\s\u0000-\u001f\u007f-\u009f]/u;
const ISO_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-](\d{2}):(\d{2}))$/i;

function expects(kind: FieldKind): string {
  switch (kind.type) {
    case 'string':
      return 'a string';
    case 'nullable-string':
      return 'a string or null';
    case 'boolean':
      return 'true or false';
    case 'enum':
      return `one of ${kind.values.map((value) => `"${value}"`).join(', ')}`;
  }
}

/**
 * What a route's body must look like before its handler sees it: an object of known fields of
 * the right types. Required fields and everything else are checked by the validators below (so an
 * unknown field is reported before a missing one: a typo is named as such).
 */
export interface BodyShape {
  readonly table: FieldTable;
  /** No body at all is accepted too (the handler then sees undefined). */
  readonly optional: boolean;
}

export const EVENT_BODY: BodyShape = { table: EVENT_FIELDS, optional: false };
export const DESTINATION_BODY: BodyShape = { table: DESTINATION_FIELDS, optional: false };
/** The body of `POST …/ingest-key`: nothing, or an empty object (validateEmptyBody). */
export const EMPTY_BODY: BodyShape = { table: { writable: {}, readOnly: EVENT_FIELDS.readOnly }, optional: true };

/** One thing wrong with a body's shape, in JSON Schema terms (the API once checked a JSON schema). */
export interface SchemaError {
  readonly keyword: string;
  /** `/field`, or '' for the body itself. */
  readonly instancePath: string;
  readonly params: Record<string, unknown>;
}

function kindAccepts(kind: FieldKind, value: unknown): boolean {
  switch (kind.type) {
    case 'string':
    case 'enum':
      return typeof value === 'string';
    case 'nullable-string':
      return value === null || typeof value === 'string';
    case 'boolean':
      return typeof value === 'boolean';
  }
}

/**
 * The first thing wrong with the body's shape, in the order the API has always reported it (that
 * of a JSON schema checked with ajv, first error only): the body's type (no body counts as null),
 * then unknown fields in the body's key order, then the writable fields' types in table order.
 */
export function shapeError(body: unknown, shape: BodyShape): SchemaError | null {
  const value = body === undefined ? null : body;
  if (value === null && shape.optional) return null;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return { keyword: 'type', instancePath: '', params: {} };
  const fields = value as Record<string, unknown>;
  for (const name of Object.keys(fields)) {
    if (!Object.hasOwn(shape.table.writable, name)) return { keyword: 'additionalProperties', instancePath: '', params: { additionalProperty: name } };
  }
  for (const [name, kind] of Object.entries(shape.table.writable)) {
    const field = fields[name];
    if (field === undefined) continue;
    if (!kindAccepts(kind, field)) return { keyword: 'type', instancePath: `/${name}`, params: {} };
    if (kind.type === 'enum' && !kind.values.includes(field as string)) return { keyword: 'enum', instancePath: `/${name}`, params: {} };
  }
  return null;
}

/** The body's shape checked and phrased: the Problem a request gets before its handler runs. */
export function shapeProblem(body: unknown, shape: BodyShape): Problem | null {
  const error = shapeError(body, shape);
  return error === null ? null : schemaProblem(error, shape.table);
}

function notWritable(field: string, table: FieldTable): Problem {
  return table.readOnly.includes(field)
    ? new Problem('validation_failed', `${field} is read-only and cannot be set`, field)
    : new Problem('validation_failed', `${field} is not a known field (writable: ${Object.keys(table.writable).join(', ')})`, field);
}

/** Phrases a shape error like the validators below phrase theirs. */
export function schemaProblem(error: SchemaError, table: FieldTable): Problem {
  if (error.keyword === 'additionalProperties' && typeof error.params['additionalProperty'] === 'string') {
    return notWritable(error.params['additionalProperty'], table);
  }
  const field = error.instancePath.replace(/^\//, '').split('/')[0] ?? '';
  const kind = table.writable[field];
  if (field === '' || kind === undefined) return new Problem('validation_failed', 'the request body must be a JSON object');
  return new Problem('validation_failed', `${field} must be ${expects(kind)}`, field);
}

function typeProblem(field: string, value: unknown, kind: FieldKind): Problem | null {
  const ok = kindAccepts(kind, value) && (kind.type !== 'enum' || kind.values.includes(value as string));
  return ok ? null : new Problem('validation_failed', `${field} must be ${expects(kind)}`, field);
}

/** The body as an object of writable, well-typed fields, or the first thing wrong with it. */
function fieldsOf(body: unknown, table: FieldTable): Map<string, unknown> | Problem {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    return new Problem('validation_failed', 'the request body must be a JSON object');
  }
  const fields = new Map<string, unknown>();
  const entries = Object.entries(body);
  for (const [name] of entries) {
    if (!Object.hasOwn(table.writable, name)) return notWritable(name, table);
  }
  for (const [name, value] of entries) {
    const problem = typeProblem(name, value, table.writable[name]!);
    if (problem) return problem;
    fields.set(name, value);
  }
  return fields;
}

function required(field: string): Problem {
  return new Problem('validation_failed', `${field} is required`, field);
}

/** A display name: trimmed, 1..max characters, no control characters. */
function nameProblem(field: string, value: string, max: number): Problem | null {
  const length = [...value.trim()].length;
  if (length === 0) return new Problem('validation_failed', `${field} must not be empty`, field);
  if (length > max) return new Problem('validation_failed', `${field} must be at most ${max} characters (got ${length})`, field);
  if (CONTROL_CHARACTERS.test(value)) return new Problem('validation_failed', `${field} must not contain control characters`, field);
  return null;
}

/** Milliseconds since the epoch of an ISO 8601 date-time with a time zone, or null if it is not one. */
export function isoDateTimeMs(value: string): number | null {
  const match = ISO_DATE_TIME.exec(value);
  if (!match) return null;
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map((part) => Number(part ?? 0)) as [number, number, number, number, number, number];
  const lastOfMonth = utcMs(year, month, 0, 0, 0, 0, 0); // day 0 of the next month
  const daysInMonth = lastOfMonth === null ? 0 : new Date(lastOfMonth).getUTCDate();
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth || hour > 23 || minute > 59 || second > 59) return null;
  const ms = match[7] === undefined ? 0 : Number(match[7].slice(0, 3).padEnd(3, '0'));
  let offsetMinutes = 0;
  const zone = match[8]!;
  if (zone.toUpperCase() !== 'Z') {
    const offsetHours = Number(match[9]);
    const offsetMins = Number(match[10]);
    if (offsetHours > 23 || offsetMins > 59) return null;
    offsetMinutes = (zone.startsWith('-') ? -1 : 1) * (offsetHours * 60 + offsetMins);
  }
  return utcMs(year, month - 1, day, hour, minute, second, ms)! - offsetMinutes * 60_000;
}

/** Date.UTC without its quirk of reading years 0-99 as 1900-1999 (ISO 8601 allows 0000-0099). */
function utcMs(year: number, monthIndex: number, day: number, hour: number, minute: number, second: number, ms: number): number | null {
  const date = new Date(Date.UTC(2000, monthIndex, day, hour, minute, second, ms));
  date.setUTCFullYear(year, monthIndex, day);
  const time = date.getTime();
  return Number.isNaN(time) ? null : time;
}

function scheduleProblem(field: string, value: string | null): Problem | null {
  if (value === null || isoDateTimeMs(value) !== null) return null;
  return new Problem('validation_failed', `${field} must be an ISO 8601 date-time with a time zone, e.g. 2026-12-01T16:00:00Z, or null`, field);
}

function urlProblem(field: string, value: string): Problem | null {
  const why = destinationUrlProblem(value);
  return why === null ? null : new Problem('validation_failed', `${field} ${why}`, field);
}

function streamKeyProblem(value: string): Problem | null {
  const length = [...value].length;
  if (length === 0) return new Problem('validation_failed', 'streamKey must not be empty', 'streamKey');
  if (length > STREAM_KEY_MAX) return new Problem('validation_failed', `streamKey must be at most ${STREAM_KEY_MAX} characters (got ${length})`, 'streamKey');
  if (STREAM_KEY_FORBIDDEN.test(value)) return new Problem('validation_failed', 'streamKey must not contain whitespace or control characters', 'streamKey');
  if (value.startsWith(MASK_BULLETS)) {
    return new Problem('validation_failed', 'streamKey looks like a masked key: send the full stream key (or, in a PATCH, the masked value exactly as shown to keep the key)', 'streamKey');
  }
  return null;
}

/** Checks the event fields present in `fields` (create and patch alike). */
function eventFieldProblem(fields: Map<string, unknown>): Problem | null {
  const name = fields.get('name');
  if (typeof name === 'string') {
    const problem = nameProblem('name', name, EVENT_NAME_MAX);
    if (problem) return problem;
  }
  for (const field of ['scheduledStart', 'scheduledEnd'] as const) {
    if (fields.has(field)) {
      const problem = scheduleProblem(field, fields.get(field) as string | null);
      if (problem) return problem;
    }
  }
  return null;
}

function scheduleOrderProblem(start: string | null, end: string | null): Problem | null {
  if (start === null || end === null) return null;
  return isoDateTimeMs(end)! > isoDateTimeMs(start)!
    ? null
    : new Problem('validation_failed', 'scheduledEnd must be after scheduledStart', 'scheduledEnd');
}

export function validateEventCreate(body: unknown): EventInput | Problem {
  const fields = fieldsOf(body, EVENT_FIELDS);
  if (fields instanceof Problem) return fields;
  if (!fields.has('name')) return required('name');
  const problem = eventFieldProblem(fields);
  if (problem) return problem;
  const input: EventInput = {
    name: (fields.get('name') as string).trim(),
    type: (fields.get('type') as EventInput['type'] | undefined) ?? 'webcast',
    scheduledStart: (fields.get('scheduledStart') as string | null | undefined) ?? null,
    scheduledEnd: (fields.get('scheduledEnd') as string | null | undefined) ?? null,
  };
  return scheduleOrderProblem(input.scheduledStart, input.scheduledEnd) ?? input;
}

export function validateEventPatch(body: unknown, current: EventRecord): EventPatch | Problem {
  const fields = fieldsOf(body, EVENT_FIELDS);
  if (fields instanceof Problem) return fields;
  const problem = eventFieldProblem(fields);
  if (problem) return problem;
  const patch: { -readonly [K in keyof EventInput]?: EventInput[K] } = {};
  if (fields.has('name')) patch.name = (fields.get('name') as string).trim();
  if (fields.has('type')) patch.type = fields.get('type') as EventInput['type'];
  if (fields.has('scheduledStart')) patch.scheduledStart = fields.get('scheduledStart') as string | null;
  if (fields.has('scheduledEnd')) patch.scheduledEnd = fields.get('scheduledEnd') as string | null;
  const start = patch.scheduledStart !== undefined ? patch.scheduledStart : current.scheduledStart;
  const end = patch.scheduledEnd !== undefined ? patch.scheduledEnd : current.scheduledEnd;
  return scheduleOrderProblem(start, end) ?? patch;
}

/** A system name already used by another destination of the event (any letter case): 409. */
function systemNameConflict(systemName: string, siblings: readonly DestinationRecord[], self: string | null): Problem | null {
  const key = systemNameKey(systemName);
  const clash = siblings.find((other) => other.id !== self && systemNameKey(other.systemName) === key);
  return clash
    ? new Problem('conflict', `systemName is already used by destination ${clash.id} of this event (names are compared ignoring letter case)`, 'systemName')
    : null;
}

/** Checks the destination fields present in `fields` (create and patch alike). */
function destinationFieldProblem(fields: Map<string, unknown>): Problem | null {
  const systemName = fields.get('systemName');
  if (typeof systemName === 'string') {
    const problem = nameProblem('systemName', systemName, SYSTEM_NAME_MAX);
    if (problem) return problem;
  }
  for (const field of ['primaryUrl', 'secondaryUrl'] as const) {
    const url = fields.get(field);
    if (typeof url === 'string') {
      const problem = urlProblem(field, url);
      if (problem) return problem;
    }
  }
  return null;
}

export function validateDestinationCreate(body: unknown, siblings: readonly DestinationRecord[]): DestinationInput | Problem {
  const fields = fieldsOf(body, DESTINATION_FIELDS);
  if (fields instanceof Problem) return fields;
  for (const field of ['systemName', 'primaryUrl', 'streamKey']) if (!fields.has(field)) return required(field);
  const problem = destinationFieldProblem(fields) ?? streamKeyProblem(fields.get('streamKey') as string);
  if (problem) return problem;
  const systemName = (fields.get('systemName') as string).trim();
  return (
    systemNameConflict(systemName, siblings, null) ?? {
      systemName,
      primaryUrl: fields.get('primaryUrl') as string,
      secondaryUrl: (fields.get('secondaryUrl') as string | null | undefined) ?? null,
      secondaryMode: (fields.get('secondaryMode') as DestinationInput['secondaryMode'] | undefined) ?? 'redundant',
      streamKey: fields.get('streamKey') as string,
      enabled: (fields.get('enabled') as boolean | undefined) ?? true,
    }
  );
}

export function validateDestinationPatch(
  body: unknown,
  current: DestinationRecord,
  siblings: readonly DestinationRecord[],
): DestinationPatch | Problem {
  const fields = fieldsOf(body, DESTINATION_FIELDS);
  if (fields instanceof Problem) return fields;
  const problem = destinationFieldProblem(fields);
  if (problem) return problem;
  const patch: { -readonly [K in keyof DestinationInput]?: DestinationInput[K] } = {};
  if (fields.has('streamKey')) {
    const streamKey = fields.get('streamKey') as string;
    // The masked value the admin was shown means "keep the key" (a form sent back unchanged).
    if (streamKey !== maskSecret(current.streamKey)) {
      const keyProblem = streamKeyProblem(streamKey);
      if (keyProblem) return keyProblem;
      patch.streamKey = streamKey;
    }
  }
  if (fields.has('systemName')) {
    patch.systemName = (fields.get('systemName') as string).trim();
    const conflict = systemNameConflict(patch.systemName, siblings, current.id);
    if (conflict) return conflict;
  }
  if (fields.has('primaryUrl')) patch.primaryUrl = fields.get('primaryUrl') as string;
  if (fields.has('secondaryUrl')) patch.secondaryUrl = fields.get('secondaryUrl') as string | null;
  if (fields.has('secondaryMode')) patch.secondaryMode = fields.get('secondaryMode') as DestinationInput['secondaryMode'];
  if (fields.has('enabled')) patch.enabled = fields.get('enabled') as boolean;
  return patch;
}

/** `POST …/ingest-key` takes no body or `{}`. */
export function validateEmptyBody(body: unknown): Problem | null {
  if (body === undefined) return null;
  const fields = fieldsOf(body, { writable: {}, readOnly: EVENT_FIELDS.readOnly });
  return fields instanceof Problem ? fields : null;
}
