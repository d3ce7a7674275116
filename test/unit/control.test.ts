import test from 'ava';
import fc from 'fast-check';
import { isDeepStrictEqual } from 'node:util';
import { ChunkDecoder } from '../../src/rtmp/chunk/decoder.js';
import { ChunkEncoder } from '../../src/rtmp/chunk/encoder.js';
import { RtmpError, type RtmpErrorCode } from '../../src/rtmp/errors.js';
import {
  abortMessage,
  acknowledgementMessage,
  decodeControl,
  encodeControl,
  isControlMessageType,
  pingRequestMessage,
  pingResponseMessage,
  setBufferLengthMessage,
  setChunkSizeMessage,
  setPeerBandwidthMessage,
  streamBeginMessage,
  streamDryMessage,
  streamEofMessage,
  streamIsRecordedMessage,
  windowAckSizeMessage,
  type ControlMessage,
} from '../../src/rtmp/message/control.js';
import type { RtmpMessage } from '../../src/rtmp/message/types.js';

interface Fixture {
  name: string;
  typeId: number;
  payload: number[];
  control: ControlMessage;
  build?: () => RtmpMessage;
}

// Payload bytes by hand (spec 5.4 and 7.1.7).
const fixtures: Fixture[] = [
  { name: 'Set Chunk Size 4096', typeId: 1, payload: [0x00, 0x00, 0x10, 0x00], control: { type: 'set-chunk-size', chunkSize: 4096 }, build: () => setChunkSizeMessage(4096) },
  { name: 'Set Chunk Size 0x7FFFFFFF', typeId: 1, payload: [0x7f, 0xff, 0xff, 0xff], control: { type: 'set-chunk-size', chunkSize: 0x7fffffff } },
  { name: 'Abort csid 6', typeId: 2, payload: [0x00, 0x00, 0x00, 0x06], control: { type: 'abort', chunkStreamId: 6 }, build: () => abortMessage(6) },
  { name: 'Acknowledgement 0xDEADBEEF', typeId: 3, payload: [0xde, 0xad, 0xbe, 0xef], control: { type: 'acknowledgement', sequenceNumber: 0xdeadbeef }, build: () => acknowledgementMessage(0xdeadbeef) },
  { name: 'Window Ack Size 2500000', typeId: 5, payload: [0x00, 0x26, 0x25, 0xa0], control: { type: 'window-ack-size', windowSize: 2_500_000 }, build: () => windowAckSizeMessage(2_500_000) },
  { name: 'Set Peer Bandwidth 2500000 hard', typeId: 6, payload: [0x00, 0x26, 0x25, 0xa0, 0x00], control: { type: 'set-peer-bandwidth', windowSize: 2_500_000, limitType: 0 } },
  { name: 'Set Peer Bandwidth 5000000 soft', typeId: 6, payload: [0x00, 0x4c, 0x4b, 0x40, 0x01], control: { type: 'set-peer-bandwidth', windowSize: 5_000_000, limitType: 1 } },
  { name: 'Set Peer Bandwidth dynamic', typeId: 6, payload: [0x00, 0x26, 0x25, 0xa0, 0x02], control: { type: 'set-peer-bandwidth', windowSize: 2_500_000, limitType: 2 }, build: () => setPeerBandwidthMessage(2_500_000, 2) },
  //                                      event type  | event data
  { name: 'StreamBegin 1', typeId: 4, payload: [0x00, 0x00, 0x00, 0x00, 0x00, 0x01], control: { type: 'user-control', event: { type: 'stream-begin', streamId: 1 } }, build: () => streamBeginMessage(1) },
  { name: 'StreamEOF 1', typeId: 4, payload: [0x00, 0x01, 0x00, 0x00, 0x00, 0x01], control: { type: 'user-control', event: { type: 'stream-eof', streamId: 1 } }, build: () => streamEofMessage(1) },
  { name: 'StreamDry 1', typeId: 4, payload: [0x00, 0x02, 0x00, 0x00, 0x00, 0x01], control: { type: 'user-control', event: { type: 'stream-dry', streamId: 1 } }, build: () => streamDryMessage(1) },
  { name: 'SetBufferLength 1, 3000 ms', typeId: 4, payload: [0x00, 0x03, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x0b, 0xb8], control: { type: 'user-control', event: { type: 'set-buffer-length', streamId: 1, bufferLengthMs: 3000 } }, build: () => setBufferLengthMessage(1, 3000) },
  { name: 'StreamIsRecorded 1', typeId: 4, payload: [0x00, 0x04, 0x00, 0x00, 0x00, 0x01], control: { type: 'user-control', event: { type: 'stream-is-recorded', streamId: 1 } }, build: () => streamIsRecordedMessage(1) },
  { name: 'PingRequest 3343', typeId: 4, payload: [0x00, 0x06, 0x00, 0x00, 0x0d, 0x0f], control: { type: 'user-control', event: { type: 'ping-request', timestamp: 3343 } }, build: () => pingRequestMessage(3343) },
  { name: 'PingResponse 0xFFFFFFFF', typeId: 4, payload: [0x00, 0x07, 0xff, 0xff, 0xff, 0xff], control: { type: 'user-control', event: { type: 'ping-response', timestamp: 0xffffffff } }, build: () => pingResponseMessage(0xffffffff) },
  { name: 'BufferEmpty (31) is unknown, kept', typeId: 4, payload: [0x00, 0x1f, 0x00, 0x00, 0x00, 0x01], control: { type: 'user-control', event: { type: 'unknown', eventType: 31, data: Buffer.from([0, 0, 0, 1]) } } },
];

