// The store across restarts, crashes and damage, and the admin token's first start — each against
// real server processes on one data dir.
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import test from 'ava';
import { AdminClient, type DestinationJson, type EventJson } from '../helpers/admin-client.js';
import { spawnPeer } from '../helpers/processes.js';
import { startRelayServer } from '../helpers/relay-server.js';
import { tmpDirFor } from '../helpers/tmp.js';

const CLI = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'src', 'cli.js');
const PUBLIC_URL = ['--public-url', 'rtmp://ingest.example.com/live'];
const TOKEN = 'persistence-test-token-0123456789';

test('restart: create, edit, delete, SIGTERM, start again on the same data dir: identical state', async (t) => {
  const dataDir = await tmpDirFor(t);
  const first = await startRelayServer(t, PUBLIC_URL, { dataDir, adminToken: TOKEN });
  const api = AdminClient.of(first);
  const kept = await api.createEvent({ name: 'Kept', type: 'townhall', scheduledStart: '2026-12-01T16:00:00Z', scheduledEnd: '2026-12-01T18:00:00Z' });
  const gone = await api.createEvent({ name: 'Gone' });
  const youtube = await api.createDestination(kept.id, { systemName: 'YouTube', secondaryUrl: 'rtmp://b.rtmp.youtube.com/live2?backup=1' });
  const facebook = await api.createDestination(kept.id, { systemName: 'Facebook', primaryUrl: 'rtmps://live-api-s.facebook.com:443/rtmp/', streamKey: 'FB-1?s_bl=1&a=xyzw' });
  await api.createDestination(kept.id, { systemName: 'Removed' }).then((d) => api.delete(`/api/events/${kept.id}/destinations/${d.id}`));
  t.is((await api.patch(`/api/events/${kept.id}`, { name: 'Kept and renamed' })).status, 200);
  t.is((await api.patch(`/api/events/${kept.id}/destinations/${youtube.id}`, { enabled: false, secondaryMode: 'failover', streamKey: 'rotated-key-9876' })).status, 200);
  t.is((await api.patch(`/api/events/${kept.id}/destinations/${facebook.id}`, { streamKey: facebook.streamKey })).status, 200);
  t.is((await api.post(`/api/events/${kept.id}/ingest-key`)).status, 200);
  t.is((await api.delete(`/api/events/${gone.id}`)).status, 204);
  const before = (await api.get('/api/events')).body as { events: EventJson[] };
  const storedBefore = await readFile(join(dataDir, 'store.json'), 'utf8');
  t.is(before.events.length, 1);

  // A second process on the same data dir is refused at start: it would overwrite the first's writes.
  const refused = await refusedStart(dataDir);
  t.is(refused.code, 1);
  t.regex(refused.stderr, new RegExp(`--data-dir .* is in use by process ${first.process.pid} on host .* \\(.*data-dir\\.lock\\)`));
  t.false(refused.stdout.includes('"listening"'), 'nothing listened');
  t.is((await api.get('/api/events')).status, 200, 'the first one goes on');

  const exit = await first.stop('SIGTERM');
  t.is(exit.code, 0, exit.stderrTail);
  t.is(await readFile(join(dataDir, 'store.json'), 'utf8'), storedBefore, 'a clean stop rewrites nothing');
  t.deepEqual((await readdir(dataDir)).sort(), ['store.json'], 'and releases the data dir');

  const second = await startRelayServer(t, PUBLIC_URL, { dataDir, adminToken: TOKEN });
  const after = (await AdminClient.of(second).get('/api/events')).body as { events: EventJson[] };
  t.deepEqual(after, before);
  t.like(after.events[0], { name: 'Kept and renamed', type: 'townhall' });
  t.like(after.events[0]?.destinations[0], { systemName: 'YouTube', enabled: false, secondaryMode: 'failover', streamKey: '\u2022'.repeat(8) + '9876' });
  t.like(after.events[0]?.destinations[1], { systemName: 'Facebook', streamKey: '\u2022'.repeat(8) + 'xyzw' });
  t.is((await stat(join(dataDir, 'store.json'))).mode & 0o777, 0o600, 'the store holds stream keys: owner only');
});

