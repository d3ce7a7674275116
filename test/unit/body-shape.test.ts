import test from 'ava';
import { DESTINATION_BODY, EMPTY_BODY, EVENT_BODY, shapeProblem } from '../../src/domain/validation.js';

// The shape check that runs before a handler. Expected Problems written by hand from what the API
// answered when the check was a JSON schema run by ajv (first error only): the body's type, then
// unknown fields in body order, then field types in the order of the field table.

const NOT_AN_OBJECT = { code: 'validation_failed', message: 'the request body must be a JSON object', field: undefined };

test('a body that is not a JSON object', (t) => {
  for (const body of [undefined, null, [], [{ name: 'x' }], 'x', '', 42, true]) {
    t.like(shapeProblem(body, EVENT_BODY), NOT_AN_OBJECT, JSON.stringify(body) ?? 'no body');
    t.like(shapeProblem(body, DESTINATION_BODY), NOT_AN_OBJECT, JSON.stringify(body) ?? 'no body');
  }
  t.is(shapeProblem({}, EVENT_BODY), null, 'missing fields are for the validators');
});

test('the ingest-key body: nothing, null or {}; anything else named', (t) => {
  t.is(shapeProblem(undefined, EMPTY_BODY), null);
  t.is(shapeProblem(null, EMPTY_BODY), null);
  t.is(shapeProblem({}, EMPTY_BODY), null);
  t.like(shapeProblem([], EMPTY_BODY), NOT_AN_OBJECT);
  t.like(shapeProblem('x', EMPTY_BODY), NOT_AN_OBJECT);
  t.like(shapeProblem({ ingestKey: 'mine' }, EMPTY_BODY), { field: 'ingestKey', message: 'ingestKey is read-only and cannot be set' });
  t.like(shapeProblem({ name: 'x' }, EMPTY_BODY), { field: 'name', message: 'name is not a known field (writable: )' });
});

test('unknown and read-only fields', (t) => {
  t.deepEqual(shapeProblem({ name: 'x', nmae: 'typo' }, EVENT_BODY)?.toJSON(), {
    error: { code: 'validation_failed', message: 'nmae is not a known field (writable: name, type, scheduledStart, scheduledEnd)', field: 'nmae' },
  });
  t.deepEqual(shapeProblem({ createdAt: 'x' }, DESTINATION_BODY)?.toJSON(), {
    error: { code: 'validation_failed', message: 'createdAt is read-only and cannot be set', field: 'createdAt' },
  });
  t.like(shapeProblem(JSON.parse('{"name":"x","__proto__":{"polluted":true}}'), EVENT_BODY), { field: '__proto__' });
  t.like(shapeProblem({ name: 'x', constructor: {} }, EVENT_BODY), { field: 'constructor' });
});

test('a wrong type, per kind of field', (t) => {
  const cases: Array<[object, typeof EVENT_BODY, string, string]> = [
    [{ name: 1 }, EVENT_BODY, 'name', 'name must be a string'],
    [{ name: null }, EVENT_BODY, 'name', 'name must be a string'],
    [{ scheduledStart: 5 }, EVENT_BODY, 'scheduledStart', 'scheduledStart must be a string or null'],
    [{ scheduledEnd: false }, EVENT_BODY, 'scheduledEnd', 'scheduledEnd must be a string or null'],
    [{ type: 5 }, EVENT_BODY, 'type', 'type must be one of "webcast", "townhall"'],
    [{ type: 'concert' }, EVENT_BODY, 'type', 'type must be one of "webcast", "townhall"'],
    [{ enabled: 'yes' }, DESTINATION_BODY, 'enabled', 'enabled must be true or false'],
    [{ enabled: null }, DESTINATION_BODY, 'enabled', 'enabled must be true or false'],
    [{ secondaryMode: null }, DESTINATION_BODY, 'secondaryMode', 'secondaryMode must be one of "redundant", "failover"'],
    [{ secondaryUrl: [] }, DESTINATION_BODY, 'secondaryUrl', 'secondaryUrl must be a string or null'],
    [{ streamKey: 1234 }, DESTINATION_BODY, 'streamKey', 'streamKey must be a string'],
  ];
  for (const [body, shape, field, message] of cases) t.like(shapeProblem(body, shape), { code: 'validation_failed', field, message }, JSON.stringify(body));
  t.is(shapeProblem({ name: '', type: 'townhall', scheduledStart: null, scheduledEnd: null }, EVENT_BODY), null, 'values are for the validators');
  t.is(shapeProblem({ secondaryUrl: null, enabled: false, secondaryMode: 'failover' }, DESTINATION_BODY), null);
});

test('both an unknown field and a wrong type: the unknown field, wherever it is', (t) => {
  t.like(shapeProblem({ name: 1, zzz: 1 }, EVENT_BODY), { field: 'zzz' });
  t.like(shapeProblem({ zzz: 1, name: 1 }, EVENT_BODY), { field: 'zzz' });
  t.like(shapeProblem({ enabled: 'x', createdAt: 1 }, DESTINATION_BODY), { field: 'createdAt' });
});

test('several unknown fields: the first in the body; several wrong types: the first in the field table', (t) => {
  t.like(shapeProblem({ name: 'x', zzz: 1, id: 'evt_a' }, EVENT_BODY), { field: 'zzz' });
  t.like(shapeProblem({ name: 'x', id: 'evt_a', zzz: 1 }, EVENT_BODY), { field: 'id' });
  t.like(shapeProblem({ b: 1, '1': 2 }, EVENT_BODY), { field: '1' }, 'integer-like keys come first in a JS object');
  t.like(shapeProblem({ type: 5, name: 5 }, EVENT_BODY), { field: 'name' }, 'name comes before type in the table');
  t.like(shapeProblem({ streamKey: 5, systemName: 5 }, DESTINATION_BODY), { field: 'systemName' });
});
