import { peerTest } from '../helpers/require-binary.js';
import { startNginxSink, type NginxSink } from '../helpers/nginx.js';
import { startFfmpegPublisher } from '../helpers/ffmpeg.js';
import { probeFile } from '../helpers/ffprobe.js';
import { eventually, startInProcessRelay } from '../helpers/in-process-relay.js';
import type { DestinationConfig } from '../../src/relay/destination.js';

const INGEST_KEY = 'stall-test-ingest-key';
const EVENT = 'key_1';

peerTest(
  ['ffmpeg', 'ffprobe', 'nginx-rtmp'],
  'a destination stopped with SIGSTOP for 15 s never slows the other three, and comes back after SIGCONT',
  async (t) => {
    const sinks: NginxSink[] = [];
    for (let i = 0; i < 4; i++) {
      const sink = await startNginxSink({ apps: ['live'] });
      t.teardown(() => sink.stop());
      sinks.push(sink);
    }
    const relay = await startInProcessRelay(t, { ingestKeys: [INGEST_KEY], stallTimeoutMs: 3000 });
    const configs: DestinationConfig[] = sinks.map((sink, i) => ({
      id: `dst_${i}`,
      systemName: `sink ${i}`,
      primaryUrl: sink.rtmpUrl('live'),
      secondaryUrl: null,
      secondaryMode: 'redundant',
      streamKey: `stall-${i}`,
      enabled: true,
    }));
    relay.destinations.set(EVENT, configs);
    const status = () => relay.relay.status(EVENT, configs);
    const publisher = startFfmpegPublisher({ url: `rtmp://127.0.0.1:${relay.rtmpPort}/live/${INGEST_KEY}`, durationS: 32 });
    t.teardown(() => publisher.stop().then(() => undefined));
    await eventually(() => status().every((s) => s.state === 'live'), 20_000, 'all four live');
    await publisher.waitForFrames(90, 30_000);

    const stopped = sinks[3]!;
    const rssBefore = process.memoryUsage().rss;
    let rssPeak = rssBefore;
    const sampler = setInterval(() => {
      rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
    }, 200);
    t.teardown(() => clearInterval(sampler));
    process.kill(stopped.process.pid, 'SIGSTOP');
    t.teardown(() => {
      try {
        process.kill(stopped.process.pid, 'SIGCONT');
      } catch {
        // already gone
      }
    });
    await new Promise((resolve) => setTimeout(resolve, 15_000));
    const during = status()[3]!;
    t.true(during.droppedFrames > 0 || during.reconnects > 0, `the stopped sink: ${JSON.stringify(during)}`);
    t.log(`stopped sink after 15 s: state ${during.state}, dropped ${during.droppedFrames}, reconnects ${during.reconnects}, lastError ${during.lastError}`);
    process.kill(stopped.process.pid, 'SIGCONT');
    await eventually(() => status()[3]!.state === 'live', 20_000, 'the stopped sink to be live again');
    clearInterval(sampler);
    t.log(`test-process RSS grew ${Math.round((rssPeak - rssBefore) / 1e6)} MB during the stall`);
    t.true(rssPeak - rssBefore < 64 * 1024 * 1024, 'memory stays bounded while a destination is stalled');

    const published = await publisher.exited;
    t.is(published.code, 0);
    const sent = published.framesSent ?? 960;
    for (let i = 0; i < 3; i++) {
      await sinks[i]!.waitForPublishDone(`stall-${i}`, 15_000);
      const frames = (await probeFile(sinks[i]!.recordingPath('live', `stall-${i}`))).videoPackets.length;
      t.true(frames >= sent * 0.9, `sink ${i} got ${frames} of ${sent} frames`);
    }
  },
  { serial: true },
);
