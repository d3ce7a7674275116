// A destination that never sends an Acknowledgement (CONTRACT §4: judged by its socket's
// backpressure instead) must get the whole stream: before, every byte ever sent counted as
// unacknowledged, so once the byte cap was reached all its video was dropped for good.
import test from 'ava';
import { orTimeout } from '../helpers/rtmp-publisher.js';
import { startRtmpSink } from '../helpers/rtmp-sink.js';
import { interFrame, keyframe } from '../helpers/media-fixtures.js';
import { eventually, publishToOneDestination, startInProcessRelay } from '../helpers/in-process-relay.js';

const INGEST_KEY = 'no-acks-test-ingest-key';
const EVENT = 'key_1';
const QUEUE_BYTES = 1024 * 1024;
const FRAME_BYTES = 16 * 1024;
const FRAMES = 240; // 3.75 MiB of video: well past the 1 MiB cap

test('a destination that never acknowledges gets every frame, far past the byte cap', async (t) => {
  const sink = await startRtmpSink({ acknowledge: false });
  t.teardown(() => sink.stop());
  const relay = await startInProcessRelay(t, { ingestKeys: [INGEST_KEY], queueBytes: QUEUE_BYTES });
  const { publisher, publish } = await publishToOneDestination(t, relay, sink, { ingestKey: INGEST_KEY, eventId: EVENT, streamKey: 'noack' });
  for (let i = 0; i < FRAMES; i++) {
    publisher.send(i % 30 === 0 ? keyframe(i * 33, FRAME_BYTES - 5) : interFrame(i * 33, FRAME_BYTES - 5));
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
