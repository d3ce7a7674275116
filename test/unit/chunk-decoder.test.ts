import test, { type ExecutionContext } from 'ava';
import { ChunkDecoder, type ChunkDecoderOptions } from '../../src/rtmp/chunk/decoder.js';
import { RtmpError, type RtmpErrorCode } from '../../src/rtmp/errors.js';
import type { RtmpMessage } from '../../src/rtmp/message/types.js';
import { SHARED_HEADER_ROOM } from '../../src/rtmp/chunk/header.js';

// Fixtures are hand-written byte tables (SRS style); payloads are a counting pattern built here.
// Every fixture is decoded whole, split in two at every offset, and one byte at a time.

/** n payload bytes counting up from `seed`, so a misplaced byte shows. */
const pattern = (n: number, seed: number): Buffer => Buffer.from(Array.from({ length: n }, (_, i) => (seed + i) & 0xff));
const bytesOf = (...parts: (readonly number[] | Buffer)[]): Buffer =>
  Buffer.concat(parts.map((p) => (Buffer.isBuffer(p) ? p : Buffer.from(p))));

interface Expected {
  typeId: number;
  timestamp: number;
  streamId: number;
  payload: string; // hex
}
/** The message as the fixtures state it (headroom has its own tests below). */
const view = ({ typeId, timestamp, streamId, payload }: RtmpMessage): Expected => ({ typeId, timestamp, streamId, payload: payload.toString('hex') });
const msg = (typeId: number, timestamp: number, streamId: number, payload: Buffer | number[]): Expected => ({
  typeId,
  timestamp,
  streamId,
  payload: Buffer.from(payload).toString('hex'),
});

function splits(bytes: Buffer): Buffer[][] {
  const variants: Buffer[][] = [[bytes]];
  for (let at = 1; at < bytes.length; at++) variants.push([bytes.subarray(0, at), bytes.subarray(at)]);
  variants.push(Array.from(bytes, (_, i) => bytes.subarray(i, i + 1)));
  return variants;
}

function decode(pieces: Buffer[], options?: Partial<ChunkDecoderOptions>) {
  const decoder = new ChunkDecoder(options);
  const messages: RtmpMessage[] = [];
  let error: RtmpError | undefined;
  for (const piece of pieces) error = decoder.push(piece, messages) ?? error;
  return { decoder, messages: messages.map(view), error };
}

function decodesTo(t: ExecutionContext, bytes: Buffer, expected: Expected[], options?: Partial<ChunkDecoderOptions>) {
  for (const pieces of splits(bytes)) {
    const result = decode(pieces, options);
    t.is(result.error, undefined, `error with pieces ${pieces.map((p) => p.length).join('+')}`);
    t.deepEqual(result.messages, expected, `pieces ${pieces.map((p) => p.length).join('+')}`);
  }
}

function failsWith(t: ExecutionContext, bytes: Buffer, code: RtmpErrorCode, before: Expected[] = [], options?: Partial<ChunkDecoderOptions>) {
  for (const pieces of splits(bytes)) {
    const result = decode(pieces, options);
    t.is(result.error?.code, code);
    t.deepEqual(result.messages, before);
  }
}

// Basic header of each form, per fmt, written by hand.
const basicHeaders = [
  { csid: 2, form: '1-byte', fmt: [[0x02], [0x42], [0x82], [0xc2]] }, // fmt << 6 | csid
  { csid: 3, form: '1-byte', fmt: [[0x03], [0x43], [0x83], [0xc3]] },
  { csid: 63, form: '1-byte', fmt: [[0x3f], [0x7f], [0xbf], [0xff]] },
  { csid: 64, form: '2-byte', fmt: [[0x00, 0x00], [0x40, 0x00], [0x80, 0x00], [0xc0, 0x00]] }, // low bits 0; csid - 64 = 0
  { csid: 319, form: '2-byte', fmt: [[0x00, 0xff], [0x40, 0xff], [0x80, 0xff], [0xc0, 0xff]] }, // 319 - 64 = 255
  { csid: 320, form: '3-byte', fmt: [[0x01, 0x00, 0x01], [0x41, 0x00, 0x01], [0x81, 0x00, 0x01], [0xc1, 0x00, 0x01]] }, // 256 LE
  { csid: 65599, form: '3-byte', fmt: [[0x01, 0xff, 0xff], [0x41, 0xff, 0xff], [0x81, 0xff, 0xff], [0xc1, 0xff, 0xff]] }, // 65535 LE
] as const;

