import test from 'ava';
import { DESTINATION_CREATE, DESTINATION_PATCH, EVENT_CREATE, EVENT_PATCH, NO_FIELDS } from '../../src/admin/api/bodies.js';
import { parseBody, type BodySpec } from '../../src/admin/api/parse-body.js';
import { Problem } from '../../src/domain/errors.js';

// The request bodies checked by their schemas. Expected Problems written by hand: an unknown field
// first (in body order), then a wrong type, then a missing field, then a broken rule, fields in
// the schema's order; messages name the field and never quote a value.

const NOT_AN_OBJECT = { code: 'validation_failed', message: 'the request body must be a JSON object', field: undefined };
const DESTINATION = { systemName: 'YouTube', primaryUrl: 'rtmp://a.rtmp.youtube.com/live2', streamKey: 'abcd-efgh-ijkl' };

test('a body that is not a JSON object', (t) => {
  for (const body of [undefined, null, [], [{ name: 'x' }], 'x', '', 42, true]) {
    t.like(parseBody(EVENT_CREATE, body), NOT_AN_OBJECT, JSON.stringify(body) ?? 'no body');
    t.like(parseBody(DESTINATION_PATCH, body), NOT_AN_OBJECT, JSON.stringify(body) ?? 'no body');
  }
});

test('the ingest-key body: nothing, null or {}; anything else named', (t) => {
  t.is(parseBody(NO_FIELDS, undefined), undefined);
  t.is(parseBody(NO_FIELDS, null), undefined);
  t.deepEqual(parseBody(NO_FIELDS, {}), {});
  t.like(parseBody(NO_FIELDS, []), NOT_AN_OBJECT);
  t.like(parseBody(NO_FIELDS, 'x'), NOT_AN_OBJECT);
  t.like(parseBody(NO_FIELDS, { ingestKey: 'mine' }), { field: 'ingestKey', message: 'ingestKey is read-only and cannot be set' });
  t.like(parseBody(NO_FIELDS, { name: 'x' }), { field: 'name', message: 'name is not a known field (this request takes no fields)' });
});

test('unknown and read-only fields', (t) => {
  t.deepEqual((parseBody(EVENT_CREATE, { name: 'x', nmae: 'typo' }) as Problem).toJSON(), {
    error: { code: 'validation_failed', message: 'nmae is not a known field (writable: name, type, scheduledStart, scheduledEnd)', field: 'nmae' },
  });
  t.deepEqual((parseBody(DESTINATION_CREATE, { ...DESTINATION, createdAt: 'x' }) as Problem).toJSON(), {
    error: { code: 'validation_failed', message: 'createdAt is read-only and cannot be set', field: 'createdAt' },
  });
  for (const field of ['id', 'ingestUrl', 'ingestKey', 'destinations', 'createdAt', 'updatedAt']) {
    t.like(parseBody(EVENT_PATCH, { [field]: 'x' }), { field, message: `${field} is read-only and cannot be set` });
  }
  t.like(parseBody(DESTINATION_PATCH, { id: 'dst_x' }), { field: 'id', message: 'id is read-only and cannot be set' });
  t.like(parseBody(EVENT_CREATE, JSON.parse('{"name":"x","__proto__":{"polluted":true}}')), { field: '__proto__' });
  t.like(parseBody(EVENT_CREATE, { name: 'x', constructor: {} }), { field: 'constructor' });
  t.like(parseBody(EVENT_CREATE, { name: 'x', toString: 'x' }), { field: 'toString' });
});

