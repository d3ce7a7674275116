import test from 'ava';
import fc from 'fast-check';
import { isDeepStrictEqual } from 'node:util';
import { ChunkDecoder } from '../../src/rtmp/chunk/decoder.js';
import { ChunkEncoder, prepareMessage } from '../../src/rtmp/chunk/encoder.js';
import { RtmpError } from '../../src/rtmp/errors.js';
import { setChunkSizeMessage } from '../../src/rtmp/message/control.js';
import type { RtmpMessage } from '../../src/rtmp/message/types.js';

// Property tests: encode → decode round trips of random message sequences (random csids of every
// basic-header form, chunk sizes, timestamps past 0xFFFFFF and across the wrap, split points);
// encodePrepared against encode across several connections; random and mutated bytes.

const csidArb = fc.oneof(
  fc.integer({ min: 2, max: 8 }), //       1-byte form, often repeated (header compression)
  fc.constantFrom(63, 64, 319, 320, 65599), // form edges
  fc.integer({ min: 64, max: 319 }), //    2-byte form
  fc.integer({ min: 320, max: 65599 }), // 3-byte form
);
const deltaArb = fc.oneof(
  fc.constantFrom(0, 20, 23, 40), //       repeated deltas: fmt 2 and fmt 3
  fc.constantFrom(0xfffffe, 0xffffff, 0x1000000, 0xfffffff0), // extended and wrapping jumps
  fc.nat({ max: 0xffffffff }),
);
const lengthArb = fc.oneof(fc.constantFrom(0, 1, 127, 128, 129, 300), fc.nat(3000));
const chunkSizeArb = fc.oneof(fc.integer({ min: 1, max: 300 }), fc.constantFrom(128, 4096, 65536, 0x7fffffff));

interface MessageStep {
  kind: 'message';
  csid: number;
  typeId: number;
  delta: number;
  streamId: number;
  length: number;
  seed: number;
}
type Step = MessageStep | { kind: 'chunk-size'; size: number };

const messageStepArb: fc.Arbitrary<MessageStep> = fc.record({
  kind: fc.constant('message' as const),
  csid: csidArb,
  typeId: fc.oneof(fc.constantFrom(8, 9, 18, 20), fc.integer({ min: 3, max: 255 })), // 1 and 2 act on the decoder
  delta: deltaArb,
  streamId: fc.oneof(fc.constant(1), fc.nat({ max: 0xffffffff })),
  length: lengthArb,
  seed: fc.nat(255),
});
const stepArb: fc.Arbitrary<Step> = fc.oneof(
  { weight: 6, arbitrary: messageStepArb },
  { weight: 1, arbitrary: chunkSizeArb.map((size) => ({ kind: 'chunk-size', size }) as const) },
);
const piecesArb = fc.array(fc.integer({ min: 1, max: 5000 }), { minLength: 1, maxLength: 20 });

const payloadOf = (length: number, seed: number): Buffer =>
  Buffer.from(Array.from({ length }, (_, i) => (seed * 31 + i * 7 + (i >> 8)) & 0xff));
const normal = (m: RtmpMessage) => [m.typeId, m.timestamp, m.streamId, m.payload.toString('hex')];

/** Cuts `bytes` into pieces of the given sizes, cycling through them. */
function cut(bytes: Buffer, sizes: number[]): Buffer[] {
  const pieces: Buffer[] = [];
  for (let at = 0, i = 0; at < bytes.length; i++) {
    const size = sizes[i % sizes.length]!;
    pieces.push(bytes.subarray(at, at + size));
    at += size;
  }
  return pieces;
}

function decodePieces(pieces: Buffer[]): { messages: RtmpMessage[]; error: RtmpError | undefined } {
  const decoder = new ChunkDecoder();
  const messages: RtmpMessage[] = [];
  let error: RtmpError | undefined;
  for (const piece of pieces) error = decoder.push(piece, messages);
  return { messages, error };
}

/** The bytes one encoder produces for `steps`, and the messages a decoder must give back. */
function encodeSteps(steps: Step[]): { bytes: Buffer; expected: RtmpMessage[] } {
  const encoder = new ChunkEncoder();
  const last = new Map<number, number>();
  const buffers: Buffer[] = [];
  const expected: RtmpMessage[] = [];
  for (const step of steps) {
    if (step.kind === 'chunk-size') {
      const control = setChunkSizeMessage(step.size);
      buffers.push(...encoder.encode(control, 2));
      encoder.setChunkSize(step.size);
      expected.push(control);
      continue;
    }
    const timestamp = ((last.get(step.csid) ?? 0) + step.delta) >>> 0;
    last.set(step.csid, timestamp);
    const message = { typeId: step.typeId, timestamp, streamId: step.streamId, payload: payloadOf(step.length, step.seed) };
    buffers.push(...encoder.encode(message, step.csid));
    expected.push(message);
  }
  return { bytes: Buffer.concat(buffers), expected };
}

test('encode → decode round trip, split anywhere', (t) => {
  fc.assert(
    fc.property(fc.array(stepArb, { maxLength: 40 }), piecesArb, (steps, sizes) => {
      const { bytes, expected } = encodeSteps(steps);
      const { messages, error } = decodePieces(cut(bytes, sizes));
      return error === undefined && isDeepStrictEqual(messages.map(normal), expected.map(normal));
    }),
  );
  t.pass();
});

