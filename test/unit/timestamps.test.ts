import test, { type ExecutionContext } from 'ava';
import { ChunkDecoder } from '../../src/rtmp/chunk/decoder.js';
import { ChunkEncoder } from '../../src/rtmp/chunk/encoder.js';
import type { RtmpMessage } from '../../src/rtmp/message/types.js';

// Timestamps in chunk headers: past 0xFFFFFF (extended field), across the 32-bit wrap, the
// fmt-3 delta rules, and the extended field on fmt-3 chunks (repeated or omitted). Hand-written
// byte tables; each decoded whole, split at every offset, and one byte at a time.

const pattern = (n: number, seed: number): Buffer => Buffer.from(Array.from({ length: n }, (_, i) => (seed + i) & 0xff));
const bytesOf = (...parts: (readonly number[] | Buffer)[]): Buffer =>
  Buffer.concat(parts.map((p) => (Buffer.isBuffer(p) ? p : Buffer.from(p))));

function splits(bytes: Buffer): Buffer[][] {
  const variants: Buffer[][] = [[bytes]];
  for (let at = 1; at < bytes.length; at++) variants.push([bytes.subarray(0, at), bytes.subarray(at)]);
  variants.push(Array.from(bytes, (_, i) => bytes.subarray(i, i + 1)));
  return variants;
}

/** Decodes every split of `bytes`; checks timestamps and payloads (hex) of the messages. */
function timestampsOf(t: ExecutionContext, bytes: Buffer, expected: [number, Buffer | number[]][]) {
  for (const pieces of splits(bytes)) {
    const decoder = new ChunkDecoder();
    const out: RtmpMessage[] = [];
    for (const piece of pieces) t.is(decoder.push(piece, out), undefined);
    t.deepEqual(
      out.map((m) => [m.timestamp, m.payload.toString('hex')]),
      expected.map(([ts, payload]) => [ts, Buffer.from(payload).toString('hex')]),
      `pieces ${pieces.map((p) => p.length).join('+')}`,
    );
  }
}

const audioHeader = [0x00, 0x00, 0x01, 0x08, 0x01, 0x00, 0x00, 0x00]; // length 1, audio, stream 1

test('decoder: a timestamp crossing 0xFFFFFF by fmt 1, fmt 2 and fmt 3 deltas', (t) => {
  const bytes = bytesOf(
    [0x04, 0xff, 0xff, 0xf0], audioHeader, [0xaa], // fmt 0, csid 4, ts 0xFFFFF0 (fits 24 bits)
    [0x44, 0x00, 0x00, 0x20, 0x00, 0x00, 0x01, 0x08], [0xbb], // fmt 1, delta 0x20 → 0x1000010
    [0x84, 0x00, 0x00, 0x20], [0xcc], //             fmt 2, delta 0x20 → 0x1000030
    [0xc4], [0xdd], //                               fmt 3, delta 0x20 again → 0x1000050
  );
  timestampsOf(t, bytes, [[0xfffff0, [0xaa]], [0x1000010, [0xbb]], [0x1000030, [0xcc]], [0x1000050, [0xdd]]]);
});

test('decoder: 0xFFFFFF itself is carried in the extended field', (t) => {
  const bytes = bytesOf(
    [0x04, 0xff, 0xff, 0xff], audioHeader, //       fmt 0, ts field = marker
    [0x00, 0xff, 0xff, 0xff], [0xaa], //            extended timestamp 0x00FFFFFF
    [0x04, 0xff, 0xff, 0xfe], audioHeader, [0xbb], // 0xFFFFFE fits: no extended field
  );
  timestampsOf(t, bytes, [[0xffffff, [0xaa]], [0xfffffe, [0xbb]]]);
});

test('decoder: a fmt-3 new message after an extended fmt 0 carries the field and adds it as delta', (t) => {
  const bytes = bytesOf(
    [0x04, 0xff, 0xff, 0xff], audioHeader, [0x12, 0x34, 0x56, 0x78], [0xaa], // fmt 0, ext 0x12345678
    [0xc4, 0x12, 0x34, 0x56, 0x78], [0xbb], //      fmt 3 new message: its extended field, then payload
  );
  timestampsOf(t, bytes, [[0x12345678, [0xaa]], [0x2468acf0, [0xbb]]]); // 0x12345678 * 2
});

