import test from 'ava';
import fc from 'fast-check';
import { ByteQueue } from '../../src/rtmp/bytes/queue.js';
import { ByteReader } from '../../src/rtmp/bytes/reader.js';
import { ByteWriter } from '../../src/rtmp/bytes/writer.js';
import { RtmpError } from '../../src/rtmp/errors.js';

test('reader decodes big-endian fields and the little-endian stream id from a byte table', (t) => {
  const bytes = Buffer.from([
    0x07, //                         u8 7
    0x01, 0x02, //                   u16 0x0102
    0x01, 0x02, 0x03, //             u24 0x010203
    0xff, 0xff, 0xfe, //             s24 -2
    0xde, 0xad, 0xbe, 0xef, //       u32 0xdeadbeef
    0x01, 0x00, 0x00, 0x00, //       u32le 1 (message stream id)
    0x3f, 0xf0, 0, 0, 0, 0, 0, 0, // f64 1.0
  ]);
  const r = new ByteReader(bytes);
  t.is(r.u8(), 7);
  t.is(r.u16(), 0x0102);
  t.is(r.u24(), 0x010203);
  t.is(r.s24(), -2);
  t.is(r.u32(), 0xdeadbeef);
  t.is(r.u32le(), 1);
  t.is(r.f64(), 1.0);
  t.is(r.remaining, 0);
  const error = t.throws(() => r.u8(), { instanceOf: RtmpError });
  t.is(error?.code, 'ERR_RTMP_TRUNCATED');
});

test('reader bytes() is a view, not a copy', (t) => {
  const bytes = Buffer.from([1, 2, 3, 4]);
  const view = new ByteReader(bytes, 1).bytes(2);
  bytes[1] = 9;
  t.deepEqual([...view], [9, 3]);
});

test('writer produces the same table the reader reads', (t) => {
  const out = new ByteWriter(1)
    .u8(7)
    .u16(0x0102)
    .u24(0x010203)
    .s24(-2)
    .u32(0xdeadbeef)
    .u32le(1)
    .f64(1.0)
    .toBuffer();
  t.deepEqual(
    [...out],
    [7, 1, 2, 1, 2, 3, 0xff, 0xff, 0xfe, 0xde, 0xad, 0xbe, 0xef, 1, 0, 0, 0, 0x3f, 0xf0, 0, 0, 0, 0, 0, 0],
  );
});

test('queue consume is zero-copy inside one buffer and exact across buffers', (t) => {
  const q = new ByteQueue();
  const a = Buffer.from([1, 2, 3]);
  q.push(a);
  q.push(Buffer.from([4, 5]));
  q.push(Buffer.alloc(0));
  t.is(q.length, 5);
  t.is(q.peekU8(3), 4);
  t.is(q.peekU8(5), -1);
  const first = q.consume(2);
  t.is(first.buffer, a.buffer, 'a view of the first buffer');
  t.deepEqual([...q.consume(2)], [3, 4]);
  t.deepEqual([...q.drain()], [5]);
  t.is(q.length, 0);
  t.throws(() => q.consume(1), { instanceOf: RangeError });
});

test('queue returns the same bytes whatever the split', (t) => {
  fc.assert(
    fc.property(
      fc.uint8Array({ minLength: 1, maxLength: 200 }),
      fc.array(fc.nat(200), { maxLength: 10 }),
      fc.array(fc.integer({ min: 1, max: 50 }), { minLength: 1, maxLength: 20 }),
      (data, cuts, takes) => {
        const q = new ByteQueue();
        const points = [...new Set(cuts.map((c) => c % data.length))].sort((x, y) => x - y);
        let start = 0;
        for (const p of [...points, data.length]) {
          q.push(Buffer.from(data.subarray(start, p)));
          start = p;
        }
        const got: number[] = [];
        let i = 0;
        while (q.length > 0) {
          const n = Math.min(q.length, takes[i++ % takes.length]!);
          if (i % 2 === 0) {
            const target = Buffer.alloc(n + 2);
            q.consumeInto(target, 1, n);
            got.push(...target.subarray(1, 1 + n));
          } else {
            got.push(...q.consume(n));
          }
        }
        return Buffer.from(got).equals(Buffer.from(data));
      },
    ),
  );
  t.pass();
});
