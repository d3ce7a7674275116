import { RtmpError } from '../errors.js';

/**
 * A read cursor over one buffer. Reads past the end throw an RtmpError with code
 * ERR_RTMP_TRUNCATED; decoders catch it at their public boundary and return it as a value,
 * so the bounds check lives here once instead of before every read.
 */
export class ByteReader {
  private offset: number;
  private readonly end: number;

  constructor(
    readonly buffer: Buffer,
    start = 0,
    end = buffer.length,
  ) {
    this.offset = start;
    this.end = end;
  }

  get position(): number {
    return this.offset;
  }

  get remaining(): number {
    return this.end - this.offset;
  }

  private need(n: number): number {
    const at = this.offset;
    if (at + n > this.end) {
      throw new RtmpError('ERR_RTMP_TRUNCATED', `need ${n} bytes at offset ${at}, have ${this.end - at}`);
    }
    this.offset = at + n;
    return at;
  }

  u8(): number {
    return this.buffer[this.need(1)]!;
  }

  u16(): number {
    return this.buffer.readUInt16BE(this.need(2));
  }

  u24(): number {
    return this.buffer.readUIntBE(this.need(3), 3);
  }

  s24(): number {
    return this.buffer.readIntBE(this.need(3), 3);
  }

  u32(): number {
    return this.buffer.readUInt32BE(this.need(4));
  }

  /** Message stream ids in chunk headers are little-endian, the only LE field in RTMP. */
  u32le(): number {
    return this.buffer.readUInt32LE(this.need(4));
  }

  s16(): number {
    return this.buffer.readInt16BE(this.need(2));
  }

  f64(): number {
    return this.buffer.readDoubleBE(this.need(8));
  }

  /** A view (no copy) of the next n bytes. */
  bytes(n: number): Buffer {
    const at = this.need(n);
    return this.buffer.subarray(at, at + n);
  }

  skip(n: number): void {
    this.need(n);
  }

  /** A view of everything not yet read. */
  rest(): Buffer {
    const at = this.offset;
    this.offset = this.end;
    return this.buffer.subarray(at, this.end);
  }
}