test('a wrong type, per kind of field', (t) => {
  const cases: Array<[object, BodySpec, string, string]> = [
    [{ name: 1 }, EVENT_PATCH, 'name', 'name must be a string'],
    [{ name: null }, EVENT_PATCH, 'name', 'name must be a string'],
    [{ scheduledStart: 5 }, EVENT_PATCH, 'scheduledStart', 'scheduledStart must be a string or null'],
    [{ scheduledEnd: false }, EVENT_PATCH, 'scheduledEnd', 'scheduledEnd must be a string or null'],
    [{ type: 5 }, EVENT_PATCH, 'type', 'type must be one of "webcast", "townhall"'],
    [{ type: 'concert' }, EVENT_PATCH, 'type', 'type must be one of "webcast", "townhall"'],
    [{ enabled: 'yes' }, DESTINATION_PATCH, 'enabled', 'enabled must be true or false'],
    [{ enabled: null }, DESTINATION_PATCH, 'enabled', 'enabled must be true or false'],
    [{ secondaryMode: null }, DESTINATION_PATCH, 'secondaryMode', 'secondaryMode must be one of "redundant", "failover"'],
    [{ secondaryUrl: [] }, DESTINATION_PATCH, 'secondaryUrl', 'secondaryUrl must be a string or null'],
    [{ primaryUrl: null }, DESTINATION_PATCH, 'primaryUrl', 'primaryUrl must be a string'],
    [{ streamKey: 1234 }, DESTINATION_PATCH, 'streamKey', 'streamKey must be a string'],
  ];
  for (const [body, spec, field, message] of cases) t.like(parseBody(spec, body), { code: 'validation_failed', field, message }, JSON.stringify(body));
});

test('rules on values: names, keys, URLs, date-times', (t) => {
  const cases: Array<[object, BodySpec, string, string]> = [
    [{ name: '' }, EVENT_PATCH, 'name', 'name must not be empty'],
    [{ name: '   ' }, EVENT_PATCH, 'name', 'name must not be empty'],
    [{ name: 'n'.repeat(201) }, EVENT_PATCH, 'name', 'name must be at most 200 characters (got 201)'],
    [{ name: 'Town\u0000Hall' }, EVENT_PATCH, 'name', 'name must not contain control characters'],
    [{ name: 'Town\u009bHall' }, EVENT_PATCH, 'name', 'name must not contain control characters'],
    [{ systemName: 's'.repeat(65) }, DESTINATION_PATCH, 'systemName', 'systemName must be at most 64 characters (got 65)'],
    [{ streamKey: '' }, DESTINATION_PATCH, 'streamKey', 'streamKey must not be empty'],
    [{ streamKey: 'a b' }, DESTINATION_PATCH, 'streamKey', 'streamKey must not contain whitespace or control characters'],
    [{ streamKey: 'k'.repeat(1025) }, DESTINATION_PATCH, 'streamKey', 'streamKey must be at most 1024 characters (got 1025)'],
    [{ primaryUrl: 'http://host/live' }, DESTINATION_PATCH, 'primaryUrl', 'primaryUrl must use the rtmp:// or rtmps:// scheme'],
    [{ secondaryUrl: 'rtmp://host' }, DESTINATION_PATCH, 'secondaryUrl', 'secondaryUrl must have an application path, e.g. rtmp://host/live'],
    [{ scheduledStart: '2026-12-01' }, EVENT_PATCH, 'scheduledStart', 'scheduledStart must be an ISO 8601 date-time with a time zone, e.g. 2026-12-01T16:00:00Z, or null'],
    [{ scheduledEnd: '2026-02-30T16:00:00Z' }, EVENT_PATCH, 'scheduledEnd', 'scheduledEnd must be an ISO 8601 date-time with a time zone, e.g. 2026-12-01T16:00:00Z, or null'],
  ];
  for (const [body, spec, field, message] of cases) t.like(parseBody(spec, body), { code: 'validation_failed', field, message }, JSON.stringify(body));
});

