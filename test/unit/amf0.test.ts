import test from 'ava';
import { decodeAmf0, encodeAmf0 } from '../../src/rtmp/amf/amf0.js';
import { AMF_CLASS_NAME, AmfEcmaArray, type AmfValue, createAmfObject } from '../../src/rtmp/amf/types.js';
import { RtmpError } from '../../src/rtmp/errors.js';

// Fixtures are hand-written from the AMF0 specification, never produced by the encoder.
const ascii = (text: string): number[] => [...Buffer.from(text, 'latin1')];
const F64_1 = [0x3f, 0xf0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00]; // 1.0
const F64_1_5 = [0x3f, 0xf8, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00]; // 1.5
const F64_2 = [0x40, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00]; // 2.0
const F64_1_7E12 = [0x42, 0x78, 0xbc, 0xfe, 0x56, 0x80, 0x00, 0x00]; // 1700000000000 (ms)

function decodeOne(bytes: number[]): AmfValue {
  const values = decodeAmf0(Buffer.from(bytes));
  if (values instanceof RtmpError) throw new Error(`unexpected ${values.code}: ${values.message}`);
  if (values.length !== 1) throw new Error(`expected one value, got ${values.length}`);
  return values[0];
}

function errorCode(bytes: number[], limits?: Parameters<typeof decodeAmf0>[1]): string {
  const result = decodeAmf0(Buffer.from(bytes), limits);
  return result instanceof RtmpError ? result.code : 'no error';
}

interface Fixture {
  readonly title: string;
  readonly bytes: number[];
  readonly value: AmfValue;
  /** The encoder writes exactly these bytes back (false for non-canonical forms). */
  readonly canonical: boolean;
}