for (const { csid, form, fmt } of basicHeaders) {
  test(`csid ${csid} (${form} basic header) with fmt 0, 1, 2 and 3`, (t) => {
    const bytes = bytesOf(
      fmt[0], //                  fmt 0
      [0x00, 0x03, 0xe8], //      timestamp 1000
      [0x00, 0x00, 0x04], //      message length 4
      [0x08], //                  type 8 (audio)
      [0x01, 0x00, 0x00, 0x00], // message stream id 1 (little-endian)
      [0xa0, 0xa1, 0xa2, 0xa3], // payload
      fmt[1], //                  fmt 1: same stream id
      [0x00, 0x00, 0x14], //      timestamp delta 20
      [0x00, 0x00, 0x03], //      message length 3
      [0x09], //                  type 9 (video)
      [0xb0, 0xb1, 0xb2], //      payload
      fmt[2], //                  fmt 2: same stream, length and type
      [0x00, 0x00, 0x21], //      timestamp delta 33
      [0xc0, 0xc1, 0xc2], //      payload
      fmt[3], //                  fmt 3 starting a new message: everything repeats, delta 33 included
      [0xd0, 0xd1, 0xd2], //      payload
    );
    decodesTo(t, bytes, [
      msg(8, 1000, 1, [0xa0, 0xa1, 0xa2, 0xa3]),
      msg(9, 1020, 1, [0xb0, 0xb1, 0xb2]),
      msg(9, 1053, 1, [0xc0, 0xc1, 0xc2]),
      msg(9, 1086, 1, [0xd0, 0xd1, 0xd2]),
    ]);
  });

  test(`csid ${csid} (${form} basic header) fmt 3 continuation chunks at chunk size 128`, (t) => {
    const payload = pattern(300, csid);
    const bytes = bytesOf(
      fmt[0], [0x00, 0x00, 0x00], // fmt 0, timestamp 0
      [0x00, 0x01, 0x2c], //         length 300
      [0x14], //                     type 20 (AMF0 command)
      [0x00, 0x00, 0x00, 0x00], //   stream 0
      payload.subarray(0, 128), //   first chunk: 128 bytes
      fmt[3], payload.subarray(128, 256), // continuation: 128 bytes
      fmt[3], payload.subarray(256), //      continuation: last 44 bytes
    );
    decodesTo(t, bytes, [msg(20, 0, 0, payload)]);
  });
}

test('3-byte csid is 64 + b1 + b2 * 256 (little-endian), the same id as its 2-byte form', (t) => {
  const bytes = bytesOf(
    [0x00, 0xec], //                         fmt 0, 2-byte form: csid 64 + 236 = 300
    [0x00, 0x00, 0x0a, 0x00, 0x00, 0x02, 0x08, 0x01, 0x00, 0x00, 0x00], // ts 10, length 2, audio, stream 1
    [0x11, 0x12], //                         payload
    [0xc1, 0xec, 0x00], //                   fmt 3, 3-byte form: 64 + 236 + 0 * 256 = 300 (big-endian would be 60480)
    [0x13, 0x14], //                         new message, delta 10 again
  );
  decodesTo(t, bytes, [msg(8, 10, 1, [0x11, 0x12]), msg(8, 20, 1, [0x13, 0x14])]);
});

test('Abort names a 3-byte csid by 64 + b1 + b2 * 256', (t) => {
  const bytes = bytesOf(
    [0x01, 0x05, 0x02], //                   fmt 0, csid 64 + 5 + 2 * 256 = 581
    [0x00, 0x00, 0x00, 0x00, 0x00, 0xc8, 0x09, 0x01, 0x00, 0x00, 0x00], // ts 0, length 200, video, stream 1
    pattern(128, 0), //                      first chunk only
    [0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x02, 0x00, 0x00, 0x00, 0x00], // csid 2 fmt 0, length 4, type 2 (Abort)
    [0x00, 0x00, 0x02, 0x45], //             abort csid 581
    [0x01, 0x05, 0x02], //                   fmt 0 on csid 581 again: fine after the abort
    [0x00, 0x00, 0x05, 0x00, 0x00, 0x01, 0x09, 0x01, 0x00, 0x00, 0x00, 0x17], // ts 5, length 1, video, payload 0x17
  );
  decodesTo(t, bytes, [msg(2, 0, 0, [0x00, 0x00, 0x02, 0x45]), msg(9, 5, 1, [0x17])]);
});

