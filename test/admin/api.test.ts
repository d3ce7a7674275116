// Every route of CONTRACT §3 over real HTTP against a running `rtmp-relay serve`.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import test from 'ava';
import { AdminClient, errorOf, type DestinationJson, type EventJson } from '../helpers/admin-client.js';
import { startRelayServer, type RelayServer } from '../helpers/relay-server.js';

const BULLETS = '\u2022'.repeat(8);
let server: RelayServer;
let api: AdminClient;

test.before(async () => {
  server = await startRelayServer(null, ['--public-url', 'rtmp://ingest.example.com/live']);
  api = AdminClient.of(server);
});

test.after.always(async () => {
  await server?.stop();
});

interface StoredEvent {
  id: string;
  ingestKey: string;
  destinations: Array<{ id: string; streamKey: string }>;
}

async function storedEvent(id: string): Promise<StoredEvent | undefined> {
  const document = JSON.parse(await readFile(join(server.dataDir, 'store.json'), 'utf8')) as { events: StoredEvent[] };
  return document.events.find((event) => event.id === id);
}

test('GET /api/health is public and reports status, version and uptime', async (t) => {
  const response = await api.get('/api/health', { token: null });
  t.is(response.status, 200);
  const body = response.body as { status: string; version: string; uptimeS: number };
  t.is(body.status, 'ok');
  t.regex(body.version, /^\d+\.\d+\.\d+/);
  t.true(Number.isInteger(body.uptimeS) && body.uptimeS >= 0);
});

test('GET / is public and serves HTML', async (t) => {
  const response = await api.get('/', { token: null });
  t.is(response.status, 200);
  t.regex(response.headers.get('content-type') ?? '', /^text\/html/);
  t.regex(response.text, /<html/i);
});

test('events: create with defaults, get, list, patch, delete', async (t) => {
  const created = await api.post('/api/events', { name: '  Q3 Town Hall  ' });
  t.is(created.status, 201);
  const event = created.body as EventJson;
  t.regex(event.id, /^evt_[A-Za-z0-9_-]+$/);
  t.like(event, { name: 'Q3 Town Hall', type: 'webcast', scheduledStart: null, scheduledEnd: null, ingestUrl: 'rtmp://ingest.example.com/live', destinations: [] });
  t.regex(event.ingestKey, /^[A-Za-z0-9_-]{24,}$/);
  t.is(event.createdAt, event.updatedAt);
  t.false(Number.isNaN(Date.parse(event.createdAt)));

  const fetched = await api.get(`/api/events/${event.id}`);
  t.is(fetched.status, 200);
  t.deepEqual(fetched.body, event);

  const list = await api.get('/api/events');
  t.is(list.status, 200);
  t.deepEqual((list.body as { events: EventJson[] }).events.find((e) => e.id === event.id), event);

  const patched = await api.patch(`/api/events/${event.id}`, {
    name: 'Q4 Town Hall',
    type: 'townhall',
    scheduledStart: '2026-12-01T16:00:00Z',
    scheduledEnd: '2026-12-01T17:30:00+01:00',
  });
  t.is(patched.status, 200);
  const after = patched.body as EventJson;
  t.like(after, { id: event.id, name: 'Q4 Town Hall', type: 'townhall', scheduledStart: '2026-12-01T16:00:00Z', scheduledEnd: '2026-12-01T17:30:00+01:00', ingestKey: event.ingestKey, createdAt: event.createdAt });
  t.true(Date.parse(after.updatedAt) >= Date.parse(event.updatedAt));

  const cleared = await api.patch(`/api/events/${event.id}`, { scheduledStart: null });
  t.is(cleared.status, 200);
  t.is((cleared.body as EventJson).scheduledStart, null);

  const deleted = await api.delete(`/api/events/${event.id}`);
  t.is(deleted.status, 204);
  t.is(deleted.text, '');
  t.is((await api.get(`/api/events/${event.id}`)).status, 404);
  t.is(await storedEvent(event.id), undefined);
});