test('decoder: fmt 0 at 40 then fmt 3 gives 80 (the fmt 0 value is the delta, as ffmpeg, librtmp, SRS)', (t) => {
  const bytes = bytesOf([0x04, 0x00, 0x00, 0x28], audioHeader, [0xaa], [0xc4], [0xbb], [0xc4], [0xcc]);
  timestampsOf(t, bytes, [[40, [0xaa]], [80, [0xbb]], [120, [0xcc]]]);
});

test('decoder: the 32-bit wrap, 0xFFFFFFF0 + 0x20 = 0x10', (t) => {
  const bytes = bytesOf(
    [0x04, 0xff, 0xff, 0xff], audioHeader, [0xff, 0xff, 0xff, 0xf0], [0xaa], // fmt 0, ext 0xFFFFFFF0
    [0x84, 0x00, 0x00, 0x20], [0xbb], //            fmt 2, delta 0x20 → 0x10 (mod 2^32)
    [0xc4], [0xcc], //                              fmt 3, delta 0x20 → 0x30, no extended field now
  );
  timestampsOf(t, bytes, [[0xfffffff0, [0xaa]], [0x10, [0xbb]], [0x30, [0xcc]]]);
});

test('decoder: an extended delta of 0xFFFFFFFF steps back by one', (t) => {
  const bytes = bytesOf(
    [0x04, 0x00, 0x03, 0xe8], audioHeader, [0xaa], // fmt 0, ts 1000
    [0x84, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff], [0xbb], // fmt 2, ext delta 0xFFFFFFFF → 999
  );
  timestampsOf(t, bytes, [[1000, [0xaa]], [999, [0xbb]]]);
});

const video = pattern(200, 0x40); // 200 bytes: two chunks at 128; video[128..131] = c0 c1 c2 c3
const extendedVideo = [0x06, 0xff, 0xff, 0xff, 0x00, 0x00, 0xc8, 0x09, 0x01, 0x00, 0x00, 0x00]; // fmt 0, marker, 200, video

test('decoder: extended fmt 0 over two chunks, the fmt-3 chunk repeating the field', (t) => {
  const bytes = bytesOf(
    extendedVideo, [0x01, 0x00, 0x00, 0x00], video.subarray(0, 128), // ext 0x01000000, 128 bytes
    [0xc6, 0x01, 0x00, 0x00, 0x00], video.subarray(128), //             fmt 3 + repeated ext, 72 bytes
  );
  timestampsOf(t, bytes, [[0x01000000, video]]);
});

test('decoder: extended fmt 0 over two chunks, the fmt-3 chunk omitting the field (librtmp 2.3)', (t) => {
  const bytes = bytesOf(
    extendedVideo, [0x01, 0x00, 0x00, 0x00], video.subarray(0, 128),
    [0xc6], video.subarray(128), //                 fmt 3 without the field: c0 c1 c2 c3 ≠ 01 00 00 00 → payload
  );
  timestampsOf(t, bytes, [[0x01000000, video]]);
});

test('decoder: omitted field on a last chunk shorter than 4 bytes, then the next message', (t) => {
  const short = pattern(130, 0x40); // 128 + 2
  const bytes = bytesOf(
    [0x06, 0xff, 0xff, 0xff, 0x00, 0x00, 0x82, 0x09, 0x01, 0x00, 0x00, 0x00], // fmt 0, marker, length 130
    [0x01, 0x00, 0x00, 0x00], short.subarray(0, 128),
    [0xc6], short.subarray(128), //                 2 bytes; the peek reads into the next header
    [0x04, 0x00, 0x00, 0x05], audioHeader, [0xaa], // fmt 0 on csid 4, ts 5
  );
  timestampsOf(t, bytes, [[0x01000000, short], [5, [0xaa]]]);
});

