/**
 * The admin API's request-body checks (each body's schema, then the stored-state rules) over
 * arbitrary JSON. Input: a selector byte, then JSON text (mutations of real bodies; text that is not
 * JSON is given to the date parser instead). Oracles: no throw; a refusal is a Problem with one of
 * the API's codes, a message and (if any) the field at fault, and never quotes a submitted value;
 * what is accepted obeys every rule the API documents (checked here again, independently);
 * isoDateTimeMs agrees with Date.parse.
 */
import { SECONDARY_MODES, type DestinationRecord } from '../../../src/domain/destination.js';
import { Problem } from '../../../src/domain/errors.js';
import { EVENT_TYPES, type EventRecord } from '../../../src/domain/event.js';
import { isoDateTimeMs } from '../../../src/domain/iso-date-time.js';
import { validateDestinationCreate, validateDestinationPatch, validateEmptyBody, validateEventCreate, validateEventPatch } from '../../helpers/body-validators.js';
import { RtmpError } from '../../../src/rtmp/errors.js';
import { parseRtmpUrl } from '../../../src/rtmp/session/publish-target.js';
import { check, type FuzzTarget } from '../harness.js';
import { tokens } from './common.js';

const CODES = new Set(['validation_failed', 'not_found', 'conflict', 'unauthorized', 'unsupported_media_type', 'payload_too_large', 'bad_request']);
const KNOWN_FIELDS = new Set(['name', 'type', 'scheduledStart', 'scheduledEnd', 'systemName', 'primaryUrl', 'secondaryUrl', 'secondaryMode', 'streamKey', 'enabled', 'id', 'ingestUrl', 'ingestKey', 'destinations', 'createdAt', 'updatedAt']);
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const STAMP = '2026-11-01T10:00:00.000Z';

const EVENT: EventRecord = {
  id: 'evt_fuzz', name: 'Town hall', type: 'townhall', scheduledStart: '2026-12-01T16:00:00Z', scheduledEnd: null,
  ingestKey: 'ingest-key-0123456789', destinations: [], createdAt: STAMP, updatedAt: STAMP,
};
const DESTINATION: DestinationRecord = {
  id: 'dst_fuzz', systemName: 'YouTube main', primaryUrl: 'rtmp://a.rtmp.youtube.com/live2', secondaryUrl: null,
  secondaryMode: 'redundant', streamKey: 'abcd-efgh-ijkl-k3x9', enabled: true, createdAt: STAMP, updatedAt: STAMP,
};
const SIBLINGS: readonly DestinationRecord[] = [DESTINATION, { ...DESTINATION, id: 'dst_other', systemName: 'Facebook' }];

type Validator = (body: unknown) => object | Problem | null;
const VALIDATORS: ReadonlyArray<readonly [string, Validator]> = [
  ['event-create', validateEventCreate],
  ['event-patch', (body) => validateEventPatch(body, EVENT)],
  ['destination-create', (body) => validateDestinationCreate(body, SIBLINGS)],
  ['destination-patch', (body) => validateDestinationPatch(body, DESTINATION, SIBLINGS)],
  ['empty-body', validateEmptyBody],
];

const length = (text: string): number => [...text].length;
const trimmedName = (value: unknown, max: number): boolean =>
  typeof value === 'string' && value === value.trim() && length(value) >= 1 && length(value) <= max && !CONTROL.test(value);
const goodUrl = (value: unknown): boolean => typeof value === 'string' && !(parseRtmpUrl(value) instanceof RtmpError);
const goodKey = (value: unknown): boolean =>
  typeof value === 'string' && length(value) >= 1 && length(value) <= 1024 && !/[\s\u0000-\u001f\u007f-\u009f]/u.test(value);
const goodDate = (value: unknown): boolean => value === null || (typeof value === 'string' && isoDateTimeMs(value) !== null);

/** The documented rules on an accepted body, checked again here. */
function checkAccepted(kind: string, result: Record<string, unknown>): void {
  const has = (key: string): boolean => Object.hasOwn(result, key) && result[key] !== undefined;
  if (kind.startsWith('event')) {
    if (kind === 'event-create' || has('name')) check(trimmedName(result['name'], 200), `${kind}: accepted name ${JSON.stringify(result['name'])}`);
    if (has('type')) check(EVENT_TYPES.includes(result['type'] as 'webcast'), `${kind}: accepted type`);
    for (const key of ['scheduledStart', 'scheduledEnd']) if (has(key)) check(goodDate(result[key]), `${kind}: accepted ${key}`);
    checkOrder(kind, result['scheduledStart'], result['scheduledEnd'], true);
  } else {
    if (kind === 'destination-create' || has('systemName')) check(trimmedName(result['systemName'], 64), `${kind}: accepted systemName`);
    if (kind === 'destination-create' || has('primaryUrl')) check(goodUrl(result['primaryUrl']), `${kind}: accepted primaryUrl`);
    if (has('secondaryUrl')) check(result['secondaryUrl'] === null || goodUrl(result['secondaryUrl']), `${kind}: accepted secondaryUrl`);
    if (has('secondaryMode')) check(SECONDARY_MODES.includes(result['secondaryMode'] as 'failover'), `${kind}: accepted secondaryMode`);
    if (kind === 'destination-create' || has('streamKey')) check(goodKey(result['streamKey']), `${kind}: accepted streamKey`);
    if (has('enabled')) check(typeof result['enabled'] === 'boolean', `${kind}: accepted enabled`);
    if (has('systemName')) {
      const clash = SIBLINGS.some((s) => s.systemName.toLowerCase() === String(result['systemName']).toLowerCase() && !(kind === 'destination-patch' && s.id === DESTINATION.id));
      check(!clash, `${kind}: accepted a duplicate systemName`);
    }
  }
}