test('events: rotating the ingest key (no body, or {}) gives a new key and keeps the rest', async (t) => {
  const event = await api.createEvent({ name: 'Rotation' });
  const first = await api.post(`/api/events/${event.id}/ingest-key`);
  t.is(first.status, 200);
  const rotated = first.body as EventJson;
  t.not(rotated.ingestKey, event.ingestKey);
  t.like(rotated, { id: event.id, name: 'Rotation', createdAt: event.createdAt });
  t.is((await storedEvent(event.id))?.ingestKey, rotated.ingestKey);

  const second = await api.post(`/api/events/${event.id}/ingest-key`, {});
  t.is(second.status, 200);
  t.not((second.body as EventJson).ingestKey, rotated.ingestKey);

  const withField = await api.post(`/api/events/${event.id}/ingest-key`, { ingestKey: 'mine' });
  t.is(withField.status, 400);
  t.like(errorOf(withField), { code: 'validation_failed', field: 'ingestKey' });
  t.is((await storedEvent(event.id))?.ingestKey, (second.body as EventJson).ingestKey);
});

test('destinations: create with defaults, get, list, patch, delete; keys masked', async (t) => {
  const event = await api.createEvent({ name: 'With destinations' });
  const created = await api.post(`/api/events/${event.id}/destinations`, {
    systemName: 'YouTube main',
    primaryUrl: 'rtmp://a.rtmp.youtube.com/live2',
    secondaryUrl: 'rtmp://b.rtmp.youtube.com/live2?backup=1',
    streamKey: 'abcd-efgh-ijkl-k3x9',
  });
  t.is(created.status, 201);
  const destination = created.body as DestinationJson;
  t.regex(destination.id, /^dst_[A-Za-z0-9_-]+$/);
  t.like(destination, {
    systemName: 'YouTube main',
    primaryUrl: 'rtmp://a.rtmp.youtube.com/live2',
    secondaryUrl: 'rtmp://b.rtmp.youtube.com/live2?backup=1',
    secondaryMode: 'redundant',
    streamKey: `${BULLETS}k3x9`,
    enabled: true,
  });

  const short = await api.createDestination(event.id, { systemName: 'Short key', streamKey: '12345678', secondaryMode: 'failover', enabled: false });
  t.like(short, { streamKey: BULLETS, secondaryMode: 'failover', enabled: false, secondaryUrl: null });

  const one = await api.get(`/api/events/${event.id}/destinations/${destination.id}`);
  t.is(one.status, 200);
  t.deepEqual(one.body, destination);
  const list = await api.get(`/api/events/${event.id}/destinations`);
  t.deepEqual((list.body as { destinations: DestinationJson[] }).destinations, [destination, short]);
  const withEvent = (await api.get(`/api/events/${event.id}`)).body as EventJson;
  t.deepEqual(withEvent.destinations, [destination, short]);

  const patched = await api.patch(`/api/events/${event.id}/destinations/${destination.id}`, {
    systemName: 'YouTube backup',
    secondaryUrl: null,
    secondaryMode: 'failover',
    enabled: false,
  });
  t.is(patched.status, 200);
  t.like(patched.body, { id: destination.id, systemName: 'YouTube backup', secondaryUrl: null, secondaryMode: 'failover', enabled: false, streamKey: `${BULLETS}k3x9`, createdAt: destination.createdAt });

  const renamedCase = await api.patch(`/api/events/${event.id}/destinations/${destination.id}`, { systemName: 'YOUTUBE BACKUP' });
  t.is(renamedCase.status, 200, 'a destination may change the letter case of its own name');

  const deleted = await api.delete(`/api/events/${event.id}/destinations/${destination.id}`);
  t.is(deleted.status, 204);
  t.is((await api.get(`/api/events/${event.id}/destinations/${destination.id}`)).status, 404);
  t.deepEqual((await storedEvent(event.id))?.destinations.map((d) => d.id), [short.id]);
});

