/**
 * Bytes received but not yet consumed, kept as the list of buffers they arrived in
 * (the `consume(n)` of ws's receiver). Taking n bytes that lie inside one buffer is a
 * view; only a read that spans buffers copies, and only the n bytes asked for.
 */
export class ByteQueue {
  private chunks: Buffer[] = [];
  private head = 0; // offset already consumed in chunks[0]
  private total = 0;

  get length(): number {
    return this.total;
  }

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.total += chunk.length;
  }

  /** The byte at `offset` from the front, or -1 when not yet received. */
  peekU8(offset: number): number {
    if (offset >= this.total) return -1;
    let at = offset + this.head;
    for (const chunk of this.chunks) {
      if (at < chunk.length) return chunk[at]!;
      at -= chunk.length;
    }
    return -1;
  }

  /** Removes and returns the first n bytes (n <= length). A view when possible. */
  consume(n: number): Buffer {
    if (n > this.total) throw new RangeError(`consume(${n}) with ${this.total} queued`);
    if (n === 0) return Buffer.alloc(0);
    this.total -= n;
    const first = this.chunks[0]!;
    const available = first.length - this.head;
    if (n < available) {
      const view = first.subarray(this.head, this.head + n);
      this.head += n;
      return view;
    }
    if (n === available) {
      const view = this.head === 0 ? first : first.subarray(this.head);
      this.chunks.shift();
      this.head = 0;
      return view;
    }
    const out = Buffer.allocUnsafe(n);
    let written = 0;
    while (written < n) {
      const chunk = this.chunks[0]!;
      const take = Math.min(chunk.length - this.head, n - written);
      chunk.copy(out, written, this.head, this.head + take);
      written += take;
      if (this.head + take === chunk.length) {
        this.chunks.shift();
        this.head = 0;
      } else {
        this.head += take;
      }
    }
    return out;
  }

  /** Copies the first n bytes into `target` at `targetStart` and removes them. */
  consumeInto(target: Buffer, targetStart: number, n: number): void {
    if (n > this.total) throw new RangeError(`consumeInto(${n}) with ${this.total} queued`);
    this.total -= n;
    let written = 0;
    while (written < n) {
      const chunk = this.chunks[0]!;
      const take = Math.min(chunk.length - this.head, n - written);
      chunk.copy(target, targetStart + written, this.head, this.head + take);
      written += take;
      if (this.head + take === chunk.length) {
        this.chunks.shift();
        this.head = 0;
      } else {
        this.head += take;
      }
    }
  }

  /** Everything still queued, as one buffer (a view when it is one chunk). */
  drain(): Buffer {
    return this.consume(this.total);
  }
}
