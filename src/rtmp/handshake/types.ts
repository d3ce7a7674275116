import { randomBytes as cryptoRandomBytes } from 'node:crypto';
import type { RtmpError } from '../errors.js';

/** The only version byte we speak: 3 is plain RTMP (6 and 8 are RTMPE, which we refuse). */
export const RTMP_VERSION = 3;

/**
 * What a handshake machine returns for each feed, in the style of rml_rtmp:
 * `send` are buffers to write in order; when done, `rest` holds the bytes that arrived after
 * the peer's last handshake packet (the first chunk bytes), as a view of the fed buffer.
 */
export type HandshakeResult =
  | { readonly status: 'in-progress'; readonly send: Buffer[] }
  | { readonly status: 'done'; readonly send: Buffer[]; readonly rest: Buffer }
  | { readonly status: 'failed'; readonly error: RtmpError };

/** Which form the handshake took: plain random echo, or Adobe's FP9 digest form. */
export type HandshakeForm = 'simple' | 'digest';

export interface HandshakeCommonOptions {
  /** Milliseconds for the 4-byte time field of C1/S1 (the epoch of our timestamps); default 0. */
  readonly now?: () => number;
  /** Source of random bytes for C1/S1/C2/S2; default node:crypto. */
  readonly randomBytes?: (n: number) => Buffer;
}

export const defaultRandomBytes = (n: number): Buffer => cryptoRandomBytes(n);
export const zeroClock = (): number => 0;

/**
 * Collects a fixed number of bytes across feeds into one preallocated buffer, taking no more than
 * it needs: the handshake never queues beyond the packet it is waiting for.
 */
export class FixedCollector {
  private filled = 0;
  private size: number;

  constructor(private readonly buffer: Buffer) {
    this.size = buffer.length;
  }

  /** Starts collecting `size` bytes (at most the buffer length) from scratch. */
  reset(size: number): void {
    this.size = Math.min(size, this.buffer.length);
    this.filled = 0;
  }

  get collected(): number {
    return this.filled;
  }

  get full(): boolean {
    return this.filled === this.size;
  }

  /** Copies from `input` at `offset` what is still missing; returns the new input offset. */
  take(input: Buffer, offset: number): number {
    const n = Math.min(this.size - this.filled, input.length - offset);
    if (n <= 0) return offset;
    input.copy(this.buffer, this.filled, offset, offset + n);
    this.filled += n;
    return offset + n;
  }

  /** The collected bytes (a view valid until the next reset). */
  view(): Buffer {
    return this.buffer.subarray(0, this.filled);
  }
}

/** The 4-byte time field value for a clock reading. */
export function timeField(now: () => number): number {
  const ms = Math.floor(now());
  return Number.isFinite(ms) ? ms >>> 0 : 0;
}
