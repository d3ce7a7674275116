import { join } from 'node:path';
import { peerTest } from '../helpers/require-binary.js';
import { startNginxSink } from '../helpers/nginx.js';
import { startFfmpegPublisher } from '../helpers/ffmpeg.js';
import { checkRecording, probeFile } from '../helpers/ffprobe.js';
import { FLV_TAG_VIDEO, isAvcSequenceHeader, type FlvTag } from '../helpers/flv-tags.js';
import { eventually, startInProcessRelay } from '../helpers/in-process-relay.js';
import { connectPublisher, makeSampleFlv, orTimeout } from '../helpers/rtmp-publisher.js';
import { tmpDirFor } from '../helpers/tmp.js';
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

/** pts − dts of an AVC video tag (SI24 at bytes 2-4), read here without the relay's code. */
const compositionTime = (tag: FlvTag): number => tag.data.readIntBE(2, 3);
const isCodedVideo = (tag: FlvTag): boolean => tag.type === FLV_TAG_VIDEO && !isAvcSequenceHeader(tag);

peerTest(
  ['ffmpeg', 'ffprobe', 'nginx-rtmp'],
  'encoder grace with B-frames: the returning encoder is shown after every frame already shown (the recording decodes clean)',
  async (t) => {
    // ffmpeg's H.264 has B-frames: a frame decoded before the drop can be shown after the last
    // message sent. Cut where continuing 33 ms after the last message would show the returning
    // encoder's first keyframe before such a frame.
    const tags = await makeSampleFlv(join(await tmpDirFor(t), 'sample.flv'), { seconds: 3 });
    const firstFrame = tags.findIndex(isCodedVideo);
    const headers = tags.slice(0, firstFrame);
    const media = tags.slice(firstFrame);
    const restartShownAt = compositionTime(media.find(isCodedVideo)!);
    let cut = -1;
    let shownUntil = 0;
    for (let i = 0; i < media.length && cut < 0; i++) {
      if (isCodedVideo(media[i]!)) shownUntil = Math.max(shownUntil, media[i]!.timestamp + compositionTime(media[i]!));
      if (media[i]!.timestamp > 1000 && shownUntil > media[i]!.timestamp + 33 + restartShownAt) cut = i + 1;
    }
    t.true(cut > 0, 'the sample has such a cut (B-frames)');

    const nginx = await startNginxSink({ apps: ['live'] });
    t.teardown(() => nginx.stop());
    const relay = await startInProcessRelay(t, { ingestKeys: [INGEST_KEY], publishGraceMs: 4000 });
    relay.destinations.set(EVENT, [destination('dst_b', nginx.rtmpUrl('live'), 'grace-bframes')]);
    const url = `rtmp://127.0.0.1:${relay.rtmpPort}/live`;

    const first = connectPublisher({ url, streamName: INGEST_KEY });
    t.teardown(first.destroy);
    t.like(await first.outcome, { kind: 'publishing' });
    await first.sendFlvTags(headers, { setDataFrame: true });
    await nginx.waitForPublish('grace-bframes', 20_000);
    await first.sendFlvTags(media.slice(0, cut));
    await first.drain();
    first.destroy(); // the encoder's network goes (what it sent still arrives before the close)
    await eventually(() => relay.ingest.inGrace(EVENT), 5000, 'the grace to start');

    const second = connectPublisher({ url, streamName: INGEST_KEY });
    t.teardown(second.destroy);
    t.like(await second.outcome, { kind: 'publishing' });
    await second.sendFlvTags(tags, { setDataFrame: true }); // its clock starts at 0 again
    second.finish();
    await orTimeout(second.closed, 15_000, 'the second publisher closed');
    await nginx.waitForPublishDone('grace-bframes', 15_000);
    t.is(nginx.notifications.filter((n) => n.call === 'publish' && n.name === 'grace-bframes').length, 1, 'one publish across the return');
    t.deepEqual(await checkRecording(nginx.recordingPath('live', 'grace-bframes'), { videoCodec: 'h264', audioCodec: 'aac' }), []);
  },
  { serial: true },
);
