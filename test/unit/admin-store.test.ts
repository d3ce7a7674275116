import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import test from 'ava';
import { BearerCheck } from '../../src/admin/admin-token.js';
import { Store } from '../../src/admin/store.js';
import { StoreFileError } from '../../src/admin/store-file.js';
import { StoreIngestAuthorizer } from '../../src/admin/store-ingest-authorizer.js';
import { Problem } from '../../src/domain/errors.js';
import { createEvent, rotateIngestKey, type EventRecord } from '../../src/domain/event.js';
import { StaticIngestAuthorizer } from '../../src/relay/ingest-authorizer.js';
import { createLogger } from '../../src/util/logger.js';
import { tmpDirFor } from '../helpers/tmp.js';

const log = createLogger({ level: 'silent', format: 'json', destination: new Writable({ write: (_c, _e, done) => done() }) });
const event = (name: string): EventRecord => createEvent({ name, type: 'webcast', scheduledStart: null, scheduledEnd: null }, new Date());

test('a change is on disk before it resolves; reads see it only then', async (t) => {
  const dir = join(await tmpDirFor(t), 'nested', 'data');
  const store = await Store.open(dir, log);
  t.deepEqual(await readdir(dir), [], 'opening writes nothing');
  const created = event('One');
  const pending = store.change((events) => ({ events: [...events, created], result: created.id }));
  t.is(store.events.length, 0, 'not visible before it is stored');
  t.is(await pending, created.id);
  t.is(store.event(created.id), created);
  const onDisk = JSON.parse(await readFile(join(dir, 'store.json'), 'utf8')) as { schemaVersion: number; events: EventRecord[] };
  t.is(onDisk.schemaVersion, 1);
  t.deepEqual(onDisk.events, [created]);
  const reopened = await Store.open(dir, log);
  t.deepEqual(reopened.events, [created]);
});

test('changes run one at a time, each on the result of the one before', async (t) => {
  const store = await Store.open(await tmpDirFor(t), log);
  const writes = Array.from({ length: 50 }, (_, i) =>
    store.change((events) => {
      // A uniqueness rule checked against the latest state cannot race.
      if (events.some((e) => e.name === `n${i % 25}`)) return new Problem('conflict', 'taken', 'name');
      const e = event(`n${i % 25}`);
      return { events: [...events, e], result: e };
    }),
  );
  const results = await Promise.all(writes);
  t.is(results.filter((r) => r instanceof Problem).length, 25);
  t.is(store.events.length, 25);
  t.is((JSON.parse(await readFile(join(store.dataDir, 'store.json'), 'utf8')) as { events: unknown[] }).events.length, 25);
});

test('a refused change writes nothing; a failed write changes nothing and the queue goes on', async (t) => {
  const dir = await tmpDirFor(t);
  const store = await Store.open(dir, log);
  const refused = await store.change(() => new Problem('validation_failed', 'no', 'name'));
  t.true(refused instanceof Problem);
  t.deepEqual(await readdir(dir), []);

  // The file's place is taken by a directory: the rename fails.
  await mkdir(join(dir, 'store.json'));
  const e = event('Lost');
  await t.throwsAsync(store.change((events) => ({ events: [...events, e], result: e })));
  t.deepEqual(store.events, []);
  const thrown = store.change(() => {
    throw new Error('bug');
  });
  await t.throwsAsync(thrown, { message: 'bug' });
  await rm(join(dir, 'store.json'), { recursive: true });
  const ok = event('Kept');
  t.is(await store.change((events) => ({ events: [...events, ok], result: ok.id })), ok.id);
  t.deepEqual(store.events.map((x) => x.name), ['Kept']);
});

test('opening: damaged files are reported by name and left alone; temporary files are removed', async (t) => {
  const dir = await tmpDirFor(t);
  const file = join(dir, 'store.json');
  await writeFile(file, '{"schemaVersion":1,"events":[{"id":"evt_a"}]}');
  const error = await t.throwsAsync(Store.open(dir, log), { instanceOf: StoreFileError });
  t.true(error?.message.includes(file));
  t.regex(error?.message ?? '', /events\[0\]\.name/);
  t.is(await readFile(file, 'utf8'), '{"schemaVersion":1,"events":[{"id":"evt_a"}]}');

  const duplicate = event('Dup');
  await writeFile(file, JSON.stringify({ schemaVersion: 1, events: [duplicate, { ...duplicate, id: 'evt_other' }] }));
  await t.throwsAsync(Store.open(dir, log), { message: /ingest key/ });

  await writeFile(file, JSON.stringify({ schemaVersion: 1, events: [] }));
  await writeFile(join(dir, 'store.json.123456789'), 'half a write');
  await writeFile(join(dir, 'store.json.bak'), 'an operator copy');
  await Store.open(dir, log);
  t.deepEqual((await readdir(dir)).sort(), ['store.json', 'store.json.bak']);
});

test('the authorizer follows the store: a rotated key is refused once stored; --ingest-key still works', async (t) => {
  const store = await Store.open(await tmpDirFor(t), log);
  const e = event('Auth');
  await store.change((events) => ({ events: [...events, e], result: null }));
  const authorizer = new StoreIngestAuthorizer(store, new StaticIngestAuthorizer(['manual-trial-key']));
  t.is(authorizer.eventForKey(e.ingestKey), e.id);
  t.is(authorizer.eventForKey('manual-trial-key'), 'key_1');
  t.is(authorizer.eventForKey('nope'), null);
  const rotated = rotateIngestKey(e, new Date());
  await store.change(() => ({ events: [rotated], result: null }));
  t.is(authorizer.eventForKey(e.ingestKey), null);
  t.is(authorizer.eventForKey(rotated.ingestKey), e.id);
});

test('bearer check: only the exact token, only as Bearer', (t) => {
  const check = new BearerCheck('s3cret-token-value');
  t.true(check.matches('Bearer s3cret-token-value'));
  t.true(check.matches('bearer s3cret-token-value'));
  for (const header of [undefined, '', 'Bearer', 'Bearer ', 'Bearer s3cret-token-valu', 'Bearer s3cret-token-valuee', 'Basic s3cret-token-value', 's3cret-token-value', 'Bearer s3cret-token-value extra']) {
    t.false(check.matches(header), String(header));
  }
});
