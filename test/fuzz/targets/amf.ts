/**
 * decodeAmf0 and decodeAmf3 over arbitrary payloads, with the default limits and with tight ones
 * (chosen by the input's hash). Oracles: only coded errors; what decodes respects maxDepth,
 * maxItems and maxStringLength (counted here independently, references counted again); and
 * encode∘decode is stable: re-encoding a decoded value and decoding it again gives the same value.
 */
import { decodeAmf0, encodeAmf0 } from '../../../src/rtmp/amf/amf0.js';
import { decodeAmf3, encodeAmf3 } from '../../../src/rtmp/amf/amf3.js';
import { DEFAULT_AMF_LIMITS, type AmfLimits, type AmfValue } from '../../../src/rtmp/amf/types.js';
import { RtmpError } from '../../../src/rtmp/errors.js';
import { check, type FuzzTarget } from '../harness.js';
import { amf0String, amfEqual, amfShape, bucket, checkRtmpError, hash32, tokens } from './common.js';

const TIGHT: AmfLimits = { maxDepth: 3, maxItems: 40, maxStringLength: 64 };

type Decode = (buffer: Buffer, limits?: Partial<AmfLimits>) => AmfValue[] | RtmpError;
type Encode = (values: readonly AmfValue[]) => Buffer;

/**
 * What an encoder may refuse of a decoded value (a RangeError): AMF0 property names over 65535
 * bytes (invalid UTF-8 read as U+FFFD grows 1 byte to 3) and AMF3's empty member names (a sealed
 * trait member may be named ""; a dynamic one cannot). Nothing re-encodes peer values, so these
 * only end the round trip.
 */
const UNENCODABLE = /property name of \d+ bytes|empty member name/;

function fuzzAmf(name: 'amf0' | 'amf3', decode: Decode, encode: Encode, input: Buffer): string {
  const limits = (hash32(input) & 3) === 0 ? TIGHT : DEFAULT_AMF_LIMITS;
  const values = decode(input, limits);
  if (values instanceof RtmpError) {
    checkRtmpError(values, name);
    return `${values.code}|${limits === TIGHT ? 't' : 'd'}`;
  }
  check(Array.isArray(values), `${name}: neither values nor an error`);
  check(input.length === 0 || values.length > 0, `${name}: ${input.length} bytes decoded to no value`);
  const shape = amfShape(values, limits.maxItems + 1);
  check(shape.items <= limits.maxItems, `${name}: ${shape.items} values decoded, over maxItems ${limits.maxItems}`);
  check(shape.height <= limits.maxDepth, `${name}: nesting ${shape.height} deep, over maxDepth ${limits.maxDepth}`);
  check(shape.longestString <= limits.maxStringLength, `${name}: a string of ${shape.longestString} over maxStringLength ${limits.maxStringLength}`);

  let encoded: Buffer;
  try {
    encoded = encode(values);
  } catch (error) {
    if (error instanceof RangeError && UNENCODABLE.test(error.message)) return `unencodable|${values.length}`;
    throw error;
  }
  // Invalid UTF-8 comes back as U+FFFD (3 bytes per byte), so strings may triple on the way round.
  const again = decode(encoded, { ...limits, maxStringLength: 3 * limits.maxStringLength });
  if (again instanceof RtmpError) throw new Error(`${name}: re-encoded values do not decode: ${again.code} ${again.message}`);
  check(again.length === values.length, `${name}: ${values.length} values came back as ${again.length}`);
  const third = decode(encode(again), { ...limits, maxStringLength: 3 * limits.maxStringLength });
  check(!(third instanceof RtmpError) && third.every((value, i) => amfEqual(value, again[i])), `${name}: encode∘decode is not stable`);
  if (!shape.replaced) {
    // Without invalid UTF-8 (read as U+FFFD) the first round trip must already be exact.
    values.forEach((value, i) => check(amfEqual(value, again[i]), `${name}: value ${i} changed on the way round`));
  }
  const kinds = values.slice(0, 4).map((v) => (v === null ? 'null' : Array.isArray(v) ? 'array' : v instanceof Date ? 'date' : typeof v));
  return `ok|${kinds.join(',')}|${bucket(shape.items)}|${shape.height}`;
}

export const amf0Target: FuzzTarget = {
  name: 'amf0',
  description: 'decodeAmf0 (default and tight limits), then encode∘decode stability',
  maxInputLength: 16 * 1024,
  dictionary: [
    ...tokens([0x00, 0x00, 0x09], [0x03], [0x08, 0, 0, 0, 0], [0x0a, 0, 0, 0, 2], [0x07, 0, 0], [0x11], [0x10], [0x0b]),
    ...tokens([0x0c, 0, 0, 0, 4], [0x0f, 0, 0, 0, 1], [0x05], [0x06], [0x0d]),
    ...['connect', 'app', 'tcUrl', 'onMetaData', '@setDataFrame', 'objectEncoding'].map(amf0String),
  ],
  run: (input) => fuzzAmf('amf0', decodeAmf0, encodeAmf0, input),
};

export const amf3Target: FuzzTarget = {
  name: 'amf3',
  description: 'decodeAmf3 (default and tight limits), then encode∘decode stability',
  maxInputLength: 16 * 1024,
  dictionary: tokens(
    [0x0a, 0x0b, 0x01], // object, dynamic, anonymous
    [0x0a, 0x00], // object reference 0
    [0x0a, 0x01], // trait reference 0
    [0x0a, 0x13, 0x01], // sealed members, 1
    [0x09, 0x05, 0x01], // dense array of 2
    [0x09, 0x00], // array reference
    [0x06, 0x00], // string reference 0
    [0x04, 0xff, 0xff, 0xff, 0xff], // largest U29
    [0x0c, 0x07], // byte array of 3
    [0x08, 0x01], // inline date
    [0x07, 0x03], // XML document of 1
    [0x01],
    [0x06, 0x07, 0x61, 0x70, 0x70], // "app"
  ),
  run: (input) => fuzzAmf('amf3', decodeAmf3, encodeAmf3, input),
};