const fixtures: Fixture[] = [
  { title: 'number', bytes: [0x00, ...F64_1_5], value: 1.5, canonical: true }, // marker, f64 BE
  { title: 'boolean true', bytes: [0x01, 0x01], value: true, canonical: true }, // marker, u8 1
  { title: 'boolean false', bytes: [0x01, 0x00], value: false, canonical: true }, // marker, u8 0
  {
    title: 'string',
    bytes: [
      0x02, 0x00, 0x05, // string marker, u16 length 5
      ...ascii('hello'),
    ],
    value: 'hello',
    canonical: true,
  },
  {
    title: 'utf-8 string',
    bytes: [
      0x02, 0x00, 0x03, // string marker, u16 length 3 (bytes, not characters)
      0xe2, 0x82, 0xac, // U+20AC euro sign in UTF-8
    ],
    value: '\u20ac',
    canonical: true,
  },
  {
    title: 'object',
    bytes: [
      0x03, //                     object marker
      0x00, 0x03, ...ascii('app'), // key "app"
      0x02, 0x00, 0x04, ...ascii('live'), // string "live"
      0x00, 0x03, ...ascii('nnn'), // key "nnn"
      0x00, ...F64_1, //           number 1
      0x00, 0x00, 0x09, //         empty key + object end marker
    ],
    value: createAmfObject({ app: 'live', nnn: 1 }),
    canonical: true,
  },
  { title: 'null', bytes: [0x05], value: null, canonical: true }, // null marker
  { title: 'undefined', bytes: [0x06], value: undefined, canonical: true }, // undefined marker
  {
    title: 'ECMA array',
    bytes: [
      0x08, 0x00, 0x00, 0x00, 0x02, // ECMA array marker, u32 count 2
      0x00, 0x01, ...ascii('x'), //  key "x"
      0x00, ...F64_2, //             number 2
      0x00, 0x01, ...ascii('0'), //  key "0" (kept in wire order, unlike an object's keys)
      0x05, //                       null
      0x00, 0x00, 0x09, //           object end
    ],
    value: new AmfEcmaArray([['x', 2], ['0', null]]),
    canonical: true,
  },
  {
    title: 'strict array',
    bytes: [
      0x0a, 0x00, 0x00, 0x00, 0x02, // strict array marker, u32 count 2
      0x00, ...F64_1, //              number 1
      0x01, 0x01, //                  true
    ],
    value: [1, true],
    canonical: true,
  },
  {
    title: 'date',
    bytes: [
      0x0b, //            date marker
      ...F64_1_7E12, //   f64 ms since the epoch
      0x00, 0x00, //      s16 time zone 0
    ],
    value: new Date(1700000000000),
    canonical: true,
  },
  {
    title: 'long string',
    bytes: [
      0x0c, 0x00, 0x00, 0x00, 0x03, // long string marker, u32 length 3
      ...ascii('abc'),
    ],
    value: 'abc',
    canonical: false, // the encoder uses 0x02 below 64 KiB
  },
  { title: 'unsupported', bytes: [0x0d], value: undefined, canonical: false }, // unsupported marker, no data
  {
    title: 'XML document',
    bytes: [
      0x0f, 0x00, 0x00, 0x00, 0x04, // XML document marker, u32 length 4
      ...ascii('<a/>'),
    ],
    value: '<a/>',
    canonical: false,
  },
  {
    title: 'typed object',
    bytes: [
      0x10, 0x00, 0x03, ...ascii('Foo'), // typed object marker, u16 class name "Foo"
      0x00, 0x01, ...ascii('n'), //        key "n"
      0x05, //                             null
      0x00, 0x00, 0x09, //                 object end
    ],
    value: Object.assign(createAmfObject({ n: null }), { [AMF_CLASS_NAME]: 'Foo' }),
    canonical: true,
  },
  {
    title: 'AMF3 switch to an AMF3 integer',
    bytes: [
      0x11, //       avmplus-object-marker: an AMF3 value follows
      0x04, 0x7f, // AMF3 integer marker, U29 127
    ],
    value: 127,
    canonical: false,
  },
  {
    title: 'AMF3 switch to a byte array',
    bytes: [
      0x11, //             avmplus-object-marker
      0x0c, 0x07, //       AMF3 ByteArray marker, U29 (3 << 1) | 1: inline, 3 bytes
      0x01, 0x02, 0x03, // the bytes
    ],
    value: Buffer.from([1, 2, 3]),
    canonical: true, // a Buffer is encoded exactly so
  },
];

for (const fixture of fixtures) {
  test(`decodes ${fixture.title}`, (t) => {
    t.deepEqual(decodeOne(fixture.bytes), fixture.value);
  });

  if (fixture.bytes.length > 1) test(`${fixture.title} truncated at every offset is a coded error, never a throw`, (t) => {
    const full = Buffer.from(fixture.bytes);
    for (let end = 1; end < full.length; end++) {
      const result = decodeAmf0(full.subarray(0, end));
      t.true(result instanceof RtmpError, `prefix of ${end} bytes`);
      t.is((result as RtmpError).code, 'ERR_RTMP_TRUNCATED');
    }
  });

  if (fixture.canonical) {
    test(`encodes ${fixture.title} to the same bytes`, (t) => {
      t.deepEqual([...encodeAmf0([fixture.value])], fixture.bytes);
    });
  }
}

test('a typed object keeps its class name under the symbol', (t) => {
  const value = decodeOne(fixtures.find((f) => f.title === 'typed object')!.bytes) as Record<symbol, unknown>;
  t.is(value[AMF_CLASS_NAME], 'Foo');
});

test('decoded objects have no prototype and store __proto__ as data', (t) => {
  const bytes = [
    0x03, //                                object marker
    0x00, 0x09, ...ascii('__proto__'), //   key "__proto__"
    0x03, //                                object marker
    0x00, 0x08, ...ascii('polluted'), //    key "polluted"
    0x01, 0x01, //                          true
    0x00, 0x00, 0x09, //                    end of inner object
    0x00, 0x0b, ...ascii('constructor'), // key "constructor"
    0x05, //                                null
    0x00, 0x00, 0x09, //                    end of outer object
  ];
  const value = decodeOne(bytes) as Record<string, unknown>;
  t.is(Object.getPrototypeOf(value), null);
  t.deepEqual(Object.keys(value), ['__proto__', 'constructor']);
  t.is((value['__proto__'] as Record<string, unknown>)['polluted'], true);
  t.is(({} as Record<string, unknown>)['polluted'], undefined);
  t.deepEqual([...encodeAmf0([value as AmfValue])], bytes);
});

