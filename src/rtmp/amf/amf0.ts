import { ByteReader } from '../bytes/reader.js';
import { ByteWriter } from '../bytes/writer.js';
import { RtmpError } from '../errors.js';
import { readAmf3Value, writeAmf3Value } from './amf3.js';
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

/** AMF0 type markers (AMF0 specification, section 2.1). */
export const Amf0Marker = {
  Number: 0x00,
  Boolean: 0x01,
  String: 0x02,
  Object: 0x03,
  MovieClip: 0x04,
  Null: 0x05,
  Undefined: 0x06,
  Reference: 0x07,
  EcmaArray: 0x08,
  ObjectEnd: 0x09,
  StrictArray: 0x0a,
  Date: 0x0b,
  LongString: 0x0c,
  Unsupported: 0x0d,
  RecordSet: 0x0e,
  XmlDocument: 0x0f,
  TypedObject: 0x10,
  Amf3Switch: 0x11,
} as const;

class Amf0Decoder {
  /** Objects, ECMA arrays, strict arrays and typed objects, in the order they start. */
  private readonly references = new ReferenceTable();

  constructor(
    private readonly reader: ByteReader,
    private readonly budget: DecodeBudget,
  ) {}

  value(): AmfValue {
    this.budget.countItem();
    const marker = this.reader.u8();
    switch (marker) {
      case Amf0Marker.Number:
        return this.reader.f64();
      case Amf0Marker.Boolean:
        return this.reader.u8() !== 0;
      case Amf0Marker.String:
        return this.utf8(this.reader.u16());
      case Amf0Marker.LongString:
      case Amf0Marker.XmlDocument:
        return this.utf8(this.reader.u32());
      case Amf0Marker.Null:
        return null;
      case Amf0Marker.Undefined:
      case Amf0Marker.Unsupported: // "unsupported" carries no data; the closest value is undefined
        return undefined;
      case Amf0Marker.Reference:
        return this.references.resolve(this.reader.u16(), this.budget);
      case Amf0Marker.Object:
        return this.object(null);
      case Amf0Marker.TypedObject:
        return this.object(this.utf8(this.reader.u16()));
      case Amf0Marker.EcmaArray:
        return this.ecmaArray();
      case Amf0Marker.StrictArray:
        return this.strictArray();
      case Amf0Marker.Date: {
        const milliseconds = this.reader.f64();
        this.reader.s16(); // time zone: reserved, "should be 0"; a Date is always UTC
        return new Date(milliseconds);
      }
      case Amf0Marker.Amf3Switch:
        return readAmf3Value(this.reader, this.budget);
      default:
        // Movie clip and record set are reserved; object end is only valid ending an object.
        throw new RtmpError('ERR_RTMP_AMF_MARKER', `unexpected AMF0 marker 0x${marker.toString(16)}`);
    }
  }

  private utf8(length: number): string {
    this.budget.checkStringLength(length);
    return this.reader.bytes(length).toString('utf8');
  }

  /**
   * Consumes the 0x00 0x00 0x09 end marker if it is next. Peeking three bytes (as SRS does)
   * keeps a property with an empty name, which the grammar allows, decodable.
   */
  private atObjectEnd(): boolean {
    const { buffer, position, remaining } = this.reader;
    const end = remaining >= 3 && buffer[position] === 0 && buffer[position + 1] === 0;
    if (end && buffer[position + 2] === Amf0Marker.ObjectEnd) {
      this.reader.skip(3);
      return true;
    }
    return false;
  }

  private object(className: string | null): AmfObject {
    const out = Object.create(null) as AmfObject;
    if (className !== null) out[AMF_CLASS_NAME] = className;
    const entry = this.references.open(out, this.budget);
    const token = this.budget.enter();
    while (!this.atObjectEnd()) {
      const key = this.utf8(this.reader.u16());
      out[key] = this.value();
    }
    this.references.close(entry, this.budget, this.budget.leave(token));
    return out;
  }

  private ecmaArray(): AmfEcmaArray {
    // The declared count is advisory (encoders write 0 or a stale count): the end marker rules.
    this.reader.u32();
    const out = new AmfEcmaArray();
    const entry = this.references.open(out, this.budget);
    const token = this.budget.enter();
    while (!this.atObjectEnd()) {
      const key = this.utf8(this.reader.u16());
      out.entries.push([key, this.value()]);
    }
    this.references.close(entry, this.budget, this.budget.leave(token));
    return out;
  }