test('interleaved audio and video on two csids at chunk size 128 keep separate payloads', (t) => {
  const video = pattern(300, 0x10);
  const audio = pattern(200, 0x80);
  const bytes = bytesOf(
    [0x06], //                                    fmt 0, csid 6
    [0x00, 0x00, 0x64, 0x00, 0x01, 0x2c, 0x09], // ts 100, length 300, video
    [0x01, 0x00, 0x00, 0x00], //                  stream 1
    video.subarray(0, 128),
    [0x04], //                                    fmt 0, csid 4
    [0x00, 0x00, 0x6e, 0x00, 0x00, 0xc8, 0x08], // ts 110, length 200, audio
    [0x01, 0x00, 0x00, 0x00], //                  stream 1
    audio.subarray(0, 128),
    [0xc6], video.subarray(128, 256), //          fmt 3 csid 6: video continues
    [0xc4], audio.subarray(128), //               fmt 3 csid 4: audio ends (72 bytes)
    [0xc6], video.subarray(256), //               fmt 3 csid 6: video ends (44 bytes)
  );
  decodesTo(t, bytes, [msg(8, 110, 1, audio), msg(9, 100, 1, video)]);
});

const setChunkSize = (size: number[]) => [
  0x02, //                   fmt 0, csid 2
  0x00, 0x00, 0x00, //       timestamp 0
  0x00, 0x00, 0x04, //       length 4
  0x01, //                   type 1 (Set Chunk Size)
  0x00, 0x00, 0x00, 0x00, // stream 0
  ...size,
];

test('Set Chunk Size applies to the very next chunk of the same push', (t) => {
  const video = pattern(300, 0x33);
  const bytes = bytesOf(
    setChunkSize([0x00, 0x00, 0x01, 0x00]), //   chunk size 256
    [0x06, 0x00, 0x00, 0x00, 0x00, 0x01, 0x2c, 0x09, 0x01, 0x00, 0x00, 0x00], // csid 6, ts 0, length 300, video, stream 1
    video.subarray(0, 256), //                   one 256-byte chunk
    [0xc6], video.subarray(256), //              then the last 44
  );
  decodesTo(t, bytes, [msg(1, 0, 0, [0x00, 0x00, 0x01, 0x00]), msg(9, 0, 1, video)]);
  t.is(decode([bytes]).decoder.inboundChunkSize, 256);
});

const partialVideoOnCsid6 = (): Buffer =>
  bytesOf([0x06, 0x00, 0x00, 0x00, 0x00, 0x01, 0x2c, 0x09, 0x01, 0x00, 0x00, 0x00], pattern(128, 0)); // 128 of 300
const fmt1VideoOnCsid6 = [0x46, 0x00, 0x00, 0x0a, 0x00, 0x00, 0x04, 0x09, 0xe0, 0xe1, 0xe2, 0xe3]; // delta 10, length 4

test('Abort discards the partial message of that csid', (t) => {
  const bytes = bytesOf(
    partialVideoOnCsid6(),
    [0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x02, 0x00, 0x00, 0x00, 0x00], // csid 2, length 4, Abort, stream 0
    [0x00, 0x00, 0x00, 0x06], //                     abort csid 6
    fmt1VideoOnCsid6, //                             a new message on csid 6, header state kept
  );
  decodesTo(t, bytes, [msg(2, 0, 0, [0, 0, 0, 6]), msg(9, 10, 1, [0xe0, 0xe1, 0xe2, 0xe3])]);
});

test('a new header on a csid whose message is incomplete is ERR_RTMP_CHUNK_INTERRUPTED', (t) => {
  failsWith(t, bytesOf(partialVideoOnCsid6(), fmt1VideoOnCsid6), 'ERR_RTMP_CHUNK_INTERRUPTED');
  failsWith(t, bytesOf(partialVideoOnCsid6(), [0x86, 0x00, 0x00, 0x01]), 'ERR_RTMP_CHUNK_INTERRUPTED'); // fmt 2
});

