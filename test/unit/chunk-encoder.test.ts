import test from 'ava';
import { ChunkEncoder, prepareMessage } from '../../src/rtmp/chunk/encoder.js';
import { SHARED_HEADER_ROOM } from '../../src/rtmp/chunk/header.js';
import type { RtmpMessage } from '../../src/rtmp/message/types.js';

// Expected bytes are written by hand from the spec (5.3.1), never produced by the decoder.

const pattern = (n: number, seed: number): Buffer => Buffer.from(Array.from({ length: n }, (_, i) => (seed + i) & 0xff));
const flat = (buffers: Buffer[]): number[] => [...Buffer.concat(buffers)];
const audio = (timestamp: number, payload: Buffer, streamId = 1, typeId = 8): RtmpMessage => ({ typeId, timestamp, streamId, payload });

test('the first message on a csid is fmt 0 with every field', (t) => {
  const encoder = new ChunkEncoder();
  const out = encoder.encode({ typeId: 20, timestamp: 0, streamId: 0, payload: Buffer.from([0x02, 0x00, 0x01, 0x61, 0x05]) }, 3);
  t.deepEqual(flat(out), [
    0x03, //                   fmt 0, csid 3
    0x00, 0x00, 0x00, //       timestamp 0
    0x00, 0x00, 0x05, //       length 5
    0x14, //                   type 20 (AMF0 command)
    0x00, 0x00, 0x00, 0x00, // stream 0
    0x02, 0x00, 0x01, 0x61, 0x05, // payload
  ]);
});

test('header compression: fmt 0, then 2 (never 3 right after 0), 3, 3, 2, 1, 1, and 0 on a new stream or going back', (t) => {
  const encoder = new ChunkEncoder();
  const two = Buffer.from([0xa1, 0xa2]);
  const three = Buffer.from([0xb1, 0xb2, 0xb3]);
  const steps: [RtmpMessage, number[]][] = [
    [audio(0, two), [0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x08, 0x01, 0x00, 0x00, 0x00]], // fmt 0: ts 0, len 2, audio, stream 1
    [audio(23, two), [0x84, 0x00, 0x00, 0x17]], //                fmt 2: delta 23
    [audio(46, two), [0xc4]], //                                  fmt 3: delta 23 again
    [audio(69, two), [0xc4]], //                                  fmt 3
    [audio(93, two), [0x84, 0x00, 0x00, 0x18]], //                fmt 2: delta 24
    [audio(93, three), [0x44, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0x08]], // fmt 1: length 3, delta 0
    [audio(93, three, 1, 9), [0x44, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0x09]], // fmt 1: type 9
    [audio(93, three, 2, 9), [0x04, 0x00, 0x00, 0x5d, 0x00, 0x00, 0x03, 0x09, 0x02, 0x00, 0x00, 0x00]], // fmt 0: stream 2
    [audio(50, three, 2, 9), [0x04, 0x00, 0x00, 0x32, 0x00, 0x00, 0x03, 0x09, 0x02, 0x00, 0x00, 0x00]], // fmt 0: backwards
  ];
  for (const [message, header] of steps) {
    t.deepEqual(flat(encoder.encode(message, 4)), [...header, ...message.payload], `timestamp ${message.timestamp}`);
  }
});

test('csids keep separate compression state', (t) => {
  const encoder = new ChunkEncoder();
  const one = Buffer.from([0x01]);
  encoder.encode(audio(10, one), 4);
  t.deepEqual(flat(encoder.encode(audio(10, one), 6)), [0x06, 0x00, 0x00, 0x0a, 0x00, 0x00, 0x01, 0x08, 0x01, 0x00, 0x00, 0x00, 0x01]);
  t.deepEqual(flat(encoder.encode(audio(20, one), 4)), [0x84, 0x00, 0x00, 0x0a, 0x01]);
});

test('a message over the chunk size: header, payload views, and one shared fmt-3 separator', (t) => {
  const encoder = new ChunkEncoder(); // 128 until told otherwise
  t.is(encoder.chunkSize, 128);
  const payload = pattern(300, 0);
  const out = encoder.encode({ typeId: 9, timestamp: 0, streamId: 1, payload }, 6);
  t.deepEqual(
    out.map((b) => b.length),
    [12, 128, 1, 128, 1, 44],
  );
  t.deepEqual(flat(out), [
    ...[0x06, 0x00, 0x00, 0x00, 0x00, 0x01, 0x2c, 0x09, 0x01, 0x00, 0x00, 0x00], // fmt 0, length 300, video
    ...payload.subarray(0, 128),
    0xc6, // fmt 3, csid 6
    ...payload.subarray(128, 256),
    0xc6,
    ...payload.subarray(256),
  ]);
  for (const piece of [out[1]!, out[3]!, out[5]!]) t.is(piece.buffer, payload.buffer); // views, not copies
  t.is(out[2], out[4]);
});

