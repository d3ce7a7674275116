// A destination that never sends an Acknowledgement (CONTRACT §4: judged by its socket's
// backpressure instead) must get the whole stream: before, every byte ever sent counted as
// unacknowledged, so once the byte cap was reached all its video was dropped for good.
import test from 'ava';
import { connectPublisher, orTimeout } from '../helpers/rtmp-publisher.js';
import { startRtmpSink } from '../helpers/rtmp-sink.js';
import { eventually, startInProcessRelay } from '../helpers/in-process-relay.js';

const INGEST_KEY = 'no-acks-test-ingest-key';
const EVENT = 'key_1';
const QUEUE_BYTES = 1024 * 1024;
const FRAME_BYTES = 16 * 1024;
const FRAMES = 240; // 3.75 MiB of video: well past the 1 MiB cap

/** An AVC frame of exactly FRAME_BYTES (FLV video tag body; the NAL bytes are filler). */
function frame(key: boolean): Buffer {
  const payload = Buffer.alloc(FRAME_BYTES, 0x41);
  payload.set([key ? 0x17 : 0x27, 0x01, 0x00, 0x00, 0x00], 0);
  return payload;
}

test('a destination that never acknowledges gets every frame, far past the byte cap', async (t) => {
  const sink = await startRtmpSink({ acknowledge: false });
  t.teardown(() => sink.stop());
  const relay = await startInProcessRelay(t, { ingestKeys: [INGEST_KEY], queueBytes: QUEUE_BYTES });
  relay.destinations.set(EVENT, [
    { id: 'dst_noack', systemName: 'no acks', primaryUrl: sink.url('live'), secondaryUrl: null, secondaryMode: 'redundant', streamKey: 'noack', enabled: true },
  ]);
  const publisher = connectPublisher({ url: `rtmp://127.0.0.1:${relay.rtmpPort}/live`, streamName: INGEST_KEY });
  t.teardown(() => publisher.destroy());
  t.like(await publisher.outcome, { kind: 'publishing' });
  publisher.send({ typeId: 9, timestamp: 0, payload: Buffer.from([0x17, 0x00, 0x00, 0x00, 0x00, 0x01, 0x64, 0x00, 0x1f, 0xff]) });
  const publish = await sink.waitForPublish(undefined, 10_000);
  for (let i = 0; i < FRAMES; i++) {
    publisher.send({ typeId: 9, timestamp: i * 33, payload: frame(i % 30 === 0) });
    if (i % 8 === 7) await publisher.drain();
  }
  await orTimeout(publish.waitForMessages(1 + FRAMES, 30_000), 31_000, 'every frame at the sink');
  const status = relay.relay.status(EVENT, relay.destinations.get(EVENT)!)[0]!;
  t.is(status.droppedFrames, 0);
  t.is(publish.connection.acknowledgementsSent(), 0, 'the sink really never acknowledged');
  const video = publish.messages.filter((m) => m.typeId === 9);
  t.is(video.length, 1 + FRAMES);
  t.true(video.slice(1).every((m) => m.payload.length === FRAME_BYTES));
  await eventually(() => status.state === 'live', 1000, 'still live');
});
