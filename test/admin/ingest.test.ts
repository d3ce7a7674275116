// The admin API and the ingest together, with ffmpeg as the encoder: a stored event's key goes
// live (status shows the codecs), a rotated key is refused while the running publisher goes on,
// deleting a live event disconnects its publisher, and no key leaks on the way.
import { AdminClient, type EventJson } from '../helpers/admin-client.js';
import { startFfmpegPublisher, type FfmpegPublisher } from '../helpers/ffmpeg.js';
import { peerTest } from '../helpers/require-binary.js';
import { startRelayServer } from '../helpers/relay-server.js';
import { findLeaks } from '../helpers/secret-scan.js';

interface IngestStatus {
  state: string;
  since: string;
  remoteAddress: string | null;
  bitrateKbps: number;
  video: { codec: string; width: number | null; height: number | null; fps: number | null } | null;
  audio: { codec: string; sampleRate: number | null; channels: number | null } | null;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function ingestStatus(api: AdminClient, eventId: string): Promise<IngestStatus> {
  const response = await api.get(`/api/events/${eventId}/status`);
  if (response.status !== 200) throw new Error(`status: ${response.status} ${response.text}`);
  return (response.body as { ingest: IngestStatus }).ingest;
}

/** Polls status until `ready` holds (or fails after `timeoutMs`). */
async function waitForStatus(api: AdminClient, eventId: string, ready: (s: IngestStatus) => boolean, timeoutMs = 15_000): Promise<IngestStatus> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = await ingestStatus(api, eventId);
    if (ready(status)) return status;
    if (Date.now() > deadline) throw new Error(`status never became ready: ${JSON.stringify(status)}`);
    await sleep(200);
  }
}

function publish(t: { teardown(fn: () => Promise<unknown>): void }, url: string, durationS?: number): FfmpegPublisher {
  const publisher = startFfmpegPublisher({ url, size: '640x360', fps: 30, keyint: 30, ...(durationS === undefined ? {} : { durationS }) });
  t.teardown(() => publisher.stop());
  return publisher;
}

peerTest(['ffmpeg'], 'a stored key goes live; rotation refuses the old key while the publisher goes on; delete disconnects', async (t) => {
  const server = await startRelayServer(t, ['--log-level', 'debug']);
  const api = AdminClient.of(server);
  const event = await api.createEvent({ name: 'Live' });
  t.like(await ingestStatus(api, event.id), { state: 'offline', video: null, audio: null });

  const publisher = publish(t, `${server.rtmpUrl}/${event.ingestKey}`);
  await publisher.waitForFrames(30);
  const live = await waitForStatus(api, event.id, (s) => s.state === 'live' && s.video?.width != null && s.audio != null && s.bitrateKbps > 0);
  t.like(live, { state: 'live', remoteAddress: '127.0.0.1', video: { codec: 'h264', width: 640, height: 360 }, audio: { codec: 'aac' } });
  t.is(live.video?.fps, 30);
  t.is(live.audio?.sampleRate, 44100);
  t.true(live.bitrateKbps > 0);
  const metrics = (await api.get('/metrics')).text;
  t.true(metrics.includes(`rtmp_relay_ingest_live{event="${event.id}"} 1`));
  t.true(metrics.includes('rtmp_relay_connections{kind="publisher"} 1'));
  const bytes = Number(new RegExp(`rtmp_relay_ingest_bytes_total\\{event="${event.id}"\\} (\\d+)`).exec(metrics)?.[1]);
  t.true(bytes > 10_000, `ingest bytes ${bytes}`);

  // Rotate while live: the running publisher keeps going, the old key is refused from now on.
  const rotated = (await api.post(`/api/events/${event.id}/ingest-key`)).body as EventJson;
  t.not(rotated.ingestKey, event.ingestKey);
  const framesAtRotation = publisher.framesSent();
  const oldKey = publish(t, `${server.rtmpUrl}/${event.ingestKey}`, 5);
  const refused = await oldKey.exited;
  t.not(refused.code, 0, 'a publish with the old key fails');
  await server.waitForLog((line) => line['msg'] === 'publish refused: unknown key or app');
  await publisher.waitForFrames(framesAtRotation + 60);
  const stillLive = await ingestStatus(api, event.id);
  t.is(stillLive.state, 'live');
  t.is(stillLive.since, live.since, 'the same publish, uninterrupted');
  t.false(publisher.process.hasExited());

  // Delete while live: the publisher is disconnected within 5 s.
  const deletedAt = Date.now();
  t.is((await api.delete(`/api/events/${event.id}`)).status, 204);
  const ended = await Promise.race([publisher.exited, sleep(5000).then(() => null)]);
  t.not(ended, null, 'the publisher was not disconnected within 5 s');
  t.true(Date.now() - deletedAt < 5000);
  t.is((await api.get(`/api/events/${event.id}/status`)).status, 404);
  const after = (await api.get('/metrics')).text;
  t.false(after.includes(`event="${event.id}"`), 'a deleted event leaves the metrics');
  t.true(after.includes('rtmp_relay_connections{kind="publisher"} 0'));

  await server.stop();
  const logLines = server.process.tail('stdout', 100_000).split('\n');
  t.deepEqual(findLeaks({ streamKeys: [], ingestKeys: [event.ingestKey, rotated.ingestKey], adminTokens: [server.adminToken!] }, logLines, api.transcript), []);
});

peerTest(['ffmpeg'], 'a key rotated while offline: the old key is refused, the new one goes live', async (t) => {
  const server = await startRelayServer(t, ['--publish-grace', '500ms']);
  const api = AdminClient.of(server);
  const event = await api.createEvent({ name: 'Rotated offline' });
  const rotated = (await api.post(`/api/events/${event.id}/ingest-key`, {})).body as EventJson;

  const old = await publish(t, `${server.rtmpUrl}/${event.ingestKey}`, 3).exited;
  t.not(old.code, 0);
  t.is((await ingestStatus(api, event.id)).state, 'offline');

  const current = publish(t, `${server.rtmpUrl}/${rotated.ingestKey}?obs=1`, 20);
  await current.waitForFrames(30);
  await waitForStatus(api, event.id, (s) => s.state === 'live');
  await current.stop();
  const offline = await waitForStatus(api, event.id, (s) => s.state === 'offline');
  t.true(Date.parse(offline.since) > Date.parse(rotated.updatedAt), 'offline since the publish ended');
  const metrics = (await api.get('/metrics')).text;
  t.true(metrics.includes(`rtmp_relay_ingest_live{event="${event.id}"} 0`));
  const bytes = Number(new RegExp(`rtmp_relay_ingest_bytes_total\\{event="${event.id}"\\} (\\d+)`).exec(metrics)?.[1]);
  t.true(bytes > 10_000, 'the byte counter survives the end of the publish');
});
