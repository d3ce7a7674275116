import { peerTest } from '../helpers/require-binary.js';
import { startNginxSink } from '../helpers/nginx.js';
import { startFfmpegPublisher } from '../helpers/ffmpeg.js';
import { checkRecording, probeFile } from '../helpers/ffprobe.js';
import { eventually, startInProcessRelay } from '../helpers/in-process-relay.js';
import type { DestinationConfig } from '../../src/relay/destination.js';

const INGEST_KEY = 'grace-test-ingest-key';
const EVENT = 'key_1';

function destination(id: string, primaryUrl: string, streamKey: string): DestinationConfig {
  return { id, systemName: id, primaryUrl, secondaryUrl: null, secondaryMode: 'redundant', streamKey, enabled: true };
}

peerTest(
  ['ffmpeg', 'ffprobe', 'nginx-rtmp'],
  'encoder grace: a publisher back within the grace continues the same pushes; past the grace they end cleanly',
  async (t) => {
    const nginx = await startNginxSink({ apps: ['live'] });
    t.teardown(() => nginx.stop());
    const relay = await startInProcessRelay(t, { ingestKeys: [INGEST_KEY], publishGraceMs: 6000 });
    relay.destinations.set(EVENT, [destination('dst_a', nginx.rtmpUrl('live'), 'grace-a'), destination('dst_b', nginx.rtmpUrl('live'), 'grace-b')]);
    const url = `rtmp://127.0.0.1:${relay.rtmpPort}/live/${INGEST_KEY}`;

    const first = startFfmpegPublisher({ url, durationS: 4 });
    t.teardown(() => first.stop().then(() => undefined));
    await nginx.waitForPublish('grace-a', 20_000);
    const firstExit = await first.exited;
    t.is(firstExit.code, 0);
    const droppedAt = Date.now();
    await eventually(() => relay.ingest.inGrace(EVENT), 5000, 'the grace to start');

    // Back after ~3 s: within the 6 s grace.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const second = startFfmpegPublisher({ url, durationS: 4 });
    t.teardown(() => second.stop().then(() => undefined));
    await eventually(() => !relay.ingest.inGrace(EVENT), 10_000, 'the publisher to return');
    t.true(Date.now() - droppedAt < 6000, 'returned within the grace');
    const secondExit = await second.exited;
    t.is(secondExit.code, 0);
    t.is(nginx.notifications.filter((n) => n.call === 'publish_done').length, 0, 'no push ended during the gap');

    // Gone for good: after the grace every push ends cleanly (publish_done).
    await nginx.waitForPublishDone('grace-a', 15_000);
    await nginx.waitForPublishDone('grace-b', 15_000);
    t.true(Date.now() - droppedAt >= 6000, 'ended only after the grace');
    for (const name of ['grace-a', 'grace-b']) {
      t.is(nginx.notifications.filter((n) => n.call === 'publish' && n.name === name).length, 1, `${name}: exactly one publish`);
      const file = nginx.recordingPath('live', name);
      const sent = (firstExit.framesSent ?? 120) + (secondExit.framesSent ?? 120);
      t.deepEqual(await checkRecording(file, { videoCodec: 'h264', audioCodec: 'aac', minVideoFrames: Math.floor(sent * 0.9) }), [], name);
      const probe = await probeFile(file);
      t.log(`${name}: ${probe.videoPackets.length} of ${sent} frames in one recording, last dts ${probe.videoPackets.at(-1)?.dts}`);
    }
  },
  { serial: true },
);