test('encodePrepared gives the same bytes as encode on several connections with their own timestamps', (t) => {
  const connectionArb = fc.record({
    base: fc.oneof(fc.constantFrom(0, 0xfffff0, 0xffffffe0), fc.nat({ max: 0xffffffff })),
    streamId: fc.nat({ max: 0xffffffff }),
    chunkSize: fc.constantFrom(128, 128, 4096, 50),
  });
  const itemArb = fc.record({
    csid: fc.constantFrom(4, 6, 64, 400),
    typeId: fc.constantFrom(8, 9),
    delta: deltaArb,
    length: lengthArb,
    seed: fc.nat(255),
  });
  fc.assert(
    fc.property(fc.array(connectionArb, { minLength: 1, maxLength: 4 }), fc.array(itemArb, { maxLength: 30 }), (connections, items) => {
      const setups = connections.map((connection) => {
        const shared = new ChunkEncoder();
        const own = new ChunkEncoder();
        const prologue = [...shared.encode(setChunkSizeMessage(connection.chunkSize), 2)];
        own.encode(setChunkSizeMessage(connection.chunkSize), 2);
        shared.setChunkSize(connection.chunkSize);
        own.setChunkSize(connection.chunkSize);
        return { ...connection, shared, own, viaPrepared: prologue, viaEncode: [...prologue], expected: [] as RtmpMessage[] };
      });
      const last = new Map<number, number>();
      for (const item of items) {
        const payload = payloadOf(item.length, item.seed);
        const prepared = prepareMessage(payload, 128, item.csid); // serialized once for everyone
        const time = ((last.get(item.csid) ?? 0) + item.delta) >>> 0;
        last.set(item.csid, time);
        for (const setup of setups) {
          const timestamp = (setup.base + time) >>> 0;
          setup.viaPrepared.push(...setup.shared.encodePrepared(prepared, item.typeId, timestamp, setup.streamId));
          setup.viaEncode.push(...setup.own.encode({ typeId: item.typeId, timestamp, streamId: setup.streamId, payload }, item.csid));
          setup.expected.push({ typeId: item.typeId, timestamp, streamId: setup.streamId, payload });
        }
      }
      return setups.every((setup) => {
        const bytes = Buffer.concat(setup.viaPrepared);
        if (!bytes.equals(Buffer.concat(setup.viaEncode))) return false;
        const { messages, error } = decodePieces([bytes]);
        return error === undefined && isDeepStrictEqual(messages.slice(1).map(normal), setup.expected.map(normal));
      });
    }),
  );
  t.pass();
});

/** Decoding never throws; messages are well-formed; whole and split decodes agree exactly. */
function robust(bytes: Buffer, sizes: number[]): boolean {
  const whole = decodePieces([bytes]);
  const split = decodePieces(cut(bytes, sizes));
  for (const result of [whole, split]) {
    if (result.error !== undefined && !(result.error instanceof RtmpError)) return false;
    for (const m of result.messages) {
      if (!Buffer.isBuffer(m.payload) || m.typeId < 0 || m.typeId > 255) return false;
      if (!(m.timestamp >= 0 && m.timestamp <= 0xffffffff && m.streamId >= 0 && m.streamId <= 0xffffffff)) return false;
    }
  }
  return (
    whole.error?.code === split.error?.code &&
    isDeepStrictEqual(whole.messages.map(normal), split.messages.map(normal))
  );
}

test('random bytes: only messages or an RtmpError, the same however they are split', (t) => {
  const prefixArb = fc.constantFrom(
    [], // as is: mostly a first-header error
    [0x02, 0, 0, 0, 0, 0, 4, 1, 0, 0, 0, 0, 0, 0, 0, 7], // chunk size 7 first, then random chunks
  );
  fc.assert(
    fc.property(prefixArb, fc.uint8Array({ maxLength: 3000 }), piecesArb, (prefix, random, sizes) =>
      robust(Buffer.concat([Buffer.from(prefix), Buffer.from(random)]), sizes),
    ),
  );
  t.pass();
});

test('mutated valid streams: only messages or an RtmpError, the same however they are split', (t) => {
  const mutationArb = fc.record({
    where: fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
    kind: fc.constantFrom('flip', 'insert', 'delete'),
    value: fc.nat(255),
  });
  fc.assert(
    fc.property(fc.array(stepArb, { maxLength: 20 }), fc.array(mutationArb, { minLength: 1, maxLength: 8 }), piecesArb, (steps, mutations, sizes) => {
      const bytes = [...encodeSteps(steps).bytes];
      for (const { where, kind, value } of mutations) {
        const at = Math.floor(where * bytes.length);
        if (kind === 'flip') bytes[at] = (bytes[at] ?? 0) ^ (value || 1);
        else if (kind === 'insert') bytes.splice(at, 0, value);
        else bytes.splice(at, 1);
      }
      return robust(Buffer.from(bytes), sizes);
    }),
  );
  t.pass();
});
