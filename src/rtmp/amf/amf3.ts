import { ByteReader } from '../bytes/reader.js';
import { ByteWriter } from '../bytes/writer.js';
import { RtmpError } from '../errors.js';
import {
  AMF_CLASS_NAME,
  AmfEcmaArray,
  type AmfLimits,
  type AmfObject,
  type AmfValue,
  DecodeBudget,
  ReferenceTable,
  catchRtmpError,
  checkEncodeDepth,
} from './types.js';

/**
 * The AMF3 subset RTMP needs (objectEncoding 3, type 17/15 messages, AMF0's 0x11 switch).
 * Decoded: undefined, null, booleans, integer (U29, signed 29-bit), double, string (with the
 * string reference table), XML and XMLDocument (as strings), date, array (dense and
 * associative), object (sealed and dynamic members, trait and object references), ByteArray
 * (as a Buffer). Externalizable objects, vectors and dictionaries are refused with
 * ERR_RTMP_AMF_MARKER: no RTMP client sends them in commands or metadata.
 * Encoded: every value of the model, inline (the encoder never emits references).
 */
export const Amf3Marker = {
  Undefined: 0x00,
  Null: 0x01,
  False: 0x02,
  True: 0x03,
  Integer: 0x04,
  Double: 0x05,
  String: 0x06,
  XmlDocument: 0x07,
  Date: 0x08,
  Array: 0x09,
  Object: 0x0a,
  Xml: 0x0b,
  ByteArray: 0x0c,
} as const;

const INT29_MIN = -0x10000000;
const INT29_MAX = 0x0fffffff;
const U29_MAX = 0x1fffffff;

interface Traits {
  readonly className: string;
  readonly dynamic: boolean;
  readonly sealedNames: readonly string[];
}

class Amf3Decoder {
  private readonly strings: string[] = [];
  private readonly objects = new ReferenceTable();
  private readonly traits: Traits[] = [];

  constructor(
    private readonly reader: ByteReader,
    private readonly budget: DecodeBudget,
  ) {}

  value(): AmfValue {
    this.budget.countItem();
    const marker = this.reader.u8();
    switch (marker) {
      case Amf3Marker.Undefined:
        return undefined;
      case Amf3Marker.Null:
        return null;
      case Amf3Marker.False:
        return false;
      case Amf3Marker.True:
        return true;
      case Amf3Marker.Integer: {
        const raw = this.u29();
        return raw & 0x10000000 ? raw - 0x20000000 : raw;
      }
      case Amf3Marker.Double:
        return this.reader.f64();
      case Amf3Marker.String:
        return this.string();
      case Amf3Marker.XmlDocument:
      case Amf3Marker.Xml:
        return this.leafOrReference((length) => this.utf8(length));
      case Amf3Marker.Date:
        return this.leafOrReference(() => new Date(this.reader.f64()));
      case Amf3Marker.ByteArray:
        // A copy: a view would pin the whole received message in memory.
        return this.leafOrReference((length) => {
          this.budget.checkStringLength(length);
          return Buffer.from(this.reader.bytes(length));
        });
      case Amf3Marker.Array:
        return this.array();
      case Amf3Marker.Object:
        return this.object();
      default:
        throw new RtmpError('ERR_RTMP_AMF_MARKER', `unsupported AMF3 marker 0x${marker.toString(16)}`);
    }
  }

  /** U29: up to 3 bytes of 7 bits with a continuation bit, then one byte of 8 bits. */
  private u29(): number {
    let result = 0;
    for (let i = 0; i < 3; i++) {
      const byte = this.reader.u8();
      result = (result << 7) | (byte & 0x7f);
      if (byte < 0x80) return result;
    }
    return (result << 8) | this.reader.u8();
  }

  private utf8(length: number): string {
    this.budget.checkStringLength(length);
    return this.reader.bytes(length).toString('utf8');
  }