for (const { name, typeId, payload, control, build } of fixtures) {
  test(`control ${name}: decode and encode`, (t) => {
    t.deepEqual(decodeControl({ typeId, timestamp: 0, streamId: 0, payload: Buffer.from(payload) }), control);
    const encoded = encodeControl(control);
    t.deepEqual({ ...encoded, payload: [...encoded.payload] }, { typeId, timestamp: 0, streamId: 0, payload });
    if (build) t.deepEqual(build(), encoded);
  });
}

test('control messages on csid 2: the bytes a server sends after connect, both directions', (t) => {
  const expected = [
    ...[0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x05, 0x00, 0x00, 0x00, 0x00], // fmt 0, csid 2, length 4, type 5, stream 0
    ...[0x00, 0x26, 0x25, 0xa0], //                                               window 2500000
    ...[0x42, 0x00, 0x00, 0x00, 0x00, 0x00, 0x05, 0x06], //                       fmt 1, delta 0, length 5, type 6
    ...[0x00, 0x26, 0x25, 0xa0, 0x02], //                                         2500000, dynamic
    ...[0x42, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x01], //                       fmt 1, length 4, type 1
    ...[0x00, 0x00, 0x10, 0x00], //                                               chunk size 4096
    ...[0x42, 0x00, 0x00, 0x00, 0x00, 0x00, 0x06, 0x04], //                       fmt 1, length 6, type 4
    ...[0x00, 0x00, 0x00, 0x00, 0x00, 0x01], //                                   StreamBegin 1
    ...[0x42, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x03], //                       fmt 1, length 4, type 3
    ...[0x00, 0x00, 0x30, 0x39], //                                               Acknowledgement 12345
  ];
  const messages = [
    windowAckSizeMessage(2_500_000),
    setPeerBandwidthMessage(2_500_000, 2),
    setChunkSizeMessage(4096),
    streamBeginMessage(1),
    acknowledgementMessage(12345),
  ];
  const encoder = new ChunkEncoder();
  t.deepEqual([...Buffer.concat(messages.flatMap((m) => encoder.encode(m, 2)))], expected);

  const bytes = Buffer.from(expected);
  for (let at = 0; at <= bytes.length; at++) {
    const decoder = new ChunkDecoder();
    const out: RtmpMessage[] = [];
    t.is(decoder.push(bytes.subarray(0, at), out), undefined);
    t.is(decoder.push(bytes.subarray(at), out), undefined);
    t.deepEqual(out.map(decodeControl), messages.map(decodeControl));
    t.is(decoder.inboundChunkSize, 4096);
  }
});

const bad: [string, number, number[], RtmpErrorCode][] = [
  ['Set Chunk Size 0', 1, [0x00, 0x00, 0x00, 0x00], 'ERR_RTMP_CHUNK_SIZE'],
  ['Set Chunk Size with the top bit', 1, [0x80, 0x00, 0x00, 0x01], 'ERR_RTMP_CHUNK_SIZE'],
  ['Set Chunk Size of 3 bytes', 1, [0x00, 0x10, 0x00], 'ERR_RTMP_CONTROL'],
  ['Abort of 3 bytes', 2, [0x00, 0x00, 0x06], 'ERR_RTMP_CONTROL'],
  ['Acknowledgement of 3 bytes', 3, [0x00, 0x00, 0x06], 'ERR_RTMP_CONTROL'],
  ['Window Ack Size of 0 bytes', 5, [], 'ERR_RTMP_CONTROL'],
  ['Set Peer Bandwidth of 4 bytes', 6, [0x00, 0x26, 0x25, 0xa0], 'ERR_RTMP_CONTROL'],
  ['Set Peer Bandwidth limit 3', 6, [0x00, 0x26, 0x25, 0xa0, 0x03], 'ERR_RTMP_CONTROL'],
  ['User Control of 1 byte', 4, [0x00], 'ERR_RTMP_CONTROL'],
  ['StreamBegin with 3 data bytes', 4, [0x00, 0x00, 0x00, 0x00, 0x01], 'ERR_RTMP_CONTROL'],
  ['SetBufferLength with 4 data bytes', 4, [0x00, 0x03, 0x00, 0x00, 0x00, 0x01], 'ERR_RTMP_CONTROL'],
  ['PingRequest without data', 4, [0x00, 0x06], 'ERR_RTMP_CONTROL'],
  ['an audio message', 8, [0xaf, 0x01], 'ERR_RTMP_CONTROL'],
];