test('an empty property name followed by a value is a property, not the end', (t) => {
  const bytes = [
    0x03, //             object marker
    0x00, 0x00, //       key "" (the next byte is not 0x09)
    0x05, //             null
    0x00, 0x00, 0x09, // object end
  ];
  t.deepEqual(decodeOne(bytes), createAmfObject({ '': null }));
  t.deepEqual([...encodeAmf0([decodeOne(bytes)])], bytes);
});

test('a reference resolves to the same earlier object', (t) => {
  const bytes = [
    0x0a, 0x00, 0x00, 0x00, 0x02, // strict array (reference index 0), 2 elements
    0x03, //                        object (reference index 1)
    0x00, 0x01, ...ascii('a'), 0x00, ...F64_1, // a: 1
    0x00, 0x00, 0x09, //            object end
    0x07, 0x00, 0x01, //            reference marker, u16 index 1
  ];
  const value = decodeOne(bytes) as AmfValue[];
  t.deepEqual(value[0], createAmfObject({ a: 1 }));
  t.is(value[1], value[0]);
});

test('a reference out of range or into an unfinished object is refused', (t) => {
  t.is(errorCode([0x07, 0x00, 0x00]), 'ERR_RTMP_AMF_REFERENCE'); // reference 0, empty table
  const cycle = [
    0x0a, 0x00, 0x00, 0x00, 0x01, // strict array (index 0), 1 element
    0x07, 0x00, 0x00, //            reference to index 0: the array itself, still open
  ];
  t.is(errorCode(cycle), 'ERR_RTMP_AMF_REFERENCE');
});

test('unknown and reserved markers are ERR_RTMP_AMF_MARKER', (t) => {
  for (const marker of [0x04, 0x09, 0x0e, 0x12, 0x7f, 0xff]) {
    t.is(errorCode([marker]), 'ERR_RTMP_AMF_MARKER', `marker 0x${marker.toString(16)}`);
  }
  // An object whose property value is the object end marker (a missing value).
  t.is(errorCode([0x03, 0x00, 0x01, ...ascii('a'), 0x09]), 'ERR_RTMP_AMF_MARKER');
});

test('decodes several values back to back', (t) => {
  const bytes = [0x02, 0x00, 0x01, ...ascii('x'), 0x05, 0x00, ...F64_2]; // "x", null, 2
  t.deepEqual(decodeAmf0(Buffer.from(bytes)), ['x', null, 2]);
  t.deepEqual(decodeAmf0(Buffer.alloc(0)), []);
});

/** n strict arrays, each holding the next, the innermost holding null: depth n. */
function nestedArrays(n: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(0x0a, 0x00, 0x00, 0x00, 0x01); // strict array of 1
  out.push(0x05); // null
  return out;
}

/** n objects, each holding the next under key "a", the innermost empty: depth n. */
function nestedObjects(n: number): Buffer {
  const open = [0x03, 0x00, 0x01, 0x61]; // object marker, key "a"
  const close = [0x00, 0x00, 0x09]; // object end
  const bytes: number[] = [];
  for (let i = 0; i < n - 1; i++) bytes.push(...open);
  bytes.push(0x03, ...close);
  for (let i = 0; i < n - 1; i++) bytes.push(...close);
  return Buffer.from(bytes);
}

