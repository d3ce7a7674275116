import test from 'ava';
import { decodeAmf0 } from '../../src/rtmp/amf/amf0.js';
import { decodeAmf3, encodeAmf3 } from '../../src/rtmp/amf/amf3.js';
import { AMF_CLASS_NAME, AmfEcmaArray, type AmfValue, createAmfObject } from '../../src/rtmp/amf/types.js';
import { RtmpError } from '../../src/rtmp/errors.js';

// Fixtures are hand-written from the AMF3 specification (U29 = 1 to 4 bytes: three of 7 bits
// with a continuation bit, then one of 8 bits), never produced by the encoder.
const ascii = (text: string): number[] => [...Buffer.from(text, 'latin1')];
const F64_1_5 = [0x3f, 0xf8, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00]; // 1.5
const F64_1_7E12 = [0x42, 0x78, 0xbc, 0xfe, 0x56, 0x80, 0x00, 0x00]; // 1700000000000 (ms)

function decodeOne(bytes: number[]): AmfValue {
  const values = decodeAmf3(Buffer.from(bytes));
  if (values instanceof RtmpError) throw new Error(`unexpected ${values.code}: ${values.message}`);
  if (values.length !== 1) throw new Error(`expected one value, got ${values.length}`);
  return values[0];
}

function errorCode(bytes: number[], limits?: Parameters<typeof decodeAmf3>[1]): string {
  const result = decodeAmf3(Buffer.from(bytes), limits);
  return result instanceof RtmpError ? result.code : 'no error';
}

function typed(className: string, properties: Record<string, AmfValue>): AmfValue {
  return Object.assign(createAmfObject(properties), { [AMF_CLASS_NAME]: className });
}

interface Fixture {
  readonly title: string;
  readonly bytes: number[];
  readonly value: AmfValue;
  /** The encoder writes exactly these bytes back. */
  readonly canonical: boolean;
}