const csidForms = [
  { csid: 64, first: [0x00, 0x00], separator: [0xc0, 0x00] }, //             2-byte: csid - 64 = 0
  { csid: 319, first: [0x00, 0xff], separator: [0xc0, 0xff] }, //            2-byte: 255
  { csid: 320, first: [0x01, 0x00, 0x01], separator: [0xc1, 0x00, 0x01] }, // 3-byte: 256 little-endian
  { csid: 65599, first: [0x01, 0xff, 0xff], separator: [0xc1, 0xff, 0xff] }, // 3-byte: 65535
];

for (const { csid, first, separator } of csidForms) {
  test(`csid ${csid}: basic header of the first chunk and of continuation chunks`, (t) => {
    const encoder = new ChunkEncoder({ chunkSize: 100 });
    const payload = pattern(150, 7);
    t.deepEqual(flat(encoder.encode({ typeId: 8, timestamp: 5, streamId: 1, payload }, csid)), [
      ...first,
      ...[0x00, 0x00, 0x05, 0x00, 0x00, 0x96, 0x08, 0x01, 0x00, 0x00, 0x00], // ts 5, length 150, audio, stream 1
      ...payload.subarray(0, 100),
      ...separator,
      ...payload.subarray(100),
    ]);
  });
}

test('setChunkSize changes the split; invalid sizes and csids are programming errors', (t) => {
  const encoder = new ChunkEncoder();
  encoder.setChunkSize(4096);
  t.is(encoder.chunkSize, 4096);
  t.is(encoder.encode({ typeId: 9, timestamp: 0, streamId: 1, payload: pattern(4096, 0) }, 6).length, 2);
  t.is(encoder.encode({ typeId: 9, timestamp: 0, streamId: 1, payload: pattern(4097, 0) }, 6).length, 4);
  for (const bad of [0, -1, 1.5, 0x80000000]) t.throws(() => encoder.setChunkSize(bad), { instanceOf: RangeError });
  t.throws(() => new ChunkEncoder({ chunkSize: 0 }), { instanceOf: RangeError });
  for (const csid of [0, 1, 65600]) t.throws(() => encoder.encode(audio(0, Buffer.alloc(1)), csid), { instanceOf: RangeError });
  encoder.setChunkSize(0x7fffffff);
  t.is(encoder.chunkSize, 0x7fffffff);
});

test('an empty payload is the header alone', (t) => {
  const out = new ChunkEncoder().encode(audio(0, Buffer.alloc(0)), 4);
  t.deepEqual(flat(out), [0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x08, 0x01, 0x00, 0x00, 0x00]);
  t.is(out.length, 1);
});

test('prepareMessage: payload pieces with fmt-3 basic headers between them, copied once', (t) => {
  const payload = pattern(300, 0x20);
  const prepared = prepareMessage(payload, 128, 6);
  t.deepEqual([...prepared.body], [...payload.subarray(0, 128), 0xc6, ...payload.subarray(128, 256), 0xc6, ...payload.subarray(256)]);
  const wide = prepareMessage(payload, 128, 320);
  t.deepEqual(
    [...wide.body],
    [...payload.subarray(0, 128), 0xc1, 0x00, 0x01, ...payload.subarray(128, 256), 0xc1, 0x00, 0x01, ...payload.subarray(256)],
  );
  t.throws(() => prepareMessage(payload, 0, 6), { instanceOf: RangeError });
});

test('prepareMessage keeps SHARED_HEADER_ROOM free bytes in front of the body', (t) => {
  const payload = pattern(300, 0x20);
  const pieces = prepareMessage(payload, 128, 6);
  t.is(pieces.room.length, SHARED_HEADER_ROOM + pieces.body.length);
  t.is(pieces.room.buffer, pieces.body.buffer);
  t.is(pieces.body.byteOffset - pieces.room.byteOffset, SHARED_HEADER_ROOM);
  t.is(pieces.shared, null);
  // One chunk, no room of its own: copied once, and the prepared payload is that copy.
  const copied = prepareMessage(payload, 300, 6);
  t.deepEqual(copied.body, payload);
  t.is(copied.room.length, SHARED_HEADER_ROOM + 300);
  t.is(copied.payload, copied.body);
  payload[0] = 0xff;
  t.is(copied.body[0], 0x20); // not the caller's memory
  // One chunk with room that belongs to it (as the decoder assembles payloads): no copy at all.
  const owned = Buffer.alloc(SHARED_HEADER_ROOM + 300);
  payload.copy(owned, SHARED_HEADER_ROOM);
  const roomy = owned.subarray(SHARED_HEADER_ROOM);
  const inPlace = prepareMessage(roomy, 300, 6, SHARED_HEADER_ROOM);
  t.is(inPlace.body, roomy);
  t.is(inPlace.room.buffer, owned.buffer);
  t.is(inPlace.room.byteOffset, owned.byteOffset);
  t.is(inPlace.room.length, owned.length);
  // Too little room: copied.
  t.not(prepareMessage(roomy, 300, 6, SHARED_HEADER_ROOM - 1).body, roomy);
});