  /** UTF-8-vr: a string reference (low bit 0) or an inline string; "" is never a table entry. */
  private string(): string {
    const header = this.u29();
    if ((header & 1) === 0) {
      const found = this.strings[header >>> 1];
      if (found === undefined) {
        const why = `string reference ${header >>> 1} with ${this.strings.length} in the table`;
        throw new RtmpError('ERR_RTMP_AMF_REFERENCE', why);
      }
      return found;
    }
    const text = this.utf8(header >>> 1);
    if (text.length > 0) this.strings.push(text);
    return text;
  }

  /** Date, XML and ByteArray: an object reference or an inline leaf (length = header >> 1). */
  private leafOrReference(readInline: (length: number) => AmfValue): AmfValue {
    const header = this.u29();
    if ((header & 1) === 0) return this.objects.resolve(header >>> 1, this.budget);
    const value = readInline(header >>> 1);
    this.objects.addLeaf(value);
    return value;
  }

  private array(): AmfValue {
    const header = this.u29();
    if ((header & 1) === 0) return this.objects.resolve(header >>> 1, this.budget);
    const denseCount = header >>> 1;
    const entry = this.objects.open(null, this.budget);
    const token = this.budget.enter();
    const associative: Array<[string, AmfValue]> = [];
    for (let key = this.string(); key !== ''; key = this.string()) associative.push([key, this.value()]);
    this.budget.checkDeclaredCount(denseCount, this.reader.remaining);
    const dense: AmfValue[] = [];
    for (let i = 0; i < denseCount; i++) dense.push(this.value());
    // A purely dense array is a JS array; with named entries it is an ECMA array whose
    // dense part follows under its index keys.
    let value: AmfValue = dense;
    if (associative.length > 0) {
      for (let i = 0; i < dense.length; i++) associative.push([String(i), dense[i]]);
      value = new AmfEcmaArray(associative);
    }
    entry.value = value;
    this.objects.close(entry, this.budget, this.budget.leave(token));
    return value;
  }

  private readTraits(header: number): Traits {
    if ((header & 2) === 0) {
      const found = this.traits[header >>> 2];
      if (found === undefined) {
        const why = `traits reference ${header >>> 2} with ${this.traits.length} in the table`;
        throw new RtmpError('ERR_RTMP_AMF_REFERENCE', why);
      }
      return found;
    }
    if ((header & 4) !== 0) throw new RtmpError('ERR_RTMP_AMF_MARKER', 'externalizable AMF3 objects are not supported');
    const sealedCount = header >>> 4;
    const className = this.string();
    this.budget.checkDeclaredCount(sealedCount, this.reader.remaining);
    const sealedNames: string[] = [];
    for (let i = 0; i < sealedCount; i++) sealedNames.push(this.string());
    const traits: Traits = { className, dynamic: (header & 8) !== 0, sealedNames };
    this.traits.push(traits);
    return traits;
  }

  private object(): AmfValue {
    const header = this.u29();
    if ((header & 1) === 0) return this.objects.resolve(header >>> 1, this.budget);
    const traits = this.readTraits(header);
    const out = Object.create(null) as AmfObject;
    if (traits.className !== '') out[AMF_CLASS_NAME] = traits.className;
    const entry = this.objects.open(out, this.budget);
    const token = this.budget.enter();
    this.budget.checkDeclaredCount(traits.sealedNames.length, this.reader.remaining);
    for (const name of traits.sealedNames) out[name] = this.value();
    if (traits.dynamic) {
      for (let key = this.string(); key !== ''; key = this.string()) out[key] = this.value();
    }
    this.objects.close(entry, this.budget, this.budget.leave(token));
    return out;
  }
}

/**
 * Decodes one AMF3 value with fresh reference tables, as after an AMF0 0x11 switch (each
 * switched value was written by its own AMF3 writeObject). Throws a coded RtmpError.
 */
export function readAmf3Value(reader: ByteReader, budget: DecodeBudget): AmfValue {
  return new Amf3Decoder(reader, budget).value();
}

