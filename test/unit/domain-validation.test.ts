import test from 'ava';
import fc from 'fast-check';
import { createDestination, type DestinationRecord } from '../../src/domain/destination.js';
import { Problem } from '../../src/domain/errors.js';
import { createEvent } from '../../src/domain/event.js';
import { isoDateTimeMs } from '../../src/domain/iso-date-time.js';
import { validateDestinationCreate, validateDestinationPatch, validateEmptyBody, validateEventCreate, validateEventPatch } from '../helpers/body-validators.js';

// A request body's whole check, schema and stored-state rules, as a route runs it.

const NOW = new Date('2026-11-01T12:00:00Z');
const valid = { systemName: 'YouTube', primaryUrl: 'rtmp://a.rtmp.youtube.com/live2', streamKey: 'abcd-efgh-ijkl' };
const existing: DestinationRecord = createDestination(
  { systemName: 'YouTube', primaryUrl: valid.primaryUrl, secondaryUrl: null, secondaryMode: 'redundant', streamKey: 'the-current-key-k3x9', enabled: true },
  NOW,
);

test('date-times: ISO 8601 with a zone, checked field by field', (t) => {
  t.is(isoDateTimeMs('2026-12-01T16:00:00Z'), Date.UTC(2026, 11, 1, 16));
  t.is(isoDateTimeMs('2026-12-01T16:00Z'), Date.UTC(2026, 11, 1, 16));
  t.is(isoDateTimeMs('2026-12-01T17:30:00+01:30'), Date.UTC(2026, 11, 1, 16));
  t.is(isoDateTimeMs('2026-12-01T14:00:00-02:00'), Date.UTC(2026, 11, 1, 16));
  t.is(isoDateTimeMs('2026-12-01T16:00:00.123456Z'), Date.UTC(2026, 11, 1, 16, 0, 0, 123));
  t.is(isoDateTimeMs('2028-02-29T00:00:00Z'), Date.UTC(2028, 1, 29));
  for (const bad of ['2026-02-29T00:00:00Z', '2026-04-31T00:00:00Z', '2026-00-10T00:00:00Z', '2026-12-01T24:00:00Z', '2026-12-01T16:60:00Z', '2026-12-01T16:00:60Z', '2026-12-01T16:00:00+24:00', '2026-12-01 16:00:00Z', '2026-12-01T16:00:00', '2026-12-01', 'soon', '']) {
    t.is(isoDateTimeMs(bad), null, bad);
  }
});

test('date-times agree with Date.parse on every valid instant (property)', (t) => {
  fc.assert(
    fc.property(fc.date({ min: new Date('1970-01-01T00:00:00Z'), max: new Date('2999-12-31T23:59:59Z'), noInvalidDate: true }), (date) => {
      const text = date.toISOString();
      return isoDateTimeMs(text) === Date.parse(text);
    }),
  );
  t.pass();
});

test('event create: defaults and trimming', (t) => {
  t.deepEqual(validateEventCreate({ name: '  Town Hall ' }), { name: 'Town Hall', type: 'webcast', scheduledStart: null, scheduledEnd: null });
  t.like(validateEventCreate({ name: 'x', type: 'townhall', scheduledStart: '2026-12-01T16:00:00Z', scheduledEnd: null }), { type: 'townhall', scheduledStart: '2026-12-01T16:00:00Z' });
});

test('event patch: the schedule order is checked against the stored values', (t) => {
  const event = createEvent({ name: 'x', type: 'webcast', scheduledStart: '2026-12-01T16:00:00Z', scheduledEnd: null }, NOW);
  t.like(validateEventPatch({ scheduledEnd: '2026-12-01T15:00:00Z' }, event), { field: 'scheduledEnd', code: 'validation_failed' });
  t.deepEqual(validateEventPatch({ scheduledEnd: '2026-12-01T17:00:00Z' }, event), { scheduledEnd: '2026-12-01T17:00:00Z' });
  t.deepEqual(validateEventPatch({ scheduledStart: null, scheduledEnd: '2026-01-01T00:00:00Z' }, event), { scheduledStart: null, scheduledEnd: '2026-01-01T00:00:00Z' });
  t.deepEqual(validateEventPatch({}, event), {});
});

test('edges: names at 200/64 characters, keys at 1024 (counted in characters, not UTF-16 units)', (t) => {
  t.false(validateEventCreate({ name: '\u{1F3A5}'.repeat(200) }) instanceof Problem, '200 emoji are 200 characters');
  t.like(validateEventCreate({ name: '\u{1F3A5}'.repeat(201) }), { field: 'name' });
  t.false(validateDestinationCreate({ ...valid, systemName: 's'.repeat(64) }, []) instanceof Problem);
  t.like(validateDestinationCreate({ ...valid, systemName: 's'.repeat(65) }, []), { field: 'systemName' });
  t.false(validateDestinationCreate({ ...valid, streamKey: 'k'.repeat(1024) }, []) instanceof Problem);
  t.like(validateDestinationCreate({ ...valid, streamKey: 'k'.repeat(1025) }, []), { field: 'streamKey' });
});