test('destinations: PATCH with the masked key keeps the key; a new key replaces it', async (t) => {
  const event = await api.createEvent({ name: 'Key edits' });
  const destination = await api.createDestination(event.id, { streamKey: 'FB-1234567890?s_bl=1&s_ps=1&a=Abcd' });
  t.is(destination.streamKey, `${BULLETS}Abcd`);

  const unchanged = await api.patch(`/api/events/${event.id}/destinations/${destination.id}`, { streamKey: destination.streamKey, systemName: 'Facebook' });
  t.is(unchanged.status, 200);
  const stored = await storedEvent(event.id);
  t.is(stored?.destinations[0]?.streamKey, 'FB-1234567890?s_bl=1&s_ps=1&a=Abcd');

  const changed = await api.patch(`/api/events/${event.id}/destinations/${destination.id}`, { streamKey: 'new-key-wxyz' });
  t.is(changed.status, 200);
  t.is((changed.body as DestinationJson).streamKey, `${BULLETS}wxyz`);
  t.is((await storedEvent(event.id))?.destinations[0]?.streamKey, 'new-key-wxyz');

  const wrongMask = await api.patch(`/api/events/${event.id}/destinations/${destination.id}`, { streamKey: `${BULLETS}0000` });
  t.is(wrongMask.status, 400);
  t.like(errorOf(wrongMask), { code: 'validation_failed', field: 'streamKey' });
  t.is((await storedEvent(event.id))?.destinations[0]?.streamKey, 'new-key-wxyz');
});

test('status: an offline event and its destinations (idle, or disabled)', async (t) => {
  const event = await api.createEvent({ name: 'Status' });
  const on = await api.createDestination(event.id, { systemName: 'On' });
  const off = await api.createDestination(event.id, { systemName: 'Off', enabled: false });
  const response = await api.get(`/api/events/${event.id}/status`);
  t.is(response.status, 200);
  const status = response.body as {
    event: string;
    ingest: Record<string, unknown>;
    destinations: Array<Record<string, unknown>>;
  };
  t.is(status.event, event.id);
  t.like(status.ingest, { state: 'offline', remoteAddress: null, bitrateKbps: 0, video: null, audio: null });
  t.false(Number.isNaN(Date.parse(String(status.ingest['since']))));
  const common = { activeUrl: null, bytesSent: 0, bitrateKbps: 0, droppedFrames: 0, reconnects: 0, lastError: null, connections: [] };
  t.like(status.destinations[0], { id: on.id, systemName: 'On', state: 'idle', ...common });
  t.like(status.destinations[1], { id: off.id, systemName: 'Off', state: 'disabled', ...common });
  t.false(Number.isNaN(Date.parse(String(status.destinations[0]?.['since']))));
});

test('metrics: Prometheus text with the rtmp_relay_ families, behind the token', async (t) => {
  const event = await api.createEvent({ name: 'Metrics' });
  const destination = await api.createDestination(event.id, { systemName: 'Metered' });
  const response = await api.get('/metrics');
  t.is(response.status, 200);
  t.regex(response.headers.get('content-type') ?? '', /^text\/plain/);
  const labels = `event="${event.id}",destination="${destination.id}",system_name="Metered"`;
  for (const line of [
    `rtmp_relay_ingest_bytes_total{event="${event.id}"} 0`,
    `rtmp_relay_ingest_live{event="${event.id}"} 0`,
    `rtmp_relay_destination_bytes_total{${labels}} 0`,
    `rtmp_relay_destination_up{${labels}} 0`,
    `rtmp_relay_destination_reconnects_total{${labels}} 0`,
    `rtmp_relay_destination_dropped_frames_total{${labels}} 0`,
    'rtmp_relay_connections{kind="inbound"}',
    'rtmp_relay_connections{kind="publisher"} 0',
  ]) {
    t.true(response.text.includes(line), `missing: ${line}`);
  }
  t.is((await api.get('/metrics', { token: null })).status, 401);
});