test('an Abort for a csid never used is harmless', (t) => {
  const abort = [0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00]; // abort 256
  decodesTo(t, Buffer.from(abort), [msg(2, 0, 0, [0, 0, 1, 0])]);
});

const header300 = (length: number[]) => [0x03, 0x00, 0x00, 0x00, ...length, 0x09, 0x01, 0x00, 0x00, 0x00]; // csid 3 fmt 0

test('maxMessageSize: exactly the limit is accepted, one over is refused at the header', (t) => {
  const payload = pattern(300, 1);
  const exact = bytesOf(header300([0x00, 0x01, 0x2c]), payload.subarray(0, 128), [0xc3], payload.subarray(128, 256), [0xc3], payload.subarray(256));
  decodesTo(t, exact, [msg(9, 0, 1, payload)], { maxMessageSize: 300 });
  failsWith(t, Buffer.from(header300([0x00, 0x01, 0x2d])), 'ERR_RTMP_MESSAGE_TOO_LARGE', [], { maxMessageSize: 300 }); // 301
});

const emptyAudioOn = (basic: number) => [basic, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x08, 0x01, 0x00, 0x00, 0x00]; // length 0

test('maxChunkStreams: exactly the limit is accepted, one more csid is refused', (t) => {
  const three = bytesOf(emptyAudioOn(0x03), emptyAudioOn(0x04), emptyAudioOn(0x05), emptyAudioOn(0x03));
  const empty = msg(8, 0, 1, []);
  decodesTo(t, three, [empty, empty, empty, empty], { maxChunkStreams: 3 });
  failsWith(t, bytesOf(three, emptyAudioOn(0x06)), 'ERR_RTMP_TOO_MANY_CHUNK_STREAMS', [empty, empty, empty, empty], {
    maxChunkStreams: 3,
  });
});

test('Set Chunk Size 0x7FFFFFFF is accepted and allocates nothing by itself', (t) => {
  const before = process.memoryUsage().arrayBuffers;
  const big = pattern(200_000, 9);
  const bytes = bytesOf(
    setChunkSize([0x7f, 0xff, 0xff, 0xff]),
    [0x03, 0x00, 0x00, 0x01, 0x00, 0x00, 0x03, 0x14, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00], // 3-byte command
    [0x43, 0x00, 0x00, 0x01, 0x03, 0x0d, 0x40, 0x09], // fmt 1: delta 1, length 200000, video
    big, //                                             all in one chunk: no separators
  );
  const { decoder, messages, error } = decode([bytes]);
  t.is(error, undefined);
  t.is(decoder.inboundChunkSize, 0x7fffffff);
  t.deepEqual(messages.slice(1), [msg(20, 1, 0, [0x02, 0x00, 0x00]), msg(9, 2, 0, big)]);
  t.true(process.memoryUsage().arrayBuffers - before < 64 * 1024 * 1024);
});

test('Set Chunk Size 0, with the top bit set, or short is refused', (t) => {
  failsWith(t, Buffer.from(setChunkSize([0x00, 0x00, 0x00, 0x00])), 'ERR_RTMP_CHUNK_SIZE');
  failsWith(t, Buffer.from(setChunkSize([0x80, 0x00, 0x00, 0x00])), 'ERR_RTMP_CHUNK_SIZE');
  const short = [0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x00]; // length 3
  failsWith(t, Buffer.from(short), 'ERR_RTMP_CONTROL');
});

test('fmt 1, 2 or 3 as the first chunk of a csid is ERR_RTMP_CHUNK_FIRST_HEADER', (t) => {
  failsWith(t, Buffer.from([0x43, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x08]), 'ERR_RTMP_CHUNK_FIRST_HEADER'); // fmt 1 csid 3
  failsWith(t, Buffer.from([0x40, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x08]), 'ERR_RTMP_CHUNK_FIRST_HEADER'); // csid 65
  failsWith(t, Buffer.from([0x83, 0x00, 0x00, 0x00]), 'ERR_RTMP_CHUNK_FIRST_HEADER'); // fmt 2
  failsWith(t, Buffer.from([0xc3]), 'ERR_RTMP_CHUNK_FIRST_HEADER'); // fmt 3
  failsWith(t, Buffer.from([0x82, 0x00, 0x00, 0x00]), 'ERR_RTMP_CHUNK_FIRST_HEADER'); // fmt 2 on csid 2
});