test('encodePrepared: each connection adds its own first header to the one shared body', (t) => {
  const payload = pattern(300, 0x20);
  const prepared = prepareMessage(payload, 128, 6);
  const a = new ChunkEncoder();
  const b = new ChunkEncoder();
  const outA = a.encodePrepared(prepared, 9, 1000, 1);
  const outB = b.encodePrepared(prepared, 9, 7, 5);
  t.deepEqual(flat([outA[0]!]), [0x06, 0x00, 0x03, 0xe8, 0x00, 0x01, 0x2c, 0x09, 0x01, 0x00, 0x00, 0x00]); // ts 1000, stream 1
  t.deepEqual(flat([outB[0]!]), [0x06, 0x00, 0x00, 0x07, 0x00, 0x01, 0x2c, 0x09, 0x05, 0x00, 0x00, 0x00]); // ts 7, stream 5
  t.is(outA[1], prepared.body);
  t.is(outB[1], prepared.body);
  t.is(outA.length, 2);
  // The state advanced as for encode(): the next one is fmt 2 on A, and A puts that header in
  // front of the next message's body.
  const next = prepareMessage(pattern(300, 0x40), 128, 6);
  const nextA = a.encodePrepared(next, 9, 1040, 1);
  t.is(nextA.length, 1);
  t.deepEqual(flat(nextA), [0x86, 0x00, 0x00, 0x28, ...next.body]);
  t.is(nextA[0], next.shared ?? undefined);
  // B is 40 ms on too: the same header, so the very same buffer, nothing allocated.
  const nextB = b.encodePrepared(next, 9, 47, 5);
  t.is(nextB.length, 1);
  t.is(nextB[0], nextA[0]);
  // C joined late (fmt 0) and D moved by another delta: their own header, the shared body, and
  // the bytes A and B were given do not change.
  const c = new ChunkEncoder();
  const outC = c.encodePrepared(next, 9, 5000, 1);
  t.deepEqual(flat([outC[0]!]), [0x06, 0x00, 0x13, 0x88, 0x00, 0x01, 0x2c, 0x09, 0x01, 0x00, 0x00, 0x00]);
  t.is(outC[1], next.body);
  const d = new ChunkEncoder();
  d.encodePrepared(prepared, 9, 0, 1);
  const outD = d.encodePrepared(next, 9, 50, 1);
  t.deepEqual(flat(outD), [0x86, 0x00, 0x00, 0x32, ...next.body]);
  t.is(outD[1], next.body);
  t.deepEqual(flat(nextA), [0x86, 0x00, 0x00, 0x28, ...next.body]);
});

test('encodePrepared falls back to encode() for another chunk size or an extended timestamp', (t) => {
  const payload = pattern(300, 0x20);
  const prepared = prepareMessage(payload, 128, 6);
  const bigChunks = new ChunkEncoder({ chunkSize: 4096 });
  const twin = new ChunkEncoder({ chunkSize: 4096 });
  t.deepEqual(flat(bigChunks.encodePrepared(prepared, 9, 0, 1)), flat(twin.encode(audio(0, payload, 1, 9), 6)));

  const out = new ChunkEncoder().encodePrepared(prepared, 9, 0x01000000, 1);
  t.deepEqual(flat(out), [
    ...[0x06, 0xff, 0xff, 0xff, 0x00, 0x01, 0x2c, 0x09, 0x01, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00], // fmt 0 + ext
    ...payload.subarray(0, 128),
    ...[0xc6, 0x01, 0x00, 0x00, 0x00], // the separators carry the extended timestamp
    ...payload.subarray(128, 256),
    ...[0xc6, 0x01, 0x00, 0x00, 0x00],
    ...payload.subarray(256),
  ]);
  // One chunk needs no separator: the shared body is used even with an extended timestamp.
  const small = prepareMessage(pattern(10, 0), 128, 6);
  const single = new ChunkEncoder().encodePrepared(small, 9, 0x01000000, 1);
  t.is(single[1], small.body);
  t.deepEqual(flat([single[0]!]), [0x06, 0xff, 0xff, 0xff, 0x00, 0x00, 0x0a, 0x09, 0x01, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00]);
});
