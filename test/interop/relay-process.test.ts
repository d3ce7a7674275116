// The relay as users run it: one server process, destinations added over the admin API, real sinks.
import { AdminClient } from '../helpers/admin-client.js';
import { startFfmpegPublisher } from '../helpers/ffmpeg.js';
import { probeFile } from '../helpers/ffprobe.js';
import { startNginxSink } from '../helpers/nginx.js';
import { peerTest } from '../helpers/require-binary.js';
import { startRelayServer } from '../helpers/relay-server.js';
import { startRtmpSink, type RtmpSink } from '../helpers/rtmp-sink.js';
import { orTimeout } from '../helpers/rtmp-publisher.js';

interface DestinationStatusJson {
  id: string;
  state: string;
  reconnects: number;
  lastError: string | null;
}

async function destinationStatus(api: AdminClient, eventId: string, destinationId: string): Promise<DestinationStatusJson> {
  const body = (await api.get(`/api/events/${eventId}/status`)).body as { destinations: DestinationStatusJson[] };
  return body.destinations.find((d) => d.id === destinationId)!;
}

async function until<T>(probe: () => Promise<T>, ready: (value: T) => boolean, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (ready(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
}

peerTest(
  ['ffmpeg', 'ffprobe', 'nginx-rtmp'],
  'a sink killed and restarted is live again within 10 s, from headers and a keyframe; the other sink loses nothing',
  async (t) => {
    const server = await startRelayServer(t, ['--log-level', 'debug']);
    const api = AdminClient.of(server);
    const nginx = await startNginxSink({ apps: ['live'] });
    t.teardown(() => nginx.stop());
    let raw: RtmpSink = await startRtmpSink();
    t.teardown(() => raw.stop());
    const event = await api.createEvent({ name: 'Restart' });
    const steady = await api.createDestination(event.id, { systemName: 'steady', primaryUrl: nginx.rtmpUrl('live'), streamKey: 'steady-key' });
    const flaky = await api.createDestination(event.id, { systemName: 'flaky', primaryUrl: raw.url('live'), streamKey: 'flaky-key' });

    const publisher = startFfmpegPublisher({ url: `${server.rtmpUrl}/${event.ingestKey}`, durationS: 16 });
    t.teardown(() => publisher.stop().then(() => undefined));
    await raw.waitForPublish((p) => p.streamName === 'flaky-key', 20_000);
    await publisher.waitForFrames(90, 30_000);

    const port = raw.port;
    await raw.stop(); // the platform goes away
    await until(() => destinationStatus(api, event.id, flaky.id), (s) => s.state !== 'live', 10_000, 'the flaky destination to notice');
    const killedAt = Date.now();
    raw = await startRtmpSink({ port }); // and comes back on the same address
    const again = await raw.waitForPublish((p) => p.streamName === 'flaky-key', 10_000);
    const back = await until(() => destinationStatus(api, event.id, flaky.id), (s) => s.state === 'live', 10_000, 'live again');
    t.log(`live again ${Date.now() - killedAt} ms after the restart; reconnects ${back.reconnects}`);
    t.true(back.reconnects >= 1);

    await again.waitForMessages(10, 10_000);
    const kinds = again.messages.map((m) => {
      if (m.typeId === 18) return 'data';
      const header = m.typeId === 9 ? m.payload[1] === 0 : m.payload[1] === 0;
      if (m.typeId === 9) return header ? 'video-header' : (m.payload[0]! >> 4) === 1 ? 'keyframe' : 'inter';
      return header ? 'audio-header' : 'audio';
    });
    t.is(kinds[0], 'data', 'metadata first');
    t.deepEqual(new Set(kinds.slice(1, 3)), new Set(['video-header', 'audio-header']), 'then both sequence headers');
    t.is(kinds.find((k) => k === 'keyframe' || k === 'inter'), 'keyframe', 'video starts on a keyframe');

    const published = await publisher.exited;
    t.is(published.code, 0);
    await nginx.waitForPublishDone('steady-key', 15_000);
    t.is(nginx.notifications.filter((n) => n.call === 'publish').length, 1, 'the steady sink saw one publish');
    const frames = (await probeFile(nginx.recordingPath('live', 'steady-key'))).videoPackets.length;
    t.is(frames, published.framesSent ?? 480, 'and every frame');
    t.is((await destinationStatus(api, event.id, steady.id)).reconnects, 0);
  },
  { serial: true },
);

peerTest(
  ['ffmpeg', 'nginx-rtmp'],
  'SIGTERM during a live relay: every sink gets publish_done and the server exits 0 within 5 s',
  async (t) => {
    const server = await startRelayServer(t, []);
    const api = AdminClient.of(server);
    const nginx = await startNginxSink({ apps: ['live', 'other'] });
    t.teardown(() => nginx.stop());
    const event = await api.createEvent({ name: 'Shutdown' });
    await api.createDestination(event.id, { systemName: 'one', primaryUrl: nginx.rtmpUrl('live'), streamKey: 'one-key' });
    await api.createDestination(event.id, { systemName: 'two', primaryUrl: nginx.rtmpUrl('other'), streamKey: 'two-key' });
    const raw = await startRtmpSink();
    t.teardown(() => raw.stop());
    await api.createDestination(event.id, { systemName: 'raw', primaryUrl: raw.url('live'), streamKey: 'raw-key' });
    const publisher = startFfmpegPublisher({ url: `${server.rtmpUrl}/${event.ingestKey}` });
    t.teardown(() => publisher.stop().then(() => undefined));
    const rawPublish = await raw.waitForPublish((p) => p.streamName === 'raw-key', 20_000);
    await nginx.waitForPublish('one-key', 20_000);
    await nginx.waitForPublish('two-key', 20_000);
    await publisher.waitForFrames(60, 30_000);

    const stoppingAt = Date.now();
    const exit = await orTimeout(server.stop('SIGTERM'), 10_000, 'server exit');
    const tookMs = Date.now() - stoppingAt;
    t.is(exit.code, 0, exit.stderrTail);
    t.true(tookMs < 5000, `exited in ${tookMs} ms`);
    await nginx.waitForPublishDone('one-key', 5000);
    await nginx.waitForPublishDone('two-key', 5000);
    t.is(await orTimeout(rawPublish.ended, 5000, 'the raw sink to see the end'), 'FCUnpublish', 'ended cleanly, not just dropped');
  },
  { serial: true },
);