test('404 not_found for unknown events, destinations and routes', async (t) => {
  const event = await api.createEvent({ name: '404s' });
  for (const [method, path] of [
    ['GET', '/api/events/evt_doesnotexist'],
    ['PATCH', '/api/events/evt_doesnotexist'],
    ['DELETE', '/api/events/evt_doesnotexist'],
    ['POST', '/api/events/evt_doesnotexist/ingest-key'],
    ['GET', '/api/events/evt_doesnotexist/status'],
    ['GET', '/api/events/evt_doesnotexist/destinations'],
    ['POST', '/api/events/evt_doesnotexist/destinations'],
    ['GET', `/api/events/${event.id}/destinations/dst_doesnotexist`],
    ['PATCH', `/api/events/${event.id}/destinations/dst_doesnotexist`],
    ['DELETE', `/api/events/${event.id}/destinations/dst_doesnotexist`],
    ['GET', '/api/nothing-here'],
    ['PUT', '/api/events'],
  ] as const) {
    // Bodies valid for the route: a 404 is about the path, not the body.
    const body = path.includes('/destinations')
      ? method === 'PATCH' || method === 'POST'
        ? { systemName: 'x', primaryUrl: 'rtmp://h/app', streamKey: 'k' }
        : undefined
      : method === 'PATCH'
        ? { name: 'x' }
        : undefined;
    const response = await api.request(method, path, body === undefined ? {} : { json: body });
    t.is(response.status, 404, `${method} ${path}`);
    t.is(errorOf(response).code, 'not_found', `${method} ${path}`);
    t.regex(errorOf(response).message, /\S/);
  }
});

test('401 unauthorized without a token or with a wrong one, on every protected route', async (t) => {
  const event = await api.createEvent({ name: 'Auth' });
  const destination = await api.createDestination(event.id);
  const routes: Array<[string, string]> = [
    ['GET', '/api/events'],
    ['POST', '/api/events'],
    ['GET', `/api/events/${event.id}`],
    ['PATCH', `/api/events/${event.id}`],
    ['DELETE', `/api/events/${event.id}`],
    ['POST', `/api/events/${event.id}/ingest-key`],
    ['GET', `/api/events/${event.id}/destinations`],
    ['POST', `/api/events/${event.id}/destinations`],
    ['GET', `/api/events/${event.id}/destinations/${destination.id}`],
    ['PATCH', `/api/events/${event.id}/destinations/${destination.id}`],
    ['DELETE', `/api/events/${event.id}/destinations/${destination.id}`],
    ['GET', `/api/events/${event.id}/status`],
    ['GET', '/metrics'],
    ['GET', '/api/unknown-route'],
  ];
  const wrong = [null, 'wrong-token', `${server.adminToken}x`, server.adminToken!.slice(0, -1)];
  for (const [method, path] of routes) {
    for (const token of wrong) {
      const response = await api.request(method, path, method === 'POST' || method === 'PATCH' ? { json: { name: 'x' }, token } : { token });
      t.is(response.status, 401, `${method} ${path} with ${token === null ? 'no token' : 'a wrong token'}`);
      t.is(errorOf(response).code, 'unauthorized');
      t.regex(response.headers.get('www-authenticate') ?? '', /^Bearer/);
    }
  }
  const basic = await api.get('/api/events', { token: null, headers: { authorization: `Basic ${Buffer.from(`admin:${server.adminToken}`).toString('base64')}` } });
  t.is(basic.status, 401);
  // Nothing above changed anything.
  t.like((await api.get(`/api/events/${event.id}`)).body, { name: 'Auth', ingestKey: event.ingestKey });
  t.is((await api.get(`/api/events/${event.id}/destinations/${destination.id}`)).status, 200);
});