/** Date.parse as the independent judge of "scheduledEnd after scheduledStart" (when it reads both). */
function checkOrder(kind: string, start: unknown, end: unknown, accepted: boolean): void {
  if (typeof start !== 'string' || typeof end !== 'string') return;
  const [a, b] = [start, end].map((d) => Date.parse(d.toUpperCase().replace(/(\.\d{3})\d+/, '$1')));
  if (Number.isNaN(a) || Number.isNaN(b) || (a === b && !accepted)) return;
  check((b! > a!) === accepted, `${kind}: ${accepted ? 'accepted' : 'refused'} a schedule from ${JSON.stringify(start)} to ${JSON.stringify(end)}`);
}

/** String values of a body, so a refusal can be checked for quoting one. */
function submittedStrings(body: unknown): string[] {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return [];
  return Object.values(body).filter((v): v is string => typeof v === 'string' && v.length >= 6);
}

function checkProblem(kind: string, problem: Problem, body: unknown, validate: Validator): void {
  check(CODES.has(problem.code), `${kind}: problem code ${problem.code}`);
  check(typeof problem.message === 'string' && problem.message.length > 0, `${kind}: problem without a message`);
  check(problem.field === undefined || typeof problem.field === 'string', `${kind}: field mistyped`);
  const json = JSON.stringify(problem.toJSON());
  check(JSON.parse(json).error.code === problem.code, `${kind}: the error body does not serialize`);
  if (problem.message === 'scheduledEnd must be after scheduledStart' && kind === 'event-create') {
    const fields = body as Record<string, unknown>;
    checkOrder(kind, fields['scheduledStart'], fields['scheduledEnd'], false);
  }
  for (const value of submittedStrings(body)) {
    if (!problem.message.includes(value)) continue;
    // Quoted, or there by coincidence (a value such as "characters")? Ask again with the value replaced.
    const replaced = Object.fromEntries(Object.entries(body as object).map(([k, v]) => [k, v === value ? 'Z'.repeat(value.length) : v]));
    const other = validate(replaced);
    check(other instanceof Problem && other.message.includes(value), `${kind}: the error message quotes a submitted value`);
  }
}

/** isoDateTimeMs agrees with Date.parse on every string it accepts (Date.parse reads the same grammar). */
function checkDate(text: string): string {
  const ms = isoDateTimeMs(text);
  if (ms === null) return 'date-refused';
  check(Number.isInteger(ms), `isoDateTimeMs(${JSON.stringify(text)}) = ${ms}`);
  const upper = text.toUpperCase().replace(/(\.\d{3})\d+/, '$1');
  const reference = Date.parse(upper);
  check(Number.isNaN(reference) || reference === ms, `isoDateTimeMs(${JSON.stringify(text)}) = ${ms}, Date.parse gives ${reference}`);
  return 'date-accepted';
}

export const apiBodiesTarget: FuzzTarget = {
  name: 'api-bodies',
  description: 'the admin API body validators and isoDateTimeMs (selector byte, then JSON text)',
  maxInputLength: 8192,
  dictionary: tokens(
    '"name"', '"type"', '"scheduledStart"', '"scheduledEnd"', '"systemName"', '"primaryUrl"', '"secondaryUrl"',
    '"secondaryMode"', '"streamKey"', '"enabled"', '"id"', '"__proto__"', '"constructor"', 'null', 'true', '"failover"',
    '"townhall"', '"rtmp://a.b/live"', '"2026-12-01T16:00:00Z"', '"0099-12-31T23:59:59+01:00"', '\\u0000', '\\u0085',
    '"\u2022\u2022\u2022\u2022\u2022\u2022\u2022\u2022k3x9"', '{}', '[]', ',', ':', '1e999',
    // Date edges: first and last years, leap days, the largest offsets, long fractions.
    '0000', '0001', '0099', '0100', '9999', '-02-29', '-12-31', 'T23:59:59', '+23:59', '-00:00', '.999999999', 'z',
  ),
  run(input: Buffer): string {
    const selector = (input[0] ?? 0) % (VALIDATORS.length + 1);
    const text = input.subarray(1).toString('utf8');
    if (selector === VALIDATORS.length) return checkDate(text);
    const [kind, validate] = VALIDATORS[selector]!;
    let body: unknown;
    try {
      body = text.length === 0 ? undefined : JSON.parse(text);
    } catch {
      return checkDate(text);
    }
    const result = validate(body);
    if (result instanceof Problem) {
      checkProblem(kind, result, body, validate);
      const field = result.field === undefined ? '-' : KNOWN_FIELDS.has(result.field) ? result.field : 'other';
      return `${kind}|${result.code}|${field}|${result.message.slice(0, 24)}`;
    }
    if (result === null) {
      check(kind === 'empty-body', `${kind}: returned null`);
      return `${kind}|ok`;
    }
    check(kind !== 'empty-body', 'validateEmptyBody returned a value');
    checkAccepted(kind, result as Record<string, unknown>);
    return `${kind}|ok|${Object.keys(result).filter((key) => (result as Record<string, unknown>)[key] !== null).sort().join(',')}`;
  },
};
