import test from 'ava';
import { DestinationQueue } from '../../src/relay/destination-queue.js';
import { LiveStream, type StreamMessage, type StreamSubscriber } from '../../src/relay/live-stream.js';
import type { RtmpMessage } from '../../src/rtmp/message/types.js';
import { aacSequenceHeader, audioFrame, avcSequenceHeader, interFrame, keyframe } from '../helpers/media-fixtures.js';

/** Turns fixture messages into what a live stream hands its subscribers. */
function items(messages: RtmpMessage[]): StreamMessage[] {
  const out: StreamMessage[] = [];
  const stream = new LiveStream({ gopCacheBytes: 0 });
  const recorder: StreamSubscriber = { deliver: (item) => out.push(item), end: () => undefined };
  stream.subscribe(recorder);
  for (const message of messages) stream.publish(message, 0);
  return out;
}

test('under the bound everything is queued in order', (t) => {
  const queue = new DestinationQueue({ maxMediaMs: 2000, maxBytes: 1 << 20 });
  const all = items([avcSequenceHeader(), keyframe(0), audioFrame(10), interFrame(33)]);
  for (const item of all) t.true(queue.push(item, item.message.timestamp, 0));
  t.is(queue.length, 4);
  const order: number[] = [];
  while (queue.length > 0) {
    order.push(queue.peekTimestamp());
    queue.shift();
  }
  t.deepEqual(order, [0, 0, 10, 33]);
  t.is(queue.queuedBytes, 0);
});

test('over the media-time bound: inter frames dropped up to the next keyframe, audio and headers kept', (t) => {
  const queue = new DestinationQueue({ maxMediaMs: 100, maxBytes: 1 << 20 });
  const all = items([keyframe(0), interFrame(50), interFrame(100), interFrame(150), audioFrame(160), avcSequenceHeader(170), aacSequenceHeader(170), interFrame(180), keyframe(200)]);
  const kept = all.filter((item) => queue.push(item, item.message.timestamp, 0)).map((item) => `${item.media.kind}@${item.message.timestamp}`);
  // The queue spans exactly 100 ms when the frame at 150 is offered (kept: at the bound); from then
  // on it is over: the inter frame at 180 is dropped, audio and headers are kept, and the keyframe
  // at 200 is dropped too because the queue is still over the bound.
  t.deepEqual(kept, ['video@0', 'video@50', 'video@100', 'video@150', 'audio@160', 'video@170', 'audio@170']);
  t.is(queue.droppedFrames, 2);
  // The destination catches up: the next keyframe that finds room ends the dropping.
  while (queue.length > 0) queue.shift();
  const [resume, after] = items([keyframe(400), interFrame(433)]);
  t.true(queue.push(resume!, 400, 0));
  t.true(queue.push(after!, 433, 0));
});

test('bytes sent but not acknowledged count toward the byte bound, exactly at the edge', (t) => {
  const queue = new DestinationQueue({ maxMediaMs: 10_000, maxBytes: 1000 });
  const [first, second] = items([keyframe(0, 95), interFrame(33, 95)]); // 100 bytes each
  t.true(queue.push(first!, 0, 800)); // 0 queued + 800 unacked: not over
  t.true(queue.push(second!, 33, 900), '100 queued + 900 unacked = 1000: at the bound, kept');
  const [third] = items([interFrame(66, 95)]);
  t.false(queue.push(third!, 66, 901), '200 + 901 > 1000: dropped');
  t.is(queue.droppedFrames, 1);
});

test('the ring grows past its initial capacity without reordering', (t) => {
  const queue = new DestinationQueue({ maxMediaMs: 1e9, maxBytes: 1e9 }, 2);
  const all = items(Array.from({ length: 50 }, (_, i) => audioFrame(i)));
  for (const item of all) queue.push(item, item.message.timestamp, 0);
  queue.shift();
  const rest: number[] = [];
  while (queue.length > 0) {
    rest.push(queue.peekTimestamp());
    queue.shift();
  }
  t.deepEqual(rest, Array.from({ length: 49 }, (_, i) => i + 1));
});
