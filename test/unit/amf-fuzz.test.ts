import assert from 'node:assert/strict';
import test from 'ava';
import fc from 'fast-check';
import { decodeAmf0, encodeAmf0 } from '../../src/rtmp/amf/amf0.js';
import { decodeAmf3, encodeAmf3 } from '../../src/rtmp/amf/amf3.js';
import { AMF_CLASS_NAME, AmfEcmaArray, type AmfObject, type AmfValue } from '../../src/rtmp/amf/types.js';
import { RtmpError, type RtmpErrorCode } from '../../src/rtmp/errors.js';
import { decodeCommand } from '../../src/rtmp/message/commands.js';
import { decodeData } from '../../src/rtmp/message/data.js';
import { MessageType } from '../../src/rtmp/message/types.js';

const DECODE_ERROR_CODES = new Set<RtmpErrorCode>([
  'ERR_RTMP_TRUNCATED',
  'ERR_RTMP_AMF_MARKER',
  'ERR_RTMP_AMF_DEPTH',
  'ERR_RTMP_AMF_LIMIT',
  'ERR_RTMP_AMF_REFERENCE',
  'ERR_RTMP_COMMAND',
]);

function objectOf(entries: ReadonlyArray<readonly [string, AmfValue]>, className?: string): AmfObject {
  const out = Object.create(null) as AmfObject;
  for (const [key, value] of entries) out[key] = value;
  if (className !== undefined) out[AMF_CLASS_NAME] = className;
  return out;
}

/**
 * AmfValue trees. AMF3 cannot carry an empty member name (it ends the member list) nor tell
 * an empty ECMA array from an empty dense one, so its trees avoid both.
 */
function amfValues(flavour: 'amf0' | 'amf3'): fc.Arbitrary<AmfValue> {
  const amf3 = flavour === 'amf3';
  const key = fc.oneof(
    fc.string({ unit: 'grapheme', minLength: amf3 ? 1 : 0, maxLength: 8 }),
    fc.constantFrom('__proto__', 'constructor', 'toString', '0', '10', 'app'),
  );
  const entries = (value: fc.Arbitrary<unknown>) =>
    fc.array(fc.tuple(key, value as fc.Arbitrary<AmfValue>), { minLength: amf3 ? 1 : 0, maxLength: 5 });
  const leaf: fc.Arbitrary<AmfValue> = fc.oneof(
    fc.double(),
    fc.integer(),
    fc.integer({ min: -0x10000000, max: 0x0fffffff }),
    fc.boolean(),
    fc.string({ unit: 'grapheme', maxLength: 20 }),
    fc.constant(null),
    fc.constant(undefined),
    fc.date({ noInvalidDate: true }),
    fc.uint8Array({ maxLength: 8 }).map((bytes) => Buffer.from(bytes)),
  );
  const tree = fc.letrec<{ value: AmfValue; array: AmfValue[]; object: AmfObject; ecma: AmfEcmaArray; typed: AmfObject }>(
    (tie) => ({
      value: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        leaf,
        tie('array'),
        tie('object'),
        tie('ecma'),
        tie('typed'),
      ),
      array: fc.array(tie('value'), { maxLength: 5 }),
      object: entries(tie('value')).map((list) => objectOf(list)),
      ecma: entries(tie('value')).map((list) => new AmfEcmaArray(list)),
      typed: fc
        .tuple(fc.string({ minLength: amf3 ? 1 : 0, maxLength: 8 }), entries(tie('value')))
        .map(([className, list]) => objectOf(list, className)),
    }),
  );
  return tree.value;
}

test('AMF0: decode(encode(values)) equals the values, and re-encoding gives the same bytes', (t) => {
  fc.assert(
    fc.property(fc.array(amfValues('amf0'), { maxLength: 4 }), (values) => {
      const bytes = encodeAmf0(values);
      const decoded = decodeAmf0(bytes);
      assert.ok(!(decoded instanceof RtmpError), decoded instanceof RtmpError ? decoded.message : '');
      assert.deepStrictEqual(decoded, values);
      assert.deepStrictEqual(encodeAmf0(decoded), bytes);
    }),
    { numRuns: 500 },
  );
  t.pass();
});

test('AMF3: decode(encode(values)) equals the values, and re-encoding gives the same bytes', (t) => {
  fc.assert(
    fc.property(fc.array(amfValues('amf3'), { maxLength: 4 }), (values) => {
      const bytes = encodeAmf3(values);
      const decoded = decodeAmf3(bytes);
      assert.ok(!(decoded instanceof RtmpError), decoded instanceof RtmpError ? decoded.message : '');
      assert.deepStrictEqual(decoded, values);
      assert.deepStrictEqual(encodeAmf3(decoded), bytes);
    }),
    { numRuns: 500 },
  );
  t.pass();
});