test('maxDepth: exactly the limit decodes, one more is ERR_RTMP_AMF_DEPTH', (t) => {
  t.is(errorCode(nestedArrays(64)), 'no error'); // the default limit
  t.is(errorCode(nestedArrays(65)), 'ERR_RTMP_AMF_DEPTH');
  t.is(errorCode(nestedArrays(3), { maxDepth: 3 }), 'no error');
  t.is(errorCode(nestedArrays(4), { maxDepth: 3 }), 'ERR_RTMP_AMF_DEPTH');
  t.false(decodeAmf0(nestedObjects(64)) instanceof RtmpError);
  t.is((decodeAmf0(nestedObjects(65)) as RtmpError).code, 'ERR_RTMP_AMF_DEPTH');
});

test('10,000 nested containers give ERR_RTMP_AMF_DEPTH, not a stack overflow', (t) => {
  t.is(errorCode(nestedArrays(10_000)), 'ERR_RTMP_AMF_DEPTH');
  t.is((decodeAmf0(nestedObjects(10_000)) as RtmpError).code, 'ERR_RTMP_AMF_DEPTH');
  // Even a caller asking for an absurd depth is held to the ceiling.
  t.is(errorCode(nestedArrays(10_000), { maxDepth: 1e9 }), 'ERR_RTMP_AMF_DEPTH');
});

test('a limit given as NaN or a negative number falls back to its default, never to no limit', (t) => {
  t.is(errorCode(nestedArrays(65), { maxDepth: Number.NaN }), 'ERR_RTMP_AMF_DEPTH');
  t.is(errorCode(nestedArrays(64), { maxDepth: Number.NaN }), 'no error');
  t.is(errorCode([0x0c, 0x00, 0x20, 0x00, 0x01], { maxStringLength: -1 }), 'ERR_RTMP_AMF_LIMIT'); // 1 MiB + 1
});

/** A strict array of `count` nulls: 1 + count values. */
function arrayOfNulls(count: number): number[] {
  return [0x0a, 0x00, 0x00, (count >> 8) & 0xff, count & 0xff, ...new Array<number>(count).fill(0x05)];
}

test('maxItems: exactly the limit decodes, one more is ERR_RTMP_AMF_LIMIT', (t) => {
  t.is(errorCode(arrayOfNulls(9), { maxItems: 10 }), 'no error');
  t.is(errorCode(arrayOfNulls(10), { maxItems: 10 }), 'ERR_RTMP_AMF_LIMIT');
  // Properties count as they are decoded (an object declares no count).
  const object = (n: number): number[] => {
    const out = [0x03];
    for (let i = 0; i < n; i++) out.push(0x00, 0x01, 0x61 + i, 0x05); // key, null
    return [...out, 0x00, 0x00, 0x09];
  };
  t.is(errorCode(object(9), { maxItems: 10 }), 'no error');
  t.is(errorCode(object(10), { maxItems: 10 }), 'ERR_RTMP_AMF_LIMIT');
});

test('a reference charges the subtree it re-uses, so shared structure cannot multiply', (t) => {
  const bytes = [
    0x0a, 0x00, 0x00, 0x00, 0x02, // top strict array: 1 value (index 0)
    0x0a, 0x00, 0x00, 0x00, 0x03, // inner strict array (index 1): 1 value
    0x05, 0x05, 0x05, //             3 nulls: 3 values
    0x07, 0x00, 0x01, //             reference to the inner array: 1 + its 3 = 4 values
  ]; // 1 + 1 + 3 + 4 = 9 values in all
  t.is(errorCode(bytes, { maxItems: 9 }), 'no error');
  t.is(errorCode(bytes, { maxItems: 8 }), 'ERR_RTMP_AMF_LIMIT');
});