test("librtmp's ping with fmt 1 on a fresh csid 2 is accepted (SRS issue 98)", (t) => {
  const bytes = Buffer.from([
    0x42, //                   fmt 1, csid 2, never used before
    0x00, 0x00, 0x00, //       timestamp delta 0 (from 0)
    0x00, 0x00, 0x06, //       length 6
    0x04, //                   type 4 (User Control)
    0x00, 0x06, //             event 6 (PingRequest)
    0x00, 0x00, 0x0d, 0x0f, // ping timestamp
  ]);
  decodesTo(t, bytes, [msg(4, 0, 0, [0x00, 0x06, 0x00, 0x00, 0x0d, 0x0f])]);
});

test('after an error the decoder is dead and returns the same error', (t) => {
  const decoder = new ChunkDecoder();
  const out: RtmpMessage[] = [];
  const error = decoder.push(Buffer.from([0xc3]), out);
  t.true(error instanceof RtmpError);
  t.is(decoder.push(Buffer.from(emptyAudioOn(0x03)), out), error);
  t.deepEqual(out, []);
});

test('a message whole inside one pushed buffer is a zero-copy view; a chunked one is copied once', (t) => {
  const bytes = bytesOf(emptyAudioOn(0x03).slice(0, 6), [0x05, 0x08, 0x01, 0x00, 0x00, 0x00], pattern(5, 0)); // length 5
  const decoder = new ChunkDecoder();
  const out: RtmpMessage[] = [];
  t.is(decoder.push(bytes, out), undefined);
  t.is(out[0]!.payload.buffer, bytes.buffer);
  t.is(out[0]!.payload.byteOffset, bytes.byteOffset + 12);
  t.is(decoder.bytesConsumed, 17);
  const chunked = bytesOf(header300([0x00, 0x00, 0xc8]), pattern(128, 0), [0xc3], pattern(72, 128));
  t.is(decoder.push(chunked, out), undefined);
  chunked.fill(0); // the payload is a copy: it does not change with the pushed buffer
  t.deepEqual(out[1]!.payload, pattern(200, 0));
});

test('tiny chunks and large messages assemble correctly (growing buffer past 64 pieces)', (t) => {
  for (const [chunkSize, length] of [[1, 5000], [7, 70_000], [128, 300_000]] as const) {
    const payload = pattern(length, chunkSize);
    const parts: (number[] | Buffer)[] = [setChunkSize([0, 0, (chunkSize >> 8) & 0xff, chunkSize & 0xff])];
    parts.push([0x06, 0x00, 0x00, 0x00, length >> 16, (length >> 8) & 0xff, length & 0xff, 0x09, 0x01, 0x00, 0x00, 0x00]);
    for (let at = 0; at < length; at += chunkSize) {
      if (at > 0) parts.push([0xc6]);
      parts.push(payload.subarray(at, at + chunkSize));
    }
    const bytes = bytesOf(...parts);
    for (const step of [bytes.length, 1000, 3]) {
      const pieces: Buffer[] = [];
      for (let at = 0; at < bytes.length; at += step) pieces.push(bytes.subarray(at, at + step));
      const { messages, error } = decode(pieces);
      t.is(error, undefined);
      t.is(messages.length, 2);
      t.true(messages[1]!.payload === payload.toString('hex'), `chunk size ${chunkSize}, step ${step}`); // no 600 KB diff
    }
  }
});

