/**
 * A growing big-endian writer for building control messages, commands and headers.
 * Hot-path media is not written through here: its payload buffers are passed on as they are.
 */
export class ByteWriter {
  private buf: Buffer;
  private length = 0;

  constructor(initialCapacity = 256) {
    this.buf = Buffer.allocUnsafe(initialCapacity);
  }

  get size(): number {
    return this.length;
  }

  private ensure(n: number): number {
    const at = this.length;
    const needed = at + n;
    if (needed > this.buf.length) {
      let capacity = this.buf.length * 2;
      while (capacity < needed) capacity *= 2;
      const next = Buffer.allocUnsafe(capacity);
      this.buf.copy(next, 0, 0, at);
      this.buf = next;
    }
    this.length = needed;
    return at;
  }

  u8(value: number): this {
    const at = this.ensure(1); // before reading this.buf: ensure() may replace it
    this.buf[at] = value & 0xff;
    return this;
  }

  u16(value: number): this {
    const at = this.ensure(2);
    this.buf.writeUInt16BE(value & 0xffff, at);
    return this;
  }

  u24(value: number): this {
    const at = this.ensure(3);
    this.buf.writeUIntBE(value & 0xffffff, at, 3);
    return this;
  }

  s24(value: number): this {
    const at = this.ensure(3);
    this.buf.writeIntBE(value, at, 3);
    return this;
  }

  u32(value: number): this {
    const at = this.ensure(4);
    this.buf.writeUInt32BE(value >>> 0, at);
    return this;
  }

  u32le(value: number): this {
    const at = this.ensure(4);
    this.buf.writeUInt32LE(value >>> 0, at);
    return this;
  }

  f64(value: number): this {
    const at = this.ensure(8);
    this.buf.writeDoubleBE(value, at);
    return this;
  }

  bytes(data: Uint8Array): this {
    const at = this.ensure(data.length);
    this.buf.set(data, at);
    return this;
  }

  /** A copy of what was written, sized exactly, so the writer may be reused. */
  toBuffer(): Buffer {
    return Buffer.from(this.buf.subarray(0, this.length));
  }
}