for (const [name, typeId, payload, code] of bad) {
  test(`control: ${name} is ${code}`, (t) => {
    const result = decodeControl({ typeId, timestamp: 0, streamId: 0, payload: Buffer.from(payload) });
    t.true(result instanceof RtmpError);
    t.is((result as RtmpError).code, code);
  });
}

test('control: bytes after the defined fields are ignored', (t) => {
  const ack = decodeControl({ typeId: 3, timestamp: 0, streamId: 0, payload: Buffer.from([0, 0, 0, 9, 0xff]) });
  t.deepEqual(ack, { type: 'acknowledgement', sequenceNumber: 9 });
});

test('control: isControlMessageType is true for 1..6 only', (t) => {
  t.deepEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 18, 20].map(isControlMessageType), [false, true, true, true, true, true, true, false, false, false, false, false]);
});

test('control: encoders refuse values our code must never send', (t) => {
  t.throws(() => setChunkSizeMessage(0), { instanceOf: RangeError });
  t.throws(() => setChunkSizeMessage(0x80000000), { instanceOf: RangeError });
  t.throws(() => acknowledgementMessage(-1), { instanceOf: RangeError });
  t.throws(() => acknowledgementMessage(2 ** 32), { instanceOf: RangeError });
  t.throws(() => pingRequestMessage(1.5), { instanceOf: RangeError });
});

const u32 = fc.nat({ max: 0xffffffff });
const controlArbitrary: fc.Arbitrary<ControlMessage> = fc.oneof(
  fc.integer({ min: 1, max: 0x7fffffff }).map((chunkSize) => ({ type: 'set-chunk-size', chunkSize }) as const),
  u32.map((chunkStreamId) => ({ type: 'abort', chunkStreamId }) as const),
  u32.map((sequenceNumber) => ({ type: 'acknowledgement', sequenceNumber }) as const),
  u32.map((windowSize) => ({ type: 'window-ack-size', windowSize }) as const),
  fc.tuple(u32, fc.constantFrom(0, 1, 2) as fc.Arbitrary<0 | 1 | 2>).map(([windowSize, limitType]) => ({ type: 'set-peer-bandwidth', windowSize, limitType }) as const),
  fc.tuple(fc.constantFrom('stream-begin', 'stream-eof', 'stream-dry', 'stream-is-recorded'), u32).map(([type, streamId]) => ({ type: 'user-control', event: { type, streamId } }) as ControlMessage),
  fc.tuple(u32, u32).map(([streamId, bufferLengthMs]) => ({ type: 'user-control', event: { type: 'set-buffer-length', streamId, bufferLengthMs } }) as const),
  fc.tuple(fc.constantFrom('ping-request', 'ping-response'), u32).map(([type, timestamp]) => ({ type: 'user-control', event: { type, timestamp } }) as ControlMessage),
  fc.tuple(fc.integer({ min: 8, max: 0xffff }), fc.uint8Array({ maxLength: 50 })).map(([eventType, data]) => ({ type: 'user-control', event: { type: 'unknown', eventType, data: Buffer.from(data) } }) as const),
);

test('control: encode → decode round trip of any control message', (t) => {
  fc.assert(fc.property(controlArbitrary, (control) => isDeepStrictEqual(decodeControl(encodeControl(control)), control)));
  t.pass();
});

test('control: any payload under any control type decodes or gives an RtmpError, never throws', (t) => {
  fc.assert(fc.property(fc.integer({ min: 0, max: 30 }), fc.uint8Array({ maxLength: 12 }), (typeId, payload) => {
    const result = decodeControl({ typeId, timestamp: 0, streamId: 0, payload: Buffer.from(payload) });
    return result instanceof RtmpError || typeof result.type === 'string';
  }));
  t.pass();
});