test('crash: SIGKILL during a burst of 200 writes loses no acknowledged write', async (t) => {
  const dataDir = await tmpDirFor(t);
  const first = await startRelayServer(t, PUBLIC_URL, { dataDir, adminToken: TOKEN });
  const api = AdminClient.of(first);
  const event = await api.createEvent({ name: 'Burst' });
  const acknowledged = new Map<string, string>();
  let next = 0;
  let killed = false;
  const worker = async (): Promise<void> => {
    while (next < 200 && !killed) {
      const index = next++;
      try {
        const response = await api.post(`/api/events/${event.id}/destinations`, {
          systemName: `Destination ${index}`,
          primaryUrl: `rtmp://sink-${index}.example.com/live`,
          streamKey: `burst-key-${index}`,
        });
        if (response.status === 201) acknowledged.set((response.body as DestinationJson).id, `Destination ${index}`);
        else t.fail(`write ${index}: ${response.status} ${response.text}`);
      } catch {
        // The connection died with the server: this write was never acknowledged.
      }
      if (acknowledged.size >= 100 && !killed) {
        killed = true;
        first.process.child.kill('SIGKILL');
      }
    }
  };
  await Promise.all(Array.from({ length: 12 }, worker));
  const exit = await first.process.exited;
  t.is(exit.signal, 'SIGKILL');
  t.true(acknowledged.size >= 100);
  t.true(next < 200, 'the kill came during the burst');

  const second = await startRelayServer(t, PUBLIC_URL, { dataDir, adminToken: TOKEN });
  const response = await AdminClient.of(second).get(`/api/events/${event.id}/destinations`);
  t.is(response.status, 200);
  const restored = new Map((response.body as { destinations: DestinationJson[] }).destinations.map((d) => [d.id, d.systemName]));
  for (const [id, systemName] of acknowledged) t.is(restored.get(id), systemName, `acknowledged write ${systemName} is lost`);
  t.true(restored.size >= acknowledged.size && restored.size <= 200);
  const document = JSON.parse(await readFile(join(dataDir, 'store.json'), 'utf8')) as { schemaVersion: number };
  t.is(document.schemaVersion, 1);
  t.deepEqual((await readdir(dataDir)).sort(), ['data-dir.lock', 'data-dir.lock.owner', 'store.json'], 'no temporary file is left behind; the lock was taken over');
  t.like(JSON.parse(await readFile(join(dataDir, 'data-dir.lock.owner'), 'utf8')), { pid: second.process.pid });
});

/** Starts the CLI on `dataDir` expecting it to refuse to start; returns its exit and stderr. */
async function refusedStart(dataDir: string, extra: string[] = ['--admin-token', TOKEN]): Promise<{ code: number | null; stderr: string; stdout: string }> {
  const proc = spawnPeer(process.execPath, [CLI, 'serve', '--rtmp-port', '0', '--admin-port', '0', '--log-format', 'json', '--data-dir', dataDir, ...extra]);
  const timer = setTimeout(() => void proc.stop({ signal: 'SIGKILL' }), 15_000);
  const exit = await proc.exited;
  clearTimeout(timer);
  return { code: exit.code, stderr: proc.tail('stderr', 100), stdout: proc.tail('stdout', 100) };
}