/** Every decoder must give values or a coded RtmpError for any input, and never throw. */
function decodeEverything(bytes: Uint8Array): void {
  const payload = Buffer.from(bytes);
  const results: unknown[] = [
    decodeAmf0(payload),
    decodeAmf3(payload),
    decodeAmf0(payload, { maxDepth: 2, maxItems: 8, maxStringLength: 4 }),
    decodeCommand({ typeId: MessageType.CommandAmf0, timestamp: 0, streamId: 1, payload }),
    decodeCommand({ typeId: MessageType.CommandAmf3, timestamp: 0, streamId: 1, payload }),
    decodeData({ typeId: MessageType.DataAmf0, timestamp: 0, streamId: 1, payload }),
    decodeData({ typeId: MessageType.DataAmf3, timestamp: 0, streamId: 1, payload }),
  ];
  for (const result of results) {
    if (result instanceof RtmpError) assert.ok(DECODE_ERROR_CODES.has(result.code), result.code);
    else assert.equal(typeof result, 'object');
  }
}

/** Bytes drawn mostly from AMF markers and small lengths, so decoding gets past the first byte. */
const amfishBytes = fc
  .array(fc.oneof(fc.integer({ min: 0, max: 0x12 }), fc.integer({ min: 0, max: 255 })), { maxLength: 96 })
  .map((list) => Uint8Array.from(list));

test('random bytes give values or coded errors, never a throw', (t) => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 96 }), (bytes) => decodeEverything(bytes)), { numRuns: 2000 });
  fc.assert(fc.property(amfishBytes, (bytes) => decodeEverything(bytes)), { numRuns: 3000 });
  t.pass();
});

test('mutated valid payloads give values or coded errors, never a throw', (t) => {
  const mutation = fc.record({
    flips: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }),
    cut: fc.option(fc.nat()),
    insert: fc.option(fc.tuple(fc.nat(), fc.uint8Array({ minLength: 1, maxLength: 4 }))),
  });
  fc.assert(
    fc.property(fc.array(amfValues('amf0'), { minLength: 1, maxLength: 3 }), mutation, (values, change) => {
      const bytes = [...encodeAmf0(values)];
      for (const [at, byte] of change.flips) bytes[at % bytes.length] = byte;
      if (change.insert) bytes.splice(change.insert[0] % (bytes.length + 1), 0, ...change.insert[1]);
      const cut = change.cut === null ? bytes.length : change.cut % (bytes.length + 1);
      decodeEverything(Uint8Array.from(bytes.slice(0, cut)));
      decodeEverything(Uint8Array.from([0x00, ...bytes.slice(0, cut)]));
    }),
    { numRuns: 2000 },
  );
  t.pass();
});

/** A chain of `depth` AMF0 containers of random kinds, each holding the next. */
function containerChain(kinds: readonly number[]): Buffer {
  const head: number[] = [];
  const tail: number[] = [];
  for (const kind of kinds) {
    if (kind === 0) {
      head.push(0x03, 0x00, 0x01, 0x61); // object, key "a"
      tail.unshift(0x00, 0x00, 0x09);
    } else if (kind === 1) {
      head.push(0x08, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01, 0x61); // ECMA array, key "a"
      tail.unshift(0x00, 0x00, 0x09);
    } else if (kind === 2) {
      head.push(0x0a, 0x00, 0x00, 0x00, 0x01); // strict array of 1
    } else {
      head.push(0x10, 0x00, 0x01, 0x43, 0x00, 0x01, 0x61); // typed object "C", key "a"
      tail.unshift(0x00, 0x00, 0x09);
    }
  }
  return Buffer.from([...head, 0x05, ...tail]); // null innermost
}

test('nesting of any container kinds: up to maxDepth decodes, deeper is ERR_RTMP_AMF_DEPTH', (t) => {
  const kinds = (length: number) => fc.array(fc.integer({ min: 0, max: 3 }), { minLength: length, maxLength: length });
  fc.assert(
    fc.property(kinds(64), (chain) => !(decodeAmf0(containerChain(chain)) instanceof RtmpError)),
    { numRuns: 50 },
  );
  fc.assert(
    fc.property(kinds(65), (chain) => (decodeAmf0(containerChain(chain)) as RtmpError).code === 'ERR_RTMP_AMF_DEPTH'),
    { numRuns: 50 },
  );
  fc.assert(
    fc.property(kinds(10_000), (chain) => (decodeAmf0(containerChain(chain)) as RtmpError).code === 'ERR_RTMP_AMF_DEPTH'),
    { numRuns: 5 },
  );
  // AMF0 containers continuing into AMF3 arrays after a switch: depth counts across both.
  const mixed = (amf0: number, amf3: number) =>
    Buffer.from([
      ...new Array<number[]>(amf0).fill([0x0a, 0x00, 0x00, 0x00, 0x01]).flat(), // AMF0 strict arrays of 1
      0x11, //                                                                     switch to AMF3
      ...new Array<number[]>(amf3).fill([0x09, 0x03, 0x01]).flat(), //             AMF3 arrays of 1
      0x01, //                                                                     AMF3 null
    ]);
  t.false(decodeAmf0(mixed(32, 32)) instanceof RtmpError);
  t.is((decodeAmf0(mixed(32, 33)) as RtmpError).code, 'ERR_RTMP_AMF_DEPTH');
  t.is((decodeAmf0(mixed(5000, 5000)) as RtmpError).code, 'ERR_RTMP_AMF_DEPTH');
});