test('a reference placed deeper counts the depth of what it re-uses', (t) => {
  const bytes = [
    0x0a, 0x00, 0x00, 0x00, 0x02, // depth 1: strict array (index 0)
    0x0a, 0x00, 0x00, 0x00, 0x01, // depth 2: A (index 1), height 2
    0x0a, 0x00, 0x00, 0x00, 0x00, // depth 3: empty array (index 2)
    0x0a, 0x00, 0x00, 0x00, 0x01, // depth 2: array (index 3)
    0x07, 0x00, 0x01, //             reference to A placed at depth 3: reaches depth 4
  ];
  t.is(errorCode(bytes, { maxDepth: 4 }), 'no error');
  t.is(errorCode(bytes, { maxDepth: 3 }), 'ERR_RTMP_AMF_DEPTH');
});

test('maxStringLength: exactly the limit decodes, one more is ERR_RTMP_AMF_LIMIT', (t) => {
  const limits = { maxStringLength: 4 };
  t.is(errorCode([0x02, 0x00, 0x04, ...ascii('abcd')], limits), 'no error');
  t.is(errorCode([0x02, 0x00, 0x05, ...ascii('abcde')], limits), 'ERR_RTMP_AMF_LIMIT');
  t.is(errorCode([0x0c, 0x00, 0x00, 0x00, 0x04, ...ascii('abcd')], limits), 'no error');
  t.is(errorCode([0x0c, 0x00, 0x00, 0x00, 0x05, ...ascii('abcde')], limits), 'ERR_RTMP_AMF_LIMIT');
  t.is(errorCode([0x03, 0x00, 0x05, ...ascii('abcde'), 0x05, 0x00, 0x00, 0x09], limits), 'ERR_RTMP_AMF_LIMIT');
  // A long string declaring 4 GiB is refused before anything is read.
  t.is(errorCode([0x0c, 0xff, 0xff, 0xff, 0xff, 0x61]), 'ERR_RTMP_AMF_LIMIT');
});

test('a strict array declaring 0xFFFFFFFF elements fails fast without allocating', (t) => {
  const bytes = Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x05, 0x05, 0x05, 0x05, 0x05]);
  const before = process.memoryUsage().arrayBuffers + process.memoryUsage().heapUsed;
  const started = performance.now();
  const result = decodeAmf0(bytes);
  t.true(performance.now() - started < 50);
  t.is((result as RtmpError).code, 'ERR_RTMP_AMF_LIMIT');
  // Even with the item limit lifted, the count is checked against the bytes left.
  t.is((decodeAmf0(bytes, { maxItems: 2 ** 33 }) as RtmpError).code, 'ERR_RTMP_TRUNCATED');
  const after = process.memoryUsage().arrayBuffers + process.memoryUsage().heapUsed;
  t.true(after - before < 16 * 1024 * 1024);
});

test('an ECMA array count is advisory: the end marker decides', (t) => {
  const bytes = [
    0x08, 0x00, 0x00, 0x00, 0x00, // ECMA array, count 0 (as some encoders write)
    0x00, 0x01, ...ascii('a'), 0x01, 0x01, // a: true
    0x00, 0x00, 0x09, //           object end
  ];
  t.deepEqual(decodeOne(bytes), new AmfEcmaArray([['a', true]]));
});

test('AmfEcmaArray.get takes the last duplicate and toObject is prototype-free', (t) => {
  const array = new AmfEcmaArray([['k', 1], ['__proto__', 2], ['k', 3]]);
  t.is(array.get('k'), 3);
  t.is(array.get('missing'), undefined);
  const object = array.toObject();
  t.is(Object.getPrototypeOf(object), null);
  t.is(object['__proto__'], 2);
});

test('encodes a string over 65535 bytes as a long string', (t) => {
  const text = 'x'.repeat(70_000);
  const bytes = encodeAmf0([text]);
  t.deepEqual([...bytes.subarray(0, 5)], [0x0c, 0x00, 0x01, 0x11, 0x70]); // marker, u32 70000
  t.deepEqual(decodeAmf0(bytes), [text]);
});

test('the encoder refuses a cyclic value instead of overflowing the stack', (t) => {
  const cyclic: AmfValue[] = [];
  cyclic.push(cyclic);
  t.throws(() => encodeAmf0([cyclic]), { instanceOf: RangeError });
});
