import test from 'ava';
import { GopCache } from '../../src/relay/gop-cache.js';
import { SHARED_HEADER_ROOM } from '../../src/rtmp/chunk/header.js';
import type { RtmpMessage } from '../../src/rtmp/message/types.js';

/** Whether two views overlap in memory (small Buffers share Node's pool, so comparing `.buffer` is not enough). */
function sharesMemory(a: Buffer, b: Buffer): boolean {
  return a.buffer === b.buffer && a.byteOffset < b.byteOffset + b.length && b.byteOffset < a.byteOffset + a.length;
}

/** A message whose payload is `length` bytes of `fill` (the cache does not look inside payloads). */
function message(typeId: number, timestamp: number, length: number, fill: number, streamId = 1): RtmpMessage {
  return { typeId, timestamp, streamId, payload: Buffer.alloc(length, fill) };
}

/** A cache whose items are the copied messages themselves, counting how many copies it made. */
function cacheOf(limitBytes: number): { cache: GopCache<RtmpMessage>; copies: () => number } {
  let copies = 0;
  const cache = new GopCache<RtmpMessage>(limitBytes, (copy) => {
    copies++;
    return copy;
  });
  return { cache, copies: () => copies };
}

const summary = (items: readonly RtmpMessage[]): string[] =>
  items.map((item) => `${item.typeId}@${item.timestamp}/${item.streamId}:${item.payload.length}x${item.payload[0] ?? '-'}`);

test('a joiner gets copies of the GOP: same fields and bytes, not the published buffers', (t) => {
  const { cache } = cacheOf(1 << 20);
  const published = [message(9, 1000, 5000, 0x11), message(8, 1010, 300, 0x22, 3), message(9, 1033, 0, 0)];
  cache.startGop();
  for (const item of published) cache.add(item);
  const replay = cache.replay();
  t.deepEqual(summary(replay), ['9@1000/1:5000x17', '8@1010/3:300x34', '9@1033/1:0x-']);
  replay.forEach((copy, i) => {
    t.true(copy.payload.equals(published[i]!.payload));
    t.false(sharesMemory(copy.payload, published[i]!.payload), 'the cache holds no published memory');
    t.is(copy.headroom, SHARED_HEADER_ROOM);
    t.true(copy.payload.byteOffset >= SHARED_HEADER_ROOM, 'the room is in front of the payload, in its buffer');
  });
  t.is(cache.bytes, 5300);
  t.is(cache.length, 3);
});

test('what a joiner holds stays intact when the next GOP reuses the cache', (t) => {
  const { cache } = cacheOf(1 << 20);
  cache.startGop();
  cache.add(message(9, 0, 4000, 0xaa));
  cache.add(message(9, 33, 4000, 0xbb));
  const early = cache.replay();
  cache.startGop();
  cache.add(message(9, 2000, 8000, 0xcc));
  t.true(early[0]!.payload.equals(Buffer.alloc(4000, 0xaa)));
  t.true(early[1]!.payload.equals(Buffer.alloc(4000, 0xbb)));
  t.deepEqual(summary(cache.replay()), ['9@2000/1:8000x204']);
});

test('joiners of one GOP share the copies; only messages added since are copied again', (t) => {
  const { cache, copies } = cacheOf(1 << 20);
  cache.startGop();
  cache.add(message(9, 0, 100, 1));
  cache.add(message(8, 10, 100, 2));
  const first = cache.replay();
  cache.add(message(9, 33, 100, 3));
  const second = cache.replay();
  t.is(copies(), 3);
  t.is(second[0], first[0]);
  t.is(second[1], first[1]);
  t.deepEqual(summary(second), ['9@0/1:100x1', '8@10/1:100x2', '9@33/1:100x3']);
});

test('nothing is cached before the first keyframe, after invalidate(), or with a limit of 0', (t) => {
  const { cache } = cacheOf(1 << 20);
  cache.add(message(9, 0, 100, 1));
  t.deepEqual(cache.replay(), []);
  cache.startGop();
  cache.add(message(9, 33, 100, 1));
  cache.invalidate();
  cache.add(message(9, 66, 100, 1));
  t.deepEqual(cache.replay(), []);
  t.is(cache.length, 0);

  const off = cacheOf(0).cache;
  off.startGop();
  off.add(message(9, 0, 1, 1));
  t.deepEqual(off.replay(), []);
});

test('a GOP up to the limit is kept; one byte over drops the whole GOP until the next keyframe', (t) => {
  const { cache } = cacheOf(1000);
  cache.startGop();
  cache.add(message(9, 0, 600, 1));
  cache.add(message(9, 33, 400, 2)); // exactly 1000
  t.is(cache.replay().length, 2);
  cache.add(message(8, 40, 1, 3)); // 1001
  t.deepEqual(cache.replay(), [], 'never part of a GOP');
  cache.add(message(9, 66, 10, 4));
  t.deepEqual(cache.replay(), [], 'still waiting for a keyframe');
  cache.startGop();
  cache.add(message(9, 2000, 10, 5));
  t.deepEqual(summary(cache.replay()), ['9@2000/1:10x5']);
});

test('growing past the first entries and the first buffer keeps every byte in place', (t) => {
  const { cache } = cacheOf(16 << 20);
  cache.startGop();
  const published: RtmpMessage[] = [];
  for (let i = 0; i < 700; i++) {
    const item = message(i % 3 === 0 ? 8 : 9, i * 10, 1 + ((i * 7919) % 3000), i & 0xff);
    published.push(item);
    cache.add(item);
  }
  const replay = cache.replay();
  t.is(replay.length, 700);
  t.true(cache.bytes > 256 * 1024, 'the buffer grew');
  t.true(replay.every((copy, i) => copy.payload.equals(published[i]!.payload) && copy.timestamp === published[i]!.timestamp && copy.typeId === published[i]!.typeId));
});

test('the buffer grown for a big GOP is given back after a GOP that used less than a quarter of it', (t) => {
  const { cache } = cacheOf(16 << 20);
  cache.startGop();
  cache.add(message(9, 0, 3 << 20, 1));
  const grown = cache.capacityBytes;
  t.true(grown >= 3 << 20);
  cache.startGop();
  cache.add(message(9, 2000, 1 << 20, 2)); // a third of it
  cache.startGop();
  t.is(cache.capacityBytes, grown, 'kept while GOPs use a quarter or more');
  cache.add(message(9, 4000, 100_000, 3));
  cache.startGop();
  t.is(cache.capacityBytes, 0, 'given back');
  cache.add(message(9, 6000, 1000, 4));
  t.true(cache.capacityBytes > 0 && cache.capacityBytes < grown, 'grows again from small');
  t.deepEqual(summary(cache.replay()), ['9@6000/1:1000x4']);
});

test('release() forgets the GOP', (t) => {
  const { cache } = cacheOf(1 << 20);
  cache.startGop();
  cache.add(message(9, 0, 100, 1));
  cache.release();
  t.deepEqual(cache.replay(), []);
  t.is(cache.bytes, 0);
});