const fixtures: Fixture[] = [
  { title: 'undefined', bytes: [0x00], value: undefined, canonical: true },
  { title: 'null', bytes: [0x01], value: null, canonical: true },
  { title: 'false', bytes: [0x02], value: false, canonical: true },
  { title: 'true', bytes: [0x03], value: true, canonical: true },
  { title: 'integer 0', bytes: [0x04, 0x00], value: 0, canonical: true }, // marker, U29 0
  { title: 'integer 127', bytes: [0x04, 0x7f], value: 127, canonical: true }, // 1-byte U29 maximum
  { title: 'integer 128', bytes: [0x04, 0x81, 0x00], value: 128, canonical: true }, // 0b1 + 0b0000000
  { title: 'integer 16383', bytes: [0x04, 0xff, 0x7f], value: 16383, canonical: true }, // 2-byte maximum
  { title: 'integer 16384', bytes: [0x04, 0x81, 0x80, 0x00], value: 16384, canonical: true }, // 3 bytes
  { title: 'integer 2097152', bytes: [0x04, 0x80, 0xc0, 0x80, 0x00], value: 2097152, canonical: true }, // 4 bytes
  {
    title: 'integer 2^28 - 1 (largest)',
    bytes: [0x04, 0xbf, 0xff, 0xff, 0xff], // 7+7+7 bits 0x3f/0x7f/0x7f, then 8 bits 0xff
    value: 0x0fffffff,
    canonical: true,
  },
  {
    title: 'integer -2^28 (smallest)',
    bytes: [0x04, 0xc0, 0x80, 0x80, 0x00], // 29-bit 0x10000000: the sign bit alone
    value: -0x10000000,
    canonical: true,
  },
  { title: 'integer -1', bytes: [0x04, 0xff, 0xff, 0xff, 0xff], value: -1, canonical: true }, // 29 one bits
  { title: 'double', bytes: [0x05, ...F64_1_5], value: 1.5, canonical: true }, // marker, f64 BE
  {
    title: 'string',
    bytes: [
      0x06, 0x0b, // string marker, U29 (5 << 1) | 1: inline, 5 bytes
      ...ascii('hello'),
    ],
    value: 'hello',
    canonical: true,
  },
  { title: 'empty string', bytes: [0x06, 0x01], value: '', canonical: true }, // inline, length 0
  {
    title: 'XML document',
    bytes: [0x07, 0x09, ...ascii('<a/>')], // XMLDocument marker, U29 (4 << 1) | 1
    value: '<a/>',
    canonical: false,
  },
  {
    title: 'XML',
    bytes: [0x0b, 0x09, ...ascii('<b/>')], // XML marker, U29 (4 << 1) | 1
    value: '<b/>',
    canonical: false,
  },
  {
    title: 'date',
    bytes: [
      0x08, 0x01, //     date marker, U29 1: inline (no length)
      ...F64_1_7E12, //  f64 ms since the epoch
    ],
    value: new Date(1700000000000),
    canonical: true,
  },
  {
    title: 'dense array',
    bytes: [
      0x09, 0x05, // array marker, U29 (2 << 1) | 1: inline, 2 dense elements
      0x01, //       empty key: no associative part
      0x04, 0x01, // integer 1
      0x04, 0x02, // integer 2
    ],
    value: [1, 2],
    canonical: true,
  },
  {
    title: 'associative array',
    bytes: [
      0x09, 0x01, //             array marker, inline, 0 dense elements
      0x03, ...ascii('k'), //    key "k"
      0x04, 0x05, //             integer 5
      0x01, //                   empty key: end of the associative part
    ],
    value: new AmfEcmaArray([['k', 5]]),
    canonical: true,
  },
  {
    title: 'mixed array',
    bytes: [
      0x09, 0x03, //             array marker, inline, 1 dense element
      0x03, ...ascii('k'), //    key "k"
      0x04, 0x05, //             integer 5
      0x01, //                   end of the associative part
      0x06, 0x03, ...ascii('v'), // dense element 0: "v"
    ],
    value: new AmfEcmaArray([['k', 5], ['0', 'v']]),
    canonical: false,
  },
  {
    title: 'anonymous dynamic object with a trait reference',
    bytes: [
      0x0a, 0x0b, //              object, U29 0b1011: inline object, inline traits, dynamic, 0 sealed
      0x01, //                    class name "" (anonymous)
      0x09, ...ascii('prop'), //  dynamic key "prop"
      0x0a, 0x01, //              object, U29 0b0001: inline object, traits reference 0 (the outer's)
      0x03, ...ascii('a'), //     dynamic key "a"
      0x04, 0x01, //              integer 1
      0x01, //                    end of the inner dynamic members
      0x01, //                    end of the outer dynamic members
    ],
    value: createAmfObject({ prop: createAmfObject({ a: 1 }) }),
    canonical: false,
  },
  {
    title: 'sealed typed object',
    bytes: [
      0x0a, 0x23, //              object, U29 (2 << 4) | 0b0011: inline, inline traits, 2 sealed, not dynamic
      0x07, ...ascii('Foo'), //   class name "Foo"
      0x03, ...ascii('x'), //     sealed member name "x"
      0x03, ...ascii('y'), //     sealed member name "y"
      0x04, 0x01, //              x = 1
      0x04, 0x02, //              y = 2
    ],
    value: typed('Foo', { x: 1, y: 2 }),
    canonical: false,
  },
  {
    title: 'typed object with sealed and dynamic members',
    bytes: [
      0x0a, 0x1b, //              object, U29 (1 << 4) | 0b1011: 1 sealed, dynamic
      0x07, ...ascii('Bar'), //   class name "Bar"
      0x03, ...ascii('s'), //     sealed member name "s"
      0x02, //                    s = false
      0x03, ...ascii('d'), //     dynamic key "d"
      0x01, //                    d = null
      0x01, //                    end of the dynamic members
    ],
    value: typed('Bar', { s: false, d: null }),
    canonical: false,
  },
  {
    title: 'object and string references',
    bytes: [
      0x09, 0x07, 0x01, //        array (object index 0), 3 dense elements, no associative part
      0x0a, 0x0b, 0x01, //        object (object index 1), anonymous dynamic
      0x05, ...ascii('ab'), //    key "ab" (string index 0)
      0x06, 0x00, //              value: string reference 0, "ab"
      0x01, //                    end of the dynamic members
      0x0a, 0x02, //              object reference 1 (U29 1 << 1)
      0x06, 0x00, //              string reference 0, "ab"
    ],
    value: [createAmfObject({ ab: 'ab' }), createAmfObject({ ab: 'ab' }), 'ab'],
    canonical: false,
  },
  {
    title: 'byte array',
    bytes: [0x0c, 0x07, 0x01, 0x02, 0x03], // ByteArray marker, U29 (3 << 1) | 1, 3 bytes
    value: Buffer.from([1, 2, 3]),
    canonical: true,
  },
];