test('bytes held in unfinished messages across chunk streams are capped, exactly at the limit accepted', (t) => {
  // Two messages of 200 bytes on csid 4 and 5 at chunk size 128: after the first chunk of each,
  // 128 + 128 = 256 bytes are held.
  const header = (csid: number): number[] => [
    csid, // fmt 0, csid
    0x00, 0x00, 0x00, // timestamp 0
    0x00, 0x00, 0xc8, // length 200
    0x09, // type video
    0x01, 0x00, 0x00, 0x00, // stream id 1 (LE)
  ];
  const firstChunks = Buffer.from([...header(4), ...new Array(128).fill(1), ...header(5), ...new Array(128).fill(2)]);
  const atLimit = new ChunkDecoder({ maxMessageSize: 200, maxChunkStreams: 8, maxBufferedBytes: 256 });
  const out: RtmpMessage[] = [];
  t.is(atLimit.push(firstChunks, out), undefined, '256 held with a limit of 256: accepted');
  t.is(atLimit.bufferedBytes, 256);
  // The rest of csid 4 (fmt 3 continuation, 72 bytes) completes it and releases its bytes.
  t.is(atLimit.push(Buffer.from([0xc4, ...new Array(72).fill(1)]), out), undefined);
  t.is(out.length, 1);
  t.is(out[0]!.payload.length, 200);
  t.is(atLimit.bufferedBytes, 128);

  const overLimit = new ChunkDecoder({ maxMessageSize: 200, maxChunkStreams: 8, maxBufferedBytes: 255 });
  const error = overLimit.push(firstChunks, []);
  t.is(error?.code, 'ERR_RTMP_MESSAGE_TOO_LARGE', '256 held with a limit of 255: refused');
});

test('a payload assembled from several chunks comes with SHARED_HEADER_ROOM bytes of its own in front', (t) => {
  // Two 300-byte video messages on csid 6 at chunk size 128 (3 chunks each), then a 5-byte one-chunk audio message.
  const first = pattern(300, 0x10);
  const second = pattern(300, 0x80);
  const bytes = bytesOf(
    [0x06, 0x00, 0x00, 0x00, 0x00, 0x01, 0x2c, 0x09, 0x01, 0x00, 0x00, 0x00], // fmt 0: ts 0, length 300, video, stream 1
    first.subarray(0, 128), [0xc6], first.subarray(128, 256), [0xc6], first.subarray(256),
    [0x86, 0x00, 0x00, 0x21], //                                             fmt 2: delta 33
    second.subarray(0, 128), [0xc6], second.subarray(128, 256), [0xc6], second.subarray(256),
    [0x04, 0x00, 0x00, 0x05, 0x00, 0x00, 0x05, 0x08, 0x01, 0x00, 0x00, 0x00], // csid 4 fmt 0: ts 5, length 5, audio, stream 1
    [1, 2, 3, 4, 5],
  );
  for (const pieces of splits(bytes)) {
    const decoder = new ChunkDecoder();
    const messages: RtmpMessage[] = [];
    for (const piece of pieces) t.is(decoder.push(piece, messages), undefined);
    t.is(messages.length, 3);
    const [a, b, c] = messages as [RtmpMessage, RtmpMessage, RtmpMessage];
    t.is(a.headroom, SHARED_HEADER_ROOM);
    t.is(b.headroom, SHARED_HEADER_ROOM);
    t.true(a.payload.byteOffset >= SHARED_HEADER_ROOM);
    // Filling the room of each touches neither payload (nor the other message's bytes).
    for (const m of [a, b]) Buffer.from(m.payload.buffer, m.payload.byteOffset - SHARED_HEADER_ROOM, SHARED_HEADER_ROOM).fill(0xee);
    t.deepEqual(a.payload, first);
    t.deepEqual(b.payload, second);
    if (pieces.length === 1) t.is(c.headroom, 0); // one chunk inside one push: a view of the pushed bytes, no room
    t.deepEqual(c.payload, Buffer.from([1, 2, 3, 4, 5]));
  }
});

test('a payload gathered in the growing buffer (tiny chunks) has the room too', (t) => {
  const payload = pattern(200, 0x33);
  const chunks: (readonly number[] | Buffer)[] = [
    [0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02], // Set Chunk Size 2
    [0x06, 0x00, 0x00, 0x00, 0x00, 0x00, 0xc8, 0x09, 0x01, 0x00, 0x00, 0x00], //                        fmt 0, length 200, video
  ];
  for (let at = 0; at < 200; at += 2) chunks.push(...(at === 0 ? [] : [[0xc6]]), payload.subarray(at, at + 2));
  const decoder = new ChunkDecoder();
  const messages: RtmpMessage[] = [];
  t.is(decoder.push(bytesOf(...chunks), messages), undefined);
  const video = messages[1]!;
  t.is(video.headroom, SHARED_HEADER_ROOM); // 100 pieces: more than the views kept before gathering
  Buffer.from(video.payload.buffer, video.payload.byteOffset - SHARED_HEADER_ROOM, SHARED_HEADER_ROOM).fill(0xee);
  t.deepEqual(video.payload, payload);
});