test('a damaged store stops the start with a message naming the file, and is left untouched', async (t) => {
  const valid = { schemaVersion: 1, events: [] };
  const damaged: Array<[string, string, RegExp]> = [
    ['garbage', 'this is not JSON at all', /not valid JSON/],
    ['truncated', JSON.stringify({ schemaVersion: 1, events: [{ id: 'evt_a', name: 'x' }] }).slice(0, 40), /not valid JSON/],
    ['empty', '', /not valid JSON/],
    ['newer schema', JSON.stringify({ ...valid, schemaVersion: 2 }), /schemaVersion 2/],
    ['no version', JSON.stringify({ events: [] }), /schemaVersion/],
    ['wrong shape', JSON.stringify({ schemaVersion: 1, events: [{ id: 'evt_a', name: 'x', type: 'webcast' }] }), /events\[0\]\.scheduledStart/],
    ['a bad destination', JSON.stringify({ schemaVersion: 1, events: [{ id: 'evt_a', name: 'x', type: 'webcast', scheduledStart: null, scheduledEnd: null, ingestKey: 'k', createdAt: 't', updatedAt: 't', destinations: [{ id: 'dst_a' }] }] }), /events\[0\]\.destinations\[0\]\.systemName/],
  ];
  for (const [label, content, why] of damaged) {
    const dataDir = await tmpDirFor(t);
    const file = join(dataDir, 'store.json');
    await writeFile(file, content, { mode: 0o600 });
    const before = await stat(file);
    const result = await refusedStart(dataDir);
    t.not(result.code, 0, `${label}: exit code`);
    t.not(result.code, null, `${label}: exited by itself`);
    t.true(result.stderr.includes(file), `${label}: names the file: ${result.stderr}`);
    t.regex(result.stderr, why, label);
    t.false(result.stdout.includes('"listening"'), `${label}: nothing listened`);
    t.is(await readFile(file, 'utf8'), content, `${label}: content untouched`);
    t.is((await stat(file)).mtimeMs, before.mtimeMs, `${label}: not rewritten`);
    t.deepEqual(await readdir(dataDir), ['store.json'], `${label}: nothing else written`);
  }
  const unreadable = await tmpDirFor(t);
  await mkdir(join(unreadable, 'store.json'));
  const result = await refusedStart(unreadable);
  t.not(result.code, 0);
  t.regex(result.stderr, /store\.json cannot be read \(EISDIR\)/);
});

test('admin token: generated once, stored 0600, printed once on stderr and never logged', async (t) => {
  const dataDir = await tmpDirFor(t);
  const first = await startRelayServer(t, PUBLIC_URL, { dataDir, adminToken: null });
  const line = await first.process.waitForLine(/admin API token/, 5000, 'stderr');
  const token = /: (\S+)$/.exec(line)?.[1] ?? '';
  t.regex(token, /^[A-Za-z0-9_-]{32,}$/);
  const file = join(dataDir, 'admin-token');
  t.is((await readFile(file, 'utf8')).trim(), token);
  t.is((await stat(file)).mode & 0o777, 0o600);
  t.is((await AdminClient.of(first, token).get('/api/events')).status, 200);
  t.is((await AdminClient.of(first, 'guess').get('/api/events')).status, 401);
  t.false(first.process.tail('stdout', 5000).includes(token), 'the token is in a log line');
  t.is((await first.stop()).code, 0);

  const second = await startRelayServer(t, PUBLIC_URL, { dataDir, adminToken: null });
  t.is((await AdminClient.of(second, token).get('/api/events')).status, 200, 'the stored token is reused');
  t.false(second.process.tail('stderr', 100).includes(token), 'printed again at the second start');
  t.false(second.process.tail('stdout', 5000).includes(token));
  await second.stop();

  // --admin-token wins over the stored one, which is left as it is.
  const third = await startRelayServer(t, PUBLIC_URL, { dataDir, adminToken: TOKEN });
  t.is((await AdminClient.of(third, TOKEN).get('/api/events')).status, 200);
  t.is((await AdminClient.of(third, token).get('/api/events')).status, 401);
  t.is((await readFile(file, 'utf8')).trim(), token);
});

test('a damaged admin token file stops the start and is left untouched', async (t) => {
  const dataDir = await tmpDirFor(t);
  const file = join(dataDir, 'admin-token');
  await writeFile(file, '  \n', { mode: 0o600 });
  const result = await refusedStart(dataDir, []);
  t.not(result.code, 0);
  t.true(result.stderr.includes(file), result.stderr);
  t.is(await readFile(file, 'utf8'), '  \n');
});
