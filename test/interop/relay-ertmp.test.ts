import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { peerTest } from '../helpers/require-binary.js';
import { tmpDirFor } from '../helpers/tmp.js';
import { encodeHevc, hevcTagsFromAnnexB, type VideoTag } from '../helpers/hevc-tags.js';
import { av1TagsFromObus, encodeAv1 } from '../helpers/av1-tags.js';
import { connectPublisher } from '../helpers/rtmp-publisher.js';
import { startRtmpSink } from '../helpers/rtmp-sink.js';
import { eventually, startInProcessRelay } from '../helpers/in-process-relay.js';
import type { DestinationConfig } from '../../src/relay/destination.js';

const INGEST_KEY = 'ertmp-test-ingest-key';
const EVENT = 'key_1';

const CODECS: Array<{ name: string; fourCc: string; codec: string; make(dir: string): Promise<VideoTag[]> }> = [
  {
    name: 'HEVC',
    fourCc: 'hvc1',
    codec: 'hevc',
    make: async (dir) => {
      const file = join(dir, 'test.hevc');
      await encodeHevc(file, 4);
      return hevcTagsFromAnnexB(await readFile(file), 30);
    },
  },
  {
    name: 'AV1',
    fourCc: 'av01',
    codec: 'av1',
    make: async (dir) => {
      const file = join(dir, 'test.obu');
      await encodeAv1(file, 4);
      return av1TagsFromObus(await readFile(file), 30);
    },
  },
];

for (const codec of CODECS) peerTest(
  ['ffmpeg'],
  `Enhanced RTMP ${codec.name} passes through byte for byte, starting at the SequenceStart and a keyframe`,
  async (t) => {
    const dir = await tmpDirFor(t);
    const tags = await codec.make(dir);
    t.true(tags.length > 100);

    const sink = await startRtmpSink();
    t.teardown(() => sink.stop());
    const relay = await startInProcessRelay(t, { ingestKeys: [INGEST_KEY] });
    const config: DestinationConfig = {
      id: 'dst_ertmp',
      systemName: 'ertmp',
      primaryUrl: sink.url('live'),
      secondaryUrl: null,
      secondaryMode: 'redundant',
      streamKey: 'ertmp-out',
      enabled: true,
    };
    relay.destinations.set(EVENT, [config]);
    const publisher = connectPublisher({ url: `rtmp://127.0.0.1:${relay.rtmpPort}/live`, streamName: INGEST_KEY });
    t.teardown(() => publisher.destroy());
    t.like(await publisher.outcome, { kind: 'publishing' });

    // The sequence start and the first GOP and a half, then wait until the push is live, then the rest.
    const head = tags.slice(0, 46);
    for (const tag of head) publisher.send({ typeId: 9, timestamp: tag.timestamp, payload: tag.payload });
    await eventually(() => relay.relay.status(EVENT, [config])[0]!.state === 'live', 10_000, 'the push to go live');
    const stream = relay.ingest.liveIngest(EVENT)!.stream;
    t.like(stream.facts.video, { codec: codec.codec, width: 320, height: 240 }, 'facts read from our configuration record');
    t.deepEqual(stream.enhancedFourCcs(), [codec.fourCc], 'what the push advertised in its connect');
    for (const tag of tags.slice(46)) {
      publisher.send({ typeId: 9, timestamp: tag.timestamp, payload: tag.payload });
      await publisher.drain();
    }
    const publish = await sink.waitForPublish((p) => p.streamName === 'ertmp-out');
    const lastPayload = tags.at(-1)!.payload;
    await publish.waitForMessage((m) => m.typeId === 9 && m.payload.equals(lastPayload), 15_000);

    const video = publish.messages.filter((m) => m.typeId === 9);
    t.true(video[0]!.payload.equals(tags[0]!.payload), 'the SequenceStart arrives first, unaltered');
    const firstFrame = tags.findIndex((tag) => tag.payload.equals(video[1]!.payload));
    t.true(firstFrame > 0, 'the second message is one of the published frames');
    t.true(tags[firstFrame]!.keyframe, `it is a keyframe (published index ${firstFrame})`);
    const run = video.slice(1);
    const expected = tags.slice(firstFrame, firstFrame + run.length);
    t.is(run.length, tags.length - firstFrame, 'every frame from that keyframe on arrived');
    t.true(run.every((m, i) => m.payload.equals(expected[i]!.payload)), 'a contiguous, byte-identical run');
    let previous = -1;
    for (const m of video) {
      t.true(m.timestamp >= previous, 'timestamps never go back');
      previous = m.timestamp;
    }
    t.true(video[1]!.timestamp < 100, `rebased to start near 0 (${video[1]!.timestamp})`);
  },
  { serial: true },
);