/** Decodes every AMF3 value in `buffer`, sharing one set of reference tables. */
export function decodeAmf3(buffer: Buffer, limits?: Partial<AmfLimits>): AmfValue[] | RtmpError {
  return catchRtmpError(() => {
    const reader = new ByteReader(buffer);
    const decoder = new Amf3Decoder(reader, new DecodeBudget(limits));
    const values: AmfValue[] = [];
    while (reader.remaining > 0) values.push(decoder.value());
    return values;
  });
}

function writeU29(writer: ByteWriter, value: number): void {
  if (value < 0 || value > U29_MAX) throw new RangeError(`${value} does not fit an AMF3 U29`);
  if (value < 0x80) {
    writer.u8(value);
  } else if (value < 0x4000) {
    writer.u8((value >>> 7) | 0x80).u8(value & 0x7f);
  } else if (value < 0x200000) {
    writer.u8((value >>> 14) | 0x80).u8(((value >>> 7) & 0x7f) | 0x80).u8(value & 0x7f);
  } else {
    writer
      .u8((value >>> 22) | 0x80)
      .u8(((value >>> 15) & 0x7f) | 0x80)
      .u8(((value >>> 8) & 0x7f) | 0x80)
      .u8(value & 0xff);
  }
}

/** An inline UTF-8-vr (no marker). */
function writeString(writer: ByteWriter, text: string): void {
  const bytes = Buffer.from(text, 'utf8');
  writeU29(writer, (bytes.length << 1) | 1);
  writer.bytes(bytes);
}

function writeDynamicMember(writer: ByteWriter, key: string, value: AmfValue, depth: number): void {
  if (key === '') throw new RangeError('AMF3 cannot encode an empty member name (it ends the member list)');
  writeString(writer, key);
  writeAmf3Value(writer, value, depth);
}

/** Writes one AMF3 value (marker included); integers in the signed 29-bit range use U29. */
export function writeAmf3Value(writer: ByteWriter, value: AmfValue, depth = 0): void {
  checkEncodeDepth(depth);
  if (value === undefined) {
    writer.u8(Amf3Marker.Undefined);
  } else if (value === null) {
    writer.u8(Amf3Marker.Null);
  } else if (typeof value === 'boolean') {
    writer.u8(value ? Amf3Marker.True : Amf3Marker.False);
  } else if (typeof value === 'number') {
    if (Number.isInteger(value) && value >= INT29_MIN && value <= INT29_MAX && !Object.is(value, -0)) {
      writer.u8(Amf3Marker.Integer);
      writeU29(writer, value & U29_MAX);
    } else {
      writer.u8(Amf3Marker.Double).f64(value);
    }
  } else if (typeof value === 'string') {
    writer.u8(Amf3Marker.String);
    writeString(writer, value);
  } else if (value instanceof Date) {
    writer.u8(Amf3Marker.Date).u8(0x01).f64(value.getTime());
  } else if (value instanceof Uint8Array) {
    writer.u8(Amf3Marker.ByteArray);
    writeU29(writer, (value.length << 1) | 1);
    writer.bytes(value);
  } else if (Array.isArray(value)) {
    writer.u8(Amf3Marker.Array);
    writeU29(writer, (value.length << 1) | 1);
    writer.u8(0x01); // no associative part
    for (const element of value) writeAmf3Value(writer, element, depth + 1);
  } else if (value instanceof AmfEcmaArray) {
    writer.u8(Amf3Marker.Array).u8(0x01); // dense count 0, inline
    for (const [key, element] of value.entries) writeDynamicMember(writer, key, element, depth + 1);
    writer.u8(0x01);
  } else {
    // Inline traits, not externalizable, dynamic, no sealed members: 0b1011.
    writer.u8(Amf3Marker.Object).u8(0x0b);
    writeString(writer, value[AMF_CLASS_NAME] ?? '');
    for (const key of Object.keys(value)) writeDynamicMember(writer, key, value[key], depth + 1);
    writer.u8(0x01);
  }
}

export function encodeAmf3(values: readonly AmfValue[]): Buffer {
  const writer = new ByteWriter();
  for (const value of values) writeAmf3Value(writer, value);
  return writer.toBuffer();
}