for (const fixture of fixtures) {
  test(`decodes ${fixture.title}`, (t) => {
    t.deepEqual(decodeOne(fixture.bytes), fixture.value);
  });

  if (fixture.bytes.length > 1) {
    test(`${fixture.title} truncated at every offset is a coded error, never a throw`, (t) => {
      const full = Buffer.from(fixture.bytes);
      for (let end = 1; end < full.length; end++) {
        const result = decodeAmf3(full.subarray(0, end));
        t.true(result instanceof RtmpError, `prefix of ${end} bytes`);
        t.is((result as RtmpError).code, 'ERR_RTMP_TRUNCATED');
      }
    });
  }

  if (fixture.canonical) {
    test(`encodes ${fixture.title} to the same bytes`, (t) => {
      t.deepEqual([...encodeAmf3([fixture.value])], fixture.bytes);
    });
  }
}

test('an object reference is the same object', (t) => {
  const value = decodeOne(fixtures.find((f) => f.title === 'object and string references')!.bytes) as AmfValue[];
  t.is(value[1], value[0]);
});

test('a date reference and a sealed traits reference resolve', (t) => {
  const dates = decodeOne([
    0x09, 0x05, 0x01, //   array (object index 0), 2 dense elements
    0x08, 0x01, ...F64_1_7E12, // date (object index 1), inline
    0x08, 0x02, //         object reference 1: the same date
  ]) as AmfValue[];
  t.deepEqual(dates[0], new Date(1700000000000));
  t.is(dates[1], dates[0]);
  const objects = decodeOne([
    0x09, 0x05, 0x01, //       array, 2 dense elements
    0x0a, 0x13, //             object, U29 (1 << 4) | 0b0011: inline traits, 1 sealed member
    0x07, ...ascii('Foo'), //  class name "Foo" (string index 0)
    0x03, ...ascii('x'), //    sealed member name "x" (string index 1)
    0x04, 0x01, //             x = 1
    0x0a, 0x01, //             object, U29 0b0001: traits reference 0 (Foo with x)
    0x04, 0x02, //             x = 2
  ]);
  t.deepEqual(objects, [typed('Foo', { x: 1 }), typed('Foo', { x: 2 })]);
});

test('the empty string never enters the string table', (t) => {
  const bytes = [
    0x09, 0x07, 0x01, //     array, 3 dense elements
    0x06, 0x01, //           "" (not added to the table)
    0x06, 0x03, 0x78, //     "x" (string index 0)
    0x06, 0x00, //           string reference 0: "x"
  ];
  t.deepEqual(decodeOne(bytes), ['', 'x', 'x']);
});

test('a dynamic key __proto__ is stored as data', (t) => {
  const bytes = [
    0x0a, 0x0b, 0x01, //             anonymous dynamic object
    0x13, ...ascii('__proto__'), //  key "__proto__" (U29 (9 << 1) | 1)
    0x03, //                         true
    0x01, //                         end
  ];
  const value = decodeOne(bytes) as Record<string, unknown>;
  t.is(Object.getPrototypeOf(value), null);
  t.is(value['__proto__'], true);
  t.is(Object.getPrototypeOf({}), Object.prototype);
});

test('references out of range, cycles and unsupported types are coded errors', (t) => {
  t.is(errorCode([0x06, 0x00]), 'ERR_RTMP_AMF_REFERENCE'); // string reference 0, empty table
  t.is(errorCode([0x0a, 0x00]), 'ERR_RTMP_AMF_REFERENCE'); // object reference 0, empty table
  t.is(errorCode([0x08, 0x02]), 'ERR_RTMP_AMF_REFERENCE'); // date: object reference 1
  t.is(errorCode([0x0a, 0x05]), 'ERR_RTMP_AMF_REFERENCE'); // inline object, traits reference 1
  // An array holding a reference to itself (as Flash writes a self-containing array).
  t.is(errorCode([0x09, 0x03, 0x01, 0x09, 0x00]), 'ERR_RTMP_AMF_REFERENCE');
  // Externalizable traits (U29 0b0111) carry class-defined bytes we cannot parse.
  t.is(errorCode([0x0a, 0x07, 0x07, ...ascii('Foo')]), 'ERR_RTMP_AMF_MARKER');
  for (const marker of [0x0d, 0x0e, 0x0f, 0x10, 0x11, 0x12, 0xff]) {
    t.is(errorCode([marker, 0x01]), 'ERR_RTMP_AMF_MARKER', `marker 0x${marker.toString(16)}`);
  }
});

/** n dense arrays of one element each, the innermost holding null: depth n. */
function nestedArrays(n: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(0x09, 0x03, 0x01); // array, 1 dense element, no associative part
  out.push(0x01); // null
  return out;
}