  private strictArray(): AmfValue[] {
    const count = this.reader.u32();
    this.budget.checkDeclaredCount(count, this.reader.remaining);
    const out: AmfValue[] = [];
    const entry = this.references.open(out, this.budget);
    const token = this.budget.enter();
    for (let i = 0; i < count; i++) out.push(this.value());
    this.references.close(entry, this.budget, this.budget.leave(token));
    return out;
  }
}

/**
 * Decodes every AMF0 value in `buffer` (one RTMP command or data payload: the reference
 * table spans the whole payload). Never throws on bad input: returns a coded RtmpError.
 */
export function decodeAmf0(buffer: Buffer, limits?: Partial<AmfLimits>): AmfValue[] | RtmpError {
  return catchRtmpError(() => {
    const reader = new ByteReader(buffer);
    const decoder = new Amf0Decoder(reader, new DecodeBudget(limits));
    const values: AmfValue[] = [];
    while (reader.remaining > 0) values.push(decoder.value());
    return values;
  });
}

/** Decodes one AMF0 value at the reader's cursor; throws a coded RtmpError (for composing decoders). */
export function readAmf0Value(reader: ByteReader, budget: DecodeBudget): AmfValue {
  return new Amf0Decoder(reader, budget).value();
}

function writeUtf8(writer: ByteWriter, bytes: Buffer, lengthBytes: 2 | 4): void {
  if (lengthBytes === 2) writer.u16(bytes.length);
  else writer.u32(bytes.length);
  writer.bytes(bytes);
}

function writePropertyName(writer: ByteWriter, key: string): void {
  const bytes = Buffer.from(key, 'utf8');
  if (bytes.length > 0xffff) throw new RangeError(`AMF0 property name of ${bytes.length} bytes (max 65535)`);
  writeUtf8(writer, bytes, 2);
}

function writeProperties(writer: ByteWriter, object: AmfObject, depth: number): void {
  for (const key of Object.keys(object)) {
    writePropertyName(writer, key);
    writeAmf0Value(writer, object[key], depth + 1);
  }
  writer.u16(0).u8(Amf0Marker.ObjectEnd);
}

/**
 * Writes one AMF0 value: strings up to 65535 bytes as 0x02, longer as 0x0C; a Buffer as an
 * AMF3 ByteArray behind the 0x11 switch (AMF0 has no byte type). Throws only for a value
 * that cannot be represented (a cycle, a property name over 65535 bytes).
 */
export function writeAmf0Value(writer: ByteWriter, value: AmfValue, depth = 0): void {
  checkEncodeDepth(depth);
  if (value === undefined) {
    writer.u8(Amf0Marker.Undefined);
  } else if (value === null) {
    writer.u8(Amf0Marker.Null);
  } else if (typeof value === 'number') {
    writer.u8(Amf0Marker.Number).f64(value);
  } else if (typeof value === 'boolean') {
    writer.u8(Amf0Marker.Boolean).u8(value ? 1 : 0);
  } else if (typeof value === 'string') {
    const bytes = Buffer.from(value, 'utf8');
    const long = bytes.length > 0xffff;
    writer.u8(long ? Amf0Marker.LongString : Amf0Marker.String);
    writeUtf8(writer, bytes, long ? 4 : 2);
  } else if (value instanceof Date) {
    writer.u8(Amf0Marker.Date).f64(value.getTime()).u16(0);
  } else if (value instanceof Uint8Array) {
    writer.u8(Amf0Marker.Amf3Switch);
    writeAmf3Value(writer, value, depth);
  } else if (Array.isArray(value)) {
    writer.u8(Amf0Marker.StrictArray).u32(value.length);
    for (const element of value) writeAmf0Value(writer, element, depth + 1);
  } else if (value instanceof AmfEcmaArray) {
    writer.u8(Amf0Marker.EcmaArray).u32(value.entries.length);
    for (const [key, element] of value.entries) {
      writePropertyName(writer, key);
      writeAmf0Value(writer, element, depth + 1);
    }
    writer.u16(0).u8(Amf0Marker.ObjectEnd);
  } else {
    const className = value[AMF_CLASS_NAME];
    if (className === undefined) {
      writer.u8(Amf0Marker.Object);
    } else {
      writer.u8(Amf0Marker.TypedObject);
      writePropertyName(writer, className);
    }
    writeProperties(writer, value, depth);
  }
}

/** Encodes values back to back, as in a command or data message payload. */
export function encodeAmf0(values: readonly AmfValue[]): Buffer {
  const writer = new ByteWriter();
  for (const value of values) writeAmf0Value(writer, value);
  return writer.toBuffer();
}
