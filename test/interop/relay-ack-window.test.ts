// The relay asks each destination to acknowledge the first 256 KiB (so a destination that stops
// early is not taken for one that never acknowledges), then every eighth of its queue's byte bound
// (1 MiB by default, at least 256 KiB): fine enough to count unacknowledged bytes against the
// bound, and no more acknowledgements to wake up for than that. Proven by counting what a sink that
// acknowledges exactly as asked sends for the bytes it received.
import test from 'ava';
import { orTimeout } from '../helpers/rtmp-publisher.js';
import { startRtmpSink } from '../helpers/rtmp-sink.js';
import { interFrame, keyframe } from '../helpers/media-fixtures.js';
import { publishToOneDestination, startInProcessRelay } from '../helpers/in-process-relay.js';

const INGEST_KEY = 'ack-window-test-ingest-key';
const EVENT = 'key_1';
const FRAME_BYTES = 16 * 1024;
const FRAMES = 400; // 6.25 MiB of video
const FIRST_WINDOW = 256 * 1024;

for (const [queueBytes, window] of [
  [8 * 1024 * 1024, 1024 * 1024],
  [1024 * 1024, 256 * 1024],
] as const) {
  test(`a ${queueBytes / 1024} KiB queue bound: the destination acknowledges the first 256 KiB, then every ${window / 1024} KiB`, async (t) => {
    const sink = await startRtmpSink();
    t.teardown(() => sink.stop());
    const relay = await startInProcessRelay(t, { ingestKeys: [INGEST_KEY], queueBytes });
    const { publisher, publish } = await publishToOneDestination(t, relay, sink, { ingestKey: INGEST_KEY, eventId: EVENT, streamKey: 'acks' });
    for (let i = 0; i < FRAMES; i++) {
      publisher.send(i % 30 === 0 ? keyframe(i * 33, FRAME_BYTES - 5) : interFrame(i * 33, FRAME_BYTES - 5));
      // Paced, so the sink (in this process too) keeps up and nothing passes the small bound.
      if (i % 4 === 3) {
        await publisher.drain();
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
    }
    await orTimeout(publish.waitForMessages(1 + FRAMES, 30_000), 31_000, 'every frame at the sink');
    const received = publish.connection.bytesReceived();
    t.true(received > FRAMES * FRAME_BYTES, `${received} bytes received`);
    // The sink counts from the end of the handshake, and its last window may be incomplete.
    const expected = Math.floor(1 + (received - FIRST_WINDOW) / window);
    const acks = publish.connection.acknowledgementsSent();
    t.true(acks === expected || acks === expected - 1, `${acks} acknowledgements for ${received} bytes, ${expected} expected`);
  });
}