test('maxDepth: exactly the limit decodes, one more is ERR_RTMP_AMF_DEPTH', (t) => {
  t.is(errorCode(nestedArrays(64)), 'no error');
  t.is(errorCode(nestedArrays(65)), 'ERR_RTMP_AMF_DEPTH');
  t.is(errorCode(nestedArrays(2), { maxDepth: 2 }), 'no error');
  t.is(errorCode(nestedArrays(3), { maxDepth: 2 }), 'ERR_RTMP_AMF_DEPTH');
  t.is(errorCode(nestedArrays(10_000)), 'ERR_RTMP_AMF_DEPTH');
});

test('maxItems: exactly the limit decodes, one more is ERR_RTMP_AMF_LIMIT', (t) => {
  const nulls = (n: number): number[] => [0x09, (n << 1) | 1, 0x01, ...new Array<number>(n).fill(0x01)];
  t.is(errorCode(nulls(9), { maxItems: 10 }), 'no error');
  t.is(errorCode(nulls(10), { maxItems: 10 }), 'ERR_RTMP_AMF_LIMIT');
});

test('maxStringLength applies to strings, XML and byte arrays', (t) => {
  const limits = { maxStringLength: 3 };
  t.is(errorCode([0x06, 0x07, ...ascii('abc')], limits), 'no error');
  t.is(errorCode([0x06, 0x09, ...ascii('abcd')], limits), 'ERR_RTMP_AMF_LIMIT');
  t.is(errorCode([0x0b, 0x09, ...ascii('abcd')], limits), 'ERR_RTMP_AMF_LIMIT');
  t.is(errorCode([0x0c, 0x07, 1, 2, 3], limits), 'no error');
  t.is(errorCode([0x0c, 0x09, 1, 2, 3, 4], limits), 'ERR_RTMP_AMF_LIMIT');
});

test('a dense array declaring 2^28 - 1 elements with 5 bytes fails fast', (t) => {
  const bytes = [
    0x09, 0xff, 0xff, 0xff, 0xff, // array, U29 0x1fffffff: inline, 0x0fffffff dense elements
    0x01, //                        no associative part
    0x01, 0x01, 0x01, 0x01, 0x01, // 5 nulls
  ];
  const started = performance.now();
  t.is(errorCode(bytes), 'ERR_RTMP_AMF_LIMIT');
  t.is(errorCode(bytes, { maxItems: 2 ** 31 }), 'ERR_RTMP_TRUNCATED');
  t.true(performance.now() - started < 50);
  // A sealed member count as large is refused the same way.
  t.is(errorCode([0x0a, 0xff, 0xff, 0xff, 0xf3, 0x01], { maxItems: 2 ** 31 }), 'ERR_RTMP_TRUNCATED');
});

test('AMF0 decodes an AMF3 object after the 0x11 switch, each switch with fresh tables', (t) => {
  const bytes = [
    0x11, //                   AMF0 avmplus-object-marker
    0x0a, 0x0b, 0x01, //       AMF3 anonymous dynamic object
    0x07, ...ascii('app'), //  key "app" (string index 0 of this switch)
    0x06, 0x09, ...ascii('live'), // "live" (string index 1)
    0x01, //                   end
    0x11, //                   second switch: its tables start empty
    0x06, 0x00, //             string reference 0: refused
  ];
  const first = decodeAmf0(Buffer.from(bytes.slice(0, 15)));
  t.deepEqual(first, [createAmfObject({ app: 'live' })]);
  const both = decodeAmf0(Buffer.from(bytes));
  t.is((both as RtmpError).code, 'ERR_RTMP_AMF_REFERENCE');
});

test('encodes numbers outside the 29-bit range, and -0, as doubles', (t) => {
  t.deepEqual([...encodeAmf3([0x10000000])], [0x05, 0x41, 0xb0, 0, 0, 0, 0, 0, 0]); // 2^28
  t.deepEqual([...encodeAmf3([-0])], [0x05, 0x80, 0, 0, 0, 0, 0, 0, 0]);
  t.deepEqual([...encodeAmf3([0.5])], [0x05, 0x3f, 0xe0, 0, 0, 0, 0, 0, 0]);
});

test('encodes an anonymous object as inline dynamic traits', (t) => {
  t.deepEqual(
    [...encodeAmf3([createAmfObject({ a: 1 })])],
    [
      0x0a, 0x0b, 0x01, //     object, inline dynamic traits, class name ""
      0x03, ...ascii('a'), //  key "a"
      0x04, 0x01, //           integer 1
      0x01, //                 end of the dynamic members
    ],
  );
  t.throws(() => encodeAmf3([createAmfObject({ '': 1 })]), { instanceOf: RangeError });
});