test('destination patch: the masked key keeps the key, another value replaces it', (t) => {
  t.deepEqual(validateDestinationPatch({ streamKey: '\u2022'.repeat(8) + 'k3x9' }, existing, [existing]), {});
  t.deepEqual(validateDestinationPatch({ streamKey: 'fresh' }, existing, [existing]), { streamKey: 'fresh' });
  t.like(validateDestinationPatch({ streamKey: '\u2022'.repeat(8) + 'zzzz' }, existing, [existing]), { field: 'streamKey' });
  t.deepEqual(validateDestinationPatch({ systemName: 'YOUTUBE' }, existing, [existing]), { systemName: 'YOUTUBE' }, 'its own name in another case');
});

test('unknown fields are named before missing ones, in body order', (t) => {
  t.like(validateEventCreate({ nmae: 'x' }), { field: 'nmae' });
  t.like(validateDestinationCreate({ b: 1, a: 2 }, []), { field: 'b' });
  t.like(validateDestinationCreate({ id: 'x', b: 1 }, []), { field: 'id', message: 'id is read-only and cannot be set' });
  t.is(validateEmptyBody(undefined), null);
  t.is(validateEmptyBody({}), null);
  t.like(validateEmptyBody({ ingestKey: 'x' }), { field: 'ingestKey' });
  t.like(validateEmptyBody([]), { code: 'validation_failed' });
});

test('stored-state rules come after the schema: a masked-looking key, then a duplicate name', (t) => {
  t.like(validateDestinationCreate({ ...valid, streamKey: '\u2022'.repeat(8) + 'abcd' }, [existing]), { field: 'streamKey', code: 'validation_failed' });
  t.like(validateDestinationCreate({ ...valid, systemName: ' youtube ' }, [existing]), { field: 'systemName', code: 'conflict' });
  t.like(validateDestinationCreate({ ...valid, systemName: ' youtube ', streamKey: '' }, [existing]), { field: 'streamKey', code: 'validation_failed' });
  t.like(validateEventCreate({ name: 'x', scheduledStart: '2026-12-01T16:00:00Z', scheduledEnd: '2026-12-01T16:00:00Z' }), { field: 'scheduledEnd', message: 'scheduledEnd must be after scheduledStart' });
});

const marker = fc.stringMatching(/^[A-Za-z0-9]{16,24}$/).map((s) => `SECRET${s}`);

test('any body gives a value or a Problem, never a throw; a Problem never quotes a submitted string (property)', (t) => {
  const fieldNames = ['systemName', 'primaryUrl', 'secondaryUrl', 'secondaryMode', 'streamKey', 'enabled', 'id', 'createdAt', 'updatedAt', 'other'];
  const value = fc.oneof(marker, fc.string(), fc.integer(), fc.boolean(), fc.constant(null), fc.array(fc.string(), { maxLength: 2 }), fc.object({ maxDepth: 1 }));
  const body = fc.oneof(fc.dictionary(fc.constantFrom(...fieldNames), value), fc.anything());
  fc.assert(
    fc.property(body, (candidate) => {
      const markers = JSON.stringify(candidate ?? null).match(/SECRET[A-Za-z0-9]+/g) ?? [];
      for (const result of [
        validateDestinationCreate(candidate, [existing]),
        validateDestinationPatch(candidate, existing, [existing]),
        validateEventCreate(candidate),
        validateEventPatch(candidate, createEvent({ name: 'x', type: 'webcast', scheduledStart: null, scheduledEnd: null }, NOW)),
      ]) {
        if (result instanceof Problem) {
          if (!['validation_failed', 'conflict'].includes(result.code)) return false;
          if (markers.some((m) => result.message.includes(m))) return false;
        }
      }
      return true;
    }),
    { numRuns: 2000 },
  );
  t.pass();
});

test('a valid destination with one field broken is refused naming that field (property)', (t) => {
  const breakers: Array<[string, fc.Arbitrary<unknown>]> = [
    ['primaryUrl', fc.constantFrom('http://h/app', 'rtmp://h', 'rtmp://h:0/a', 'rtmp://h:65536/a', 'rtmp://u:p@h/a', 'rtmp:///a', 5, null)],
    ['secondaryUrl', fc.constantFrom('ftp://h/app', 'rtmps://h', 'rtmp://h:99999/a', 7)],
    ['streamKey', fc.oneof(fc.constantFrom('', ' ', 'a b', 'a\u0000b', 'k'.repeat(1025)), fc.integer())],
    ['systemName', fc.oneof(fc.constantFrom('', '  ', 'n'.repeat(65), 'a\u001fb'), fc.boolean())],
    ['secondaryMode', fc.constantFrom('both', '', 'REDUNDANT', 1)],
    ['enabled', fc.constantFrom('true', 0, null)],
  ];
  for (const [field, broken] of breakers) {
    fc.assert(
      fc.property(broken, (bad) => {
        const result = validateDestinationCreate({ ...valid, [field]: bad }, []);
        return result instanceof Problem && result.field === field && result.code === 'validation_failed' && result.message.includes(field);
      }),
    );
  }
  t.pass();
});
