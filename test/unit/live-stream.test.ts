import test from 'ava';
import { LiveStream, type StreamMessage, type StreamSubscriber } from '../../src/relay/live-stream.js';
import { aacSequenceHeader, audioFrame, avcSequenceHeader, interFrame, keyframe, setDataFrameMetadata } from '../helpers/media-fixtures.js';

/** Whether two views overlap in memory (small Buffers share Node's pool, so comparing `.buffer` is not enough). */
function sharesMemory(a: Buffer, b: Buffer): boolean {
  return a.buffer === b.buffer && a.byteOffset < b.byteOffset + b.length && b.byteOffset < a.byteOffset + a.length;
}

class Recorder implements StreamSubscriber {
  readonly items: StreamMessage[] = [];
  ended = false;
  deliver(item: StreamMessage): void {
    this.items.push(item);
  }
  end(): void {
    this.ended = true;
  }
}

const describe = (items: StreamMessage[]): string[] =>
  items.map((item) => `${item.media.kind}${'isKeyframe' in item.media && item.media.isKeyframe ? ':key' : ''}${'isSequenceHeader' in item.media && item.media.isSequenceHeader ? ':header' : ''}@${item.message.timestamp}`);

test('a late joiner gets metadata, every sequence header, then the GOP from its keyframe', (t) => {
  const stream = new LiveStream({ gopCacheBytes: 1 << 20 });
  for (const message of [setDataFrameMetadata(), avcSequenceHeader(), aacSequenceHeader(), keyframe(0), audioFrame(10), interFrame(33), keyframe(1000), audioFrame(1010), interFrame(1033)]) {
    stream.publish(message, 0);
  }
  const joiner = new Recorder();
  stream.subscribe(joiner);
  t.deepEqual(describe(joiner.items), ['metadata@0', 'video:header@0', 'audio:header@0', 'video:key@1000', 'audio@1010', 'video@1033']);
  stream.publish(interFrame(1066), 0);
  t.deepEqual(describe(joiner.items).at(-1), 'video@1066', 'then live');
  t.true(joiner.items.every((item) => item.prepared.body.length >= item.message.payload.length));
  stream.end();
  t.true(joiner.ended);
});

test('the GOP a joiner gets is a copy: the same bytes and serialization, none of the published buffers', (t) => {
  const stream = new LiveStream({ gopCacheBytes: 1 << 20 });
  const live = new Recorder();
  stream.subscribe(live);
  for (const message of [avcSequenceHeader(), keyframe(0, 70_000), audioFrame(10), interFrame(33)]) stream.publish(message, 0);
  const joiner = new Recorder();
  stream.subscribe(joiner);
  t.is(joiner.items[0], live.items[0], 'sequence headers are kept as published');
  const gop = joiner.items.slice(1);
  t.is(gop.length, 3);
  gop.forEach((item, i) => {
    const original = live.items[i + 1]!;
    t.false(sharesMemory(item.message.payload, original.message.payload));
    t.true(item.message.payload.equals(original.message.payload));
    t.true(item.prepared.body.equals(original.prepared.body), 'a 70,000-byte keyframe is cut into the same chunks');
    t.deepEqual(item.media, original.media);
    t.deepEqual([item.message.typeId, item.message.timestamp, item.message.streamId, item.csid], [original.message.typeId, original.message.timestamp, original.message.streamId, original.csid]);
  });
});

test('every subscriber gets the very same serialized buffers', (t) => {
  const stream = new LiveStream({ gopCacheBytes: 1 << 20 });
  const a = new Recorder();
  const b = new Recorder();
  stream.subscribe(a);
  stream.subscribe(b);
  stream.publish(keyframe(0, 10_000), 0);
  t.is(a.items[0]!.prepared, b.items[0]!.prepared);
  t.is(a.items[0]!.prepared.chunkSize, 60000); // SRS's and node-media-server's outbound chunk size
  t.is(a.items[0]!.message.payload, a.items[0]!.prepared.body, 'one chunk: the message keeps no second copy');
});

test('a GOP larger than the cache is not replayed; the next keyframe starts caching again', (t) => {
  const stream = new LiveStream({ gopCacheBytes: 300 });
  stream.publish(avcSequenceHeader(), 0);
  stream.publish(keyframe(0, 100), 0);
  stream.publish(interFrame(33, 100), 0);
  stream.publish(interFrame(66, 100), 0); // 3 × 105 bytes > 300: the cache gives up on this GOP
  const early = new Recorder();
  stream.subscribe(early);
  t.deepEqual(describe(early.items), ['video:header@0'], 'headers only: never mid-GOP');
  stream.publish(keyframe(1000, 100), 0);
  const late = new Recorder();
  stream.subscribe(late);
  t.deepEqual(describe(late.items), ['video:header@0', 'video:key@1000']);
});

test('gop cache 0 keeps headers and metadata only', (t) => {
  const stream = new LiveStream({ gopCacheBytes: 0 });
  for (const message of [setDataFrameMetadata(), avcSequenceHeader(), keyframe(0), interFrame(33)]) stream.publish(message, 0);
  const joiner = new Recorder();
  stream.subscribe(joiner);
  t.deepEqual(describe(joiner.items), ['metadata@0', 'video:header@0']);
});

test('codec facts from the sequence headers and metadata', (t) => {
  const stream = new LiveStream({ gopCacheBytes: 0 });
  stream.publish(setDataFrameMetadata(), 0);
  stream.publish(aacSequenceHeader(), 0);
  t.like(stream.facts.audio, { codec: 'aac', sampleRate: 44100, channels: 2 });
  t.like(stream.facts.video, { width: 640 });
});

// A publisher that comes back (within the grace, or taking over a silent one) starts its own clock.
const timestamps = (items: StreamMessage[]): string[] => items.map((item) => `${item.media.kind}@${item.message.timestamp}`);

test('a returning publisher continues one frame after the last message forwarded', (t) => {
  const stream = new LiveStream({ gopCacheBytes: 1 << 20 });
  const live = new Recorder();
  stream.subscribe(live);
  for (const message of [avcSequenceHeader(), aacSequenceHeader(), keyframe(5000), interFrame(5033), audioFrame(5040)]) stream.publish(message, 0);
  stream.continueWithNewPublisher();
  live.items.length = 0;
  for (const message of [keyframe(0), audioFrame(7), interFrame(33)]) stream.publish(message, 0);
  // 5040 (the last message) + 33, then the new clock's own steps.
  t.deepEqual(timestamps(live.items), ['video@5073', 'audio@5080', 'video@5106']);
});

test('a returning publisher continues after the last frame shown, when B-frames show frames after their timestamp', (t) => {
  const stream = new LiveStream({ gopCacheBytes: 1 << 20 });
  const live = new Recorder();
  stream.subscribe(live);
  // Decode order I P B B (two B-frames, as x264 makes them): the P frame decoded at 5033 is shown
  // at 5033 + 134 = 5167, after the B frames (5100, 5133) and after the last message (audio, 5105).
  for (const message of [
    avcSequenceHeader(),
    keyframe(5000, 100, 67),
    interFrame(5033, 50, 134),
    interFrame(5067, 50, 33),
    interFrame(5100, 50, 33),
    audioFrame(5105),
  ]) {
    stream.publish(message, 0);
  }
  stream.continueWithNewPublisher();
  live.items.length = 0;
  for (const message of [keyframe(0), interFrame(33)]) stream.publish(message, 0);
  // 5167 + 33: continuing from the last message (5105 + 33 = 5138) would show the new keyframe
  // before a frame already shown.
  t.deepEqual(timestamps(live.items), ['video@5200', 'video@5233']);
});
