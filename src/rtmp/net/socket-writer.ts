import type { Socket } from 'node:net';

/**
 * Writes a session's output to a socket. Protocol replies are small and bounded by the protocol,
 * so they are always written; media goes through `writeMedia`, which tells the caller to stop when
 * the socket's buffer is past its high-water mark, so a slow peer's backlog stays in the caller's
 * bounded queue (where frames can be dropped) instead of growing inside the socket.
 */
export class SocketWriter {
  private closed = false;

  constructor(
    private readonly socket: Socket,
    /** Bytes buffered in the socket beyond which media writers must wait for 'drain'. */
    readonly highWaterMark = 256 * 1024,
  ) {}

  get isClosed(): boolean {
    return this.closed || this.socket.destroyed;
  }

  /** True while media may be written without growing the socket's buffer beyond the mark. */
  get canWrite(): boolean {
    return !this.isClosed && this.socket.writableLength < this.highWaterMark;
  }

  get bufferedBytes(): number {
    return this.socket.writableLength;
  }

  write(buffers: readonly Buffer[]): void {
    if (buffers.length === 0 || this.isClosed) return;
    if (buffers.length === 1) {
      this.socket.write(buffers[0]!);
      return;
    }
    this.socket.cork();
    for (const buffer of buffers) this.socket.write(buffer);
    this.socket.uncork();
  }

  /** Holds writes until uncork(), so a batch of messages leaves in one writev. Nests. */
  cork(): void {
    if (!this.isClosed) this.socket.cork();
  }

  uncork(): void {
    if (!this.socket.destroyed) this.socket.uncork();
  }

  /** Writes and returns whether the caller may keep writing now (else wait for onDrain). */
  writeMedia(buffers: readonly Buffer[]): boolean {
    this.write(buffers);
    return this.canWrite;
  }

  onDrain(listener: () => void): void {
    this.socket.on('drain', listener);
  }

  /** Flushes what is queued, then closes; a peer that never reads is cut after `graceMs`. */
  end(graceMs = 2000): void {
    if (this.isClosed) return;
    this.closed = true;
    this.socket.end();
    const timer = setTimeout(() => this.socket.destroy(), graceMs);
    timer.unref();
    this.socket.once('close', () => clearTimeout(timer));
  }

  destroy(): void {
    this.closed = true;
    this.socket.destroy();
  }
}
