import { join } from 'node:path';
import { peerTest } from '../helpers/require-binary.js';
import { startNginxSink } from '../helpers/nginx.js';
import { startFfmpegListenSink, startFfmpegPublisher } from '../helpers/ffmpeg.js';
import { checkRecording, probeFile } from '../helpers/ffprobe.js';
import { tmpDirFor } from '../helpers/tmp.js';
import { eventually, startInProcessRelay } from '../helpers/in-process-relay.js';
import type { DestinationConfig } from '../../src/relay/destination.js';

const INGEST_KEY = 'relay-test-ingest-key';
const EVENT = 'key_1'; // StaticIngestAuthorizer's id for the first key

function destination(id: string, primaryUrl: string, streamKey: string, extra: Partial<DestinationConfig> = {}): DestinationConfig {
  return { id, systemName: id, primaryUrl, secondaryUrl: null, secondaryMode: 'redundant', streamKey, enabled: true, ...extra };
}

peerTest(
  ['ffmpeg', 'ffprobe', 'nginx-rtmp'],
  'one publish is relayed to two nginx-rtmp apps and an ffmpeg -listen sink; every recording is whole',
  async (t) => {
    const dir = await tmpDirFor(t);
    const nginx = await startNginxSink({ apps: ['live', 'push'] });
    t.teardown(() => nginx.stop());
    const listenFile = join(dir, 'listen.flv');
    const listen = await startFfmpegListenSink({ outFile: listenFile, app: 'app', key: 'listen-key' });
    t.teardown(() => listen.stop());
    const relay = await startInProcessRelay(t, { ingestKeys: [INGEST_KEY] });
    relay.destinations.set(EVENT, [
      destination('dst_a', nginx.rtmpUrl('live'), 'key-a?x=1&y=2'),
      destination('dst_b', nginx.rtmpUrl('push'), 'key-b'),
      destination('dst_c', listen.appUrl, 'listen-key'),
    ]);

    const publisher = startFfmpegPublisher({ url: `rtmp://127.0.0.1:${relay.rtmpPort}/live/${INGEST_KEY}`, durationS: 12 });
    t.teardown(() => publisher.stop().then(() => undefined));
    const started = Date.now();
    await eventually(() => {
      const status = relay.relay.status(EVENT, relay.destinations.get(EVENT)!);
      return status.length === 3 && status.every((s) => s.state === 'live');
    }, 20_000, 'all three destinations live');
    t.log(`all destinations live ${Date.now() - started} ms after the publisher started`);
    t.true(Date.now() - started < 10_000 + 5_000, 'live within 10 s of the publish (plus ffmpeg start-up)');

    await publisher.waitForFrames(200, 30_000);
    const midway = relay.relay.status(EVENT, relay.destinations.get(EVENT)!);
    for (const s of midway) {
      t.true(s.bytesSent > 300_000 && s.bitrateKbps > 0, `${s.id} while live: ${s.bytesSent} bytes, ${s.bitrateKbps} kbps`);
      t.like(s, { state: 'live', activeUrl: 'primary', lastError: null, reconnects: 0 });
    }

    const published = await publisher.exited;
    t.is(published.code, 0, published.stderrTail);
    const sent = published.framesSent ?? 360;
    await nginx.waitForPublishDone('key-a', 15_000);
    await nginx.waitForPublishDone('key-b', 15_000);
    await listen.exited;

    const arrivedA = nginx.notifications.find((n) => n.call === 'publish' && n.name === 'key-a');
    t.like(arrivedA, { app: 'live', args: { x: '1', y: '2' } }, 'the key is sent byte for byte, query included');
    t.regex(arrivedA?.tcurl ?? '', /^rtmp:\/\/127\.0\.0\.1:\d+\/live$/);

    for (const [name, file] of [
      ['nginx live', nginx.recordingPath('live', 'key-a')],
      ['nginx push', nginx.recordingPath('push', 'key-b')],
      ['ffmpeg listen', listenFile],
    ] as const) {
      const problems = await checkRecording(file, { videoCodec: 'h264', audioCodec: 'aac', width: 640, height: 360, minVideoFrames: Math.floor(sent * 0.9) });
      t.deepEqual(problems, [], `${name}: ${problems.join('; ')}`);
      const probe = await probeFile(file);
      t.log(`${name}: ${probe.videoPackets.length} of ${sent} video frames`);
    }
    const after = relay.relay.status(EVENT, relay.destinations.get(EVENT)!);
    t.true(after.every((s) => s.state === 'idle'), 'the pushes ended with the publish');
  },
  { serial: true },
);
