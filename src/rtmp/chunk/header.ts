/**
 * Constants and small helpers shared by the chunk decoder and encoder (RTMP spec 5.3.1).
 *
 * A chunk starts with a basic header (fmt in the top 2 bits of the first byte, then the chunk
 * stream id in 1, 2 or 3 bytes), then a message header of 11, 7, 3 or 0 bytes depending on fmt,
 * then an optional 4-byte extended timestamp when the 24-bit timestamp field is 0xFFFFFF.
 */

/** The chunk size both directions start with, until a Set Chunk Size says otherwise. */
export const PROTOCOL_CHUNK_SIZE = 128;
/**
 * What we announce for our outbound direction: SRS's and node-media-server's choice, so servers
 * that take a restream from those take ours. Most video frames fit in one chunk, so a relay sends
 * them as they arrived, with one header in front and no separators to copy in.
 */
export const RECOMMENDED_OUTBOUND_CHUNK_SIZE = 60000;
/** Set Chunk Size is 31 bits: the top bit must be zero (spec 5.4.1). */
export const MAX_CHUNK_SIZE = 0x7fffffff;

export const MIN_CHUNK_STREAM_ID = 2;
/** 64 + 255 + 255 * 256: the largest id the 3-byte basic header can carry. */
export const MAX_CHUNK_STREAM_ID = 65599;

/** The 24-bit timestamp field value that means "read the 4-byte extended timestamp". */
export const EXTENDED_TIMESTAMP_MARKER = 0xffffff;

/** Message header length by fmt: 0 → 11, 1 → 7, 2 → 3, 3 → 0. */
export const MESSAGE_HEADER_LENGTH: readonly [number, number, number, number] = [11, 7, 3, 0];

/** The longest possible chunk header: 3-byte basic header + 11-byte message header + 4. */
export const MAX_CHUNK_HEADER_LENGTH = 18;

/**
 * Free bytes kept in front of a prepared body, and of a payload the decoder assembles, for a
 * first chunk header that is not fmt 0 and has no extended field: a 3-byte basic header and the
 * 7-byte fmt-1 message header. A relay writes the header there instead of sending it apart.
 */
export const SHARED_HEADER_ROOM = 10;

export type ChunkFormat = 0 | 1 | 2 | 3;

/** Bytes the basic header of `csid` takes: 1 for 2..63, 2 for 64..319, 3 for 320..65599. */
export function basicHeaderLength(csid: number): 1 | 2 | 3 {
  if (csid < 64) return 1;
  if (csid < 320) return 2;
  return 3;
}

export function isValidChunkStreamId(csid: number): boolean {
  return Number.isInteger(csid) && csid >= MIN_CHUNK_STREAM_ID && csid <= MAX_CHUNK_STREAM_ID;
}

export function isValidChunkSize(size: number): boolean {
  return Number.isInteger(size) && size >= 1 && size <= MAX_CHUNK_SIZE;
}

/**
 * Writes the basic header of `csid` with `fmt` at `at`; returns the offset after it.
 * 2-byte form: byte 0 low bits = 0, byte 1 = csid - 64.
 * 3-byte form: byte 0 low bits = 1, then (csid - 64) as a little-endian u16.
 */
export function writeBasicHeader(target: Buffer, at: number, fmt: ChunkFormat, csid: number): number {
  const high = fmt << 6;
  if (csid < 64) {
    target[at] = high | csid;
    return at + 1;
  }
  const rest = csid - 64;
  if (csid < 320) {
    target[at] = high;
    target[at + 1] = rest;
    return at + 2;
  }
  target[at] = high | 1;
  target[at + 1] = rest & 0xff;
  target[at + 2] = rest >>> 8;
  return at + 3;
}

/** Sum of timestamps modulo 2^32, as every RTMP implementation does with 32-bit arithmetic. */
export function addTimestamps(a: number, b: number): number {
  return (a + b) >>> 0;
}