test('decoder: an extended fmt 1 delta repeated on fmt 3 as the field value or as the absolute time', (t) => {
  const start = bytesOf([0x06, 0x00, 0x03, 0xe8, 0x00, 0x00, 0x01, 0x09, 0x01, 0x00, 0x00, 0x00], [0x99]); // ts 1000
  const fmt1 = [0x46, 0xff, 0xff, 0xff, 0x00, 0x00, 0xc8, 0x09, 0x01, 0x00, 0x00, 0x00]; // fmt 1, marker, 200, video, ext delta
  for (const repeated of [
    [0x01, 0x00, 0x00, 0x00], // the field value (spec, ffmpeg, librtmp)
    [0x01, 0x00, 0x03, 0xe8], // the absolute timestamp (what SRS and nginx compare with)
    [], //                       omitted
  ]) {
    const bytes = bytesOf(start, fmt1, video.subarray(0, 128), [0xc6], repeated, video.subarray(128));
    timestampsOf(t, bytes, [[1000, [0x99]], [0x010003e8, video]]);
  }
});

function encoded(encoder: ChunkEncoder, timestamp: number, payload: Buffer, csid = 4): Buffer {
  return Buffer.concat(encoder.encode({ typeId: 8, timestamp, streamId: 1, payload }, csid));
}

test('encoder: crossing 0xFFFFFF by deltas needs no extended field', (t) => {
  const encoder = new ChunkEncoder();
  const one = Buffer.from([0xaa]);
  t.deepEqual([...encoded(encoder, 0xfffff0, one)], [0x04, 0xff, 0xff, 0xf0, ...audioHeader, 0xaa]); // fmt 0
  t.deepEqual([...encoded(encoder, 0x1000010, one)], [0x84, 0x00, 0x00, 0x20, 0xaa]); // fmt 2 (never fmt 3 after fmt 0)
  t.deepEqual([...encoded(encoder, 0x1000030, one)], [0xc4, 0xaa]); // fmt 3: same delta
});

test('encoder: an extended fmt 0 repeats the field on every continuation chunk', (t) => {
  const encoder = new ChunkEncoder(); // chunk size 128
  const payload = pattern(300, 0);
  const out = encoder.encode({ typeId: 9, timestamp: 0x01000000, streamId: 1, payload }, 6);
  t.deepEqual(
    [...Buffer.concat(out)],
    [
      ...[0x06, 0xff, 0xff, 0xff, 0x00, 0x01, 0x2c, 0x09, 0x01, 0x00, 0x00, 0x00], // fmt 0, marker, 300, video, stream 1
      ...[0x01, 0x00, 0x00, 0x00], // extended timestamp
      ...payload.subarray(0, 128),
      ...[0xc6, 0x01, 0x00, 0x00, 0x00], // fmt 3 + the same extended timestamp
      ...payload.subarray(128, 256),
      ...[0xc6, 0x01, 0x00, 0x00, 0x00],
      ...payload.subarray(256),
    ],
  );
});

test('encoder: the 32-bit wrap goes back to a fmt 0 absolute header', (t) => {
  const encoder = new ChunkEncoder();
  const one = Buffer.from([0xaa]);
  t.deepEqual([...encoded(encoder, 0xfffffff0, one)], [0x04, 0xff, 0xff, 0xff, ...audioHeader, 0xff, 0xff, 0xff, 0xf0, 0xaa]);
  t.deepEqual([...encoded(encoder, 0x10, one)], [0x04, 0x00, 0x00, 0x10, ...audioHeader, 0xaa]); // backwards: fmt 0
});

test('encoder: a delta of 0xFFFFFF or more is sent as fmt 0, never as an extended delta', (t) => {
  const encoder = new ChunkEncoder();
  const one = Buffer.from([0xaa]);
  encoded(encoder, 1, one);
  t.deepEqual([...encoded(encoder, 0x1000000, one)], [0x04, 0xff, 0xff, 0xff, ...audioHeader, 0x01, 0x00, 0x00, 0x00, 0xaa]);
  t.deepEqual([...encoded(encoder, 0x1000000 + 0xfffffe, one)], [0x84, 0xff, 0xff, 0xfe, 0xaa]); // largest plain delta
});
