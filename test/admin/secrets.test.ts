// No full stream key, ingest key or admin token in any response, log line or error: a whole admin
// session (including refused requests that carry keys) is recorded, then searched for the secrets.
import { randomBytes } from 'node:crypto';
import test from 'ava';
import { AdminClient, type EventJson } from '../helpers/admin-client.js';
import { startRelayServer } from '../helpers/relay-server.js';
import { findLeaks } from '../helpers/secret-scan.js';

const random = (prefix: string): string => `${prefix}${randomBytes(12).toString('base64url')}`;

test('the scan finds a planted secret (so a clean scan means something)', (t) => {
  const key = random('sk-');
  const leaks = findLeaks({ streamKeys: [key], ingestKeys: [], adminTokens: [] }, [`{"msg":"oops","key":"${key}"}`], []);
  t.is(leaks.length, 1);
  const escaped = 'a"b\\c';
  t.is(findLeaks({ streamKeys: [escaped], ingestKeys: [], adminTokens: [] }, [JSON.stringify({ key: escaped })], []).length, 1);
});

test('no secret in any response, log line or error across a full admin session', async (t) => {
  const server = await startRelayServer(t, ['--log-level', 'debug']);
  const api = AdminClient.of(server);
  const streamKeys: string[] = [];
  const ingestKeys: string[] = [];
  const key = (prefix: string): string => {
    const value = random(prefix);
    streamKeys.push(value);
    return value;
  };

  const event = await api.createEvent({ name: 'Secrets' });
  ingestKeys.push(event.ingestKey);
  const youtube = await api.createDestination(event.id, { systemName: 'YouTube', streamKey: key('yt-') });
  const facebookKey = `FB-${randomBytes(8).toString('hex')}?s_bl=1&s_ps=1&a=${randomBytes(6).toString('base64url')}`;
  streamKeys.push(facebookKey);
  await api.createDestination(event.id, { systemName: 'Facebook', primaryUrl: 'rtmps://live-api-s.facebook.com:443/rtmp/', streamKey: facebookKey });

  // Refused requests that carry keys: every error must leave them out.
  const refusals = [
    await api.post(`/api/events/${event.id}/destinations`, { systemName: 'Bad URL', primaryUrl: 'http://nope/live', streamKey: key('bad-url-') }),
    await api.post(`/api/events/${event.id}/destinations`, { systemName: 'youtube', primaryUrl: 'rtmp://h/app', streamKey: key('dup-') }),
    await api.post(`/api/events/${event.id}/destinations`, { systemName: 'Spacey', primaryUrl: 'rtmp://h/app', streamKey: `${key('space-')} tail` }),
    await api.post(`/api/events/${event.id}/destinations`, { systemName: 'Unknown', primaryUrl: 'rtmp://h/app', streamKey: key('unknown-'), extra: key('extra-') }),
    await api.patch(`/api/events/${event.id}/destinations/${youtube.id}`, { streamKey: `${key('ctl-')}\u0001` }),
    await api.patch(`/api/events/${event.id}/destinations/${youtube.id}`, { streamKey: 123, enabled: 'no' }),
    await api.post('/api/events', { name: 'x', ingestKey: key('mine-') }),
    await api.post('/api/events', undefined, { raw: `{"name":"x","streamKey":"${key('malformed-')}"`, contentType: 'application/json' }),
    await api.post('/api/events', undefined, { raw: JSON.stringify({ streamKey: key('text-') }), contentType: 'text/plain' }),
    await api.post('/api/events', undefined, { raw: JSON.stringify({ name: key('big-').repeat(5000) }), contentType: 'application/json' }),
    await api.get('/api/events', { token: key('token-guess-') }),
  ];
  t.deepEqual(refusals.map((r) => r.status), [400, 409, 400, 400, 400, 400, 400, 400, 415, 413, 401]);

  // Edits, a key change, a masked round trip, rotations, reads, status, metrics, deletes.
  await api.patch(`/api/events/${event.id}/destinations/${youtube.id}`, { streamKey: key('yt-new-') });
  await api.patch(`/api/events/${event.id}/destinations/${youtube.id}`, { streamKey: youtube.streamKey, systemName: 'YouTube 2' });
  for (let i = 0; i < 3; i++) {
    const rotated = await api.post(`/api/events/${event.id}/ingest-key`);
    ingestKeys.push((rotated.body as EventJson).ingestKey);
  }
  await api.get('/api/events');
  await api.get(`/api/events/${event.id}`);
  await api.get(`/api/events/${event.id}/destinations`);
  await api.get(`/api/events/${event.id}/destinations/${youtube.id}`);
  await api.get(`/api/events/${event.id}/status`);
  await api.get('/metrics');
  await api.get('/api/health', { token: null });
  await api.delete(`/api/events/${event.id}/destinations/${youtube.id}`);
  await api.delete(`/api/events/${event.id}`);

  await server.stop();
  const logLines = [...server.process.tail('stdout', 100_000).split('\n'), ...server.process.tail('stderr', 100_000).split('\n')];
  t.true(logLines.some((line) => line.includes('destination created')), 'the logs were captured');
  t.true(logLines.some((line) => line.includes('"admin request"')), 'debug request lines were captured');
  const leaks = findLeaks({ streamKeys, ingestKeys, adminTokens: [server.adminToken!] }, logLines, api.transcript);
  t.deepEqual(leaks, []);
  t.true(api.transcript.length > 25);
});