test('missing fields are named after type errors, in the schema order', (t) => {
  t.like(parseBody(EVENT_CREATE, {}), { field: 'name', message: 'name is required' });
  t.like(parseBody(EVENT_CREATE, { type: 'webcast' }), { field: 'name', message: 'name is required' });
  t.like(parseBody(DESTINATION_CREATE, {}), { field: 'systemName', message: 'systemName is required' });
  t.like(parseBody(DESTINATION_CREATE, { systemName: 'x' }), { field: 'primaryUrl', message: 'primaryUrl is required' });
  t.like(parseBody(DESTINATION_CREATE, { systemName: 'x', primaryUrl: 'rtmp://h/app' }), { field: 'streamKey', message: 'streamKey is required' });
  t.like(parseBody(DESTINATION_CREATE, { enabled: 'x' }), { field: 'enabled', message: 'enabled must be true or false' }, 'a type error before the missing fields');
  t.like(parseBody(DESTINATION_CREATE, { systemName: '' }), { field: 'primaryUrl' }, 'a missing field before a broken rule');
});

test('both an unknown field and a wrong type: the unknown field, wherever it is', (t) => {
  t.like(parseBody(EVENT_PATCH, { name: 1, zzz: 1 }), { field: 'zzz' });
  t.like(parseBody(EVENT_PATCH, { zzz: 1, name: 1 }), { field: 'zzz' });
  t.like(parseBody(DESTINATION_PATCH, { enabled: 'x', createdAt: 1 }), { field: 'createdAt' });
});

test('several unknown fields: the first in the body; several wrong types: the first in the schema', (t) => {
  t.like(parseBody(EVENT_CREATE, { name: 'x', zzz: 1, id: 'evt_a' }), { field: 'zzz' });
  t.like(parseBody(EVENT_CREATE, { name: 'x', id: 'evt_a', zzz: 1 }), { field: 'id' });
  t.like(parseBody(EVENT_PATCH, { b: 1, '1': 2 }), { field: '1' }, 'integer-like keys come first in a JS object');
  t.like(parseBody(EVENT_PATCH, { type: 5, name: 5 }), { field: 'name' }, 'name comes before type in the schema');
  t.like(parseBody(DESTINATION_PATCH, { streamKey: 5, systemName: 5 }), { field: 'systemName' });
  t.like(parseBody(DESTINATION_PATCH, { streamKey: '', systemName: '' }), { field: 'systemName', message: 'systemName must not be empty' });
});

test('accepted bodies: names trimmed, defaults filled in, a patch holds only what was sent', (t) => {
  t.deepEqual(parseBody(EVENT_CREATE, { name: '  Town Hall ' }), { name: 'Town Hall', type: 'webcast', scheduledStart: null, scheduledEnd: null });
  t.deepEqual(parseBody(EVENT_CREATE, { name: `  ${'n'.repeat(200)}  ` }), { name: 'n'.repeat(200), type: 'webcast', scheduledStart: null, scheduledEnd: null });
  t.deepEqual(parseBody(EVENT_PATCH, { scheduledEnd: null }), { scheduledEnd: null });
  t.deepEqual(parseBody(EVENT_PATCH, {}), {});
  t.deepEqual(parseBody(DESTINATION_CREATE, DESTINATION), { ...DESTINATION, secondaryUrl: null, secondaryMode: 'redundant', enabled: true });
  t.deepEqual(parseBody(DESTINATION_PATCH, { enabled: false, secondaryMode: 'failover', secondaryUrl: null }), { enabled: false, secondaryMode: 'failover', secondaryUrl: null });
  t.deepEqual(parseBody(DESTINATION_PATCH, { streamKey: 'FB-98765?s_bl=1&s_ps=1&a=Abcd' }), { streamKey: 'FB-98765?s_bl=1&s_ps=1&a=Abcd' });
  t.false(parseBody(EVENT_CREATE, { name: '\u{1F3A5}'.repeat(200) }) instanceof Problem, '200 emoji are 200 characters');
  t.like(parseBody(EVENT_CREATE, { name: '\u{1F3A5}'.repeat(201) }), { field: 'name', message: 'name must be at most 200 characters (got 201)' });
  t.false(parseBody(DESTINATION_PATCH, { streamKey: 'k'.repeat(1024) }) instanceof Problem);
});
