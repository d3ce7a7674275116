/**
 * The outbound chunk layer: messages in, chunk bytes out (RTMP spec 5.3), sans-IO.
 *
 * Header compression per csid, as ffmpeg's ff_rtmp_packet_write and librtmp's RTMP_SendPacket do:
 * fmt 0 for the first message on a csid, a new message stream id, or a timestamp that goes
 * backwards (a 32-bit wrap included); fmt 1 when length or type changes; fmt 2 when only the delta
 * changes; fmt 3 when length, type and delta all repeat. Two deliberate exceptions, so that every
 * decoder reads our bytes the same way:
 *  - right after a fmt 0 we never send a fmt-3 new message (spec, ffmpeg, librtmp and SRS would add
 *    the fmt 0's absolute timestamp as the delta; nginx-rtmp would add 0), we send fmt 2;
 *  - a delta of 0xFFFFFF or more is sent as a fmt 0 with the absolute timestamp, so extended
 *    timestamps only ever appear in fmt 0 headers, where the value repeated on fmt-3 continuation
 *    chunks is the absolute timestamp: what both the spec's readers and SRS/nginx's peek expect.
 * Extended timestamps are written after the first header and repeated on every fmt-3 continuation
 * chunk (the spec, ffmpeg, librtmp >= 2.4, nginx-rtmp).
 *
 * Outputs are lists of buffers for a writev: small header buffers and views of the payload, no
 * copy of the payload. For fan-out, prepareMessage() serializes the body once (payload pieces with
 * fmt-3 basic headers between them, behind SHARED_HEADER_ROOM free bytes) and encodePrepared() adds
 * only this connection's first header. Connections that follow the same stream agree on that header
 * once the first message is out (fmt 1/2/3 carry the delta, not the absolute time), so the first
 * connection writes its header into the room in front of the body and every connection whose header
 * is byte-for-byte the same sends that one buffer: one write per message per connection, no header
 * allocated. The room is written once and never changed after, so buffers already handed to a
 * socket stay valid.
 *
 * The encoder starts at the protocol's chunk size, 128, because that is what the peer assumes until
 * it receives our Set Chunk Size; call setChunkSize(RECOMMENDED_OUTBOUND_CHUNK_SIZE) right after
 * sending that message. Invalid arguments (a csid outside 2..65599, a chunk size outside
 * 1..0x7FFFFFFF, a payload over 0xFFFFFF bytes) come from our own code and throw a RangeError.
 */
import type { RtmpMessage } from '../message/types.js';
import {
  EXTENDED_TIMESTAMP_MARKER,
  MAX_CHUNK_HEADER_LENGTH,
  PROTOCOL_CHUNK_SIZE,
  SHARED_HEADER_ROOM,
  basicHeaderLength,
  isValidChunkSize,
  isValidChunkStreamId,
  writeBasicHeader,
  type ChunkFormat,
} from './header.js';

/** A message body serialized once for any number of connections that use `chunkSize`. */
export interface PreparedMessage {
  /** The payload, contiguous (a view of `body` when the message fits in one chunk). */
  readonly payload: Buffer;
  readonly csid: number;
  readonly chunkSize: number;
  /** The payload cut into chunkSize pieces with a fmt-3 basic header between them (no extended field). */
  readonly body: Buffer;
  /** SHARED_HEADER_ROOM bytes, then body, in one buffer. */
  readonly room: Buffer;
  /** The first header every agreeing connection sends, then the body: set by the first such connection. */
  shared: Buffer | null;
}

export interface ChunkEncoderOptions {
  /** The chunk size to start with; the peer must already know it (default 128, the protocol's). */
  readonly chunkSize?: number;
}

const MAX_MESSAGE_LENGTH = 0xffffff;
/** Stored as the "previous delta" after a fmt 0, so the next message is never fmt 3. */
const NO_DELTA = -1;

interface OutboundChunkStream {
  streamId: number;
  typeId: number;
  length: number;
  timestamp: number;
  delta: number;
}

function checkChunkStreamId(csid: number): void {
  if (!isValidChunkStreamId(csid)) throw new RangeError(`chunk stream id ${csid} is outside 2..65599`);
}

function checkChunkSize(size: number): void {
  if (!isValidChunkSize(size)) throw new RangeError(`chunk size ${size} is outside 1..2147483647`);
}

/**
 * Serializes `payload` once for every connection whose chunk size is `chunkSize`. A payload that
 * fits in one chunk is not copied when `headroom` (bytes in front of it, in its own buffer, that
 * belong to it: see ChunkDecoder) leaves SHARED_HEADER_ROOM; otherwise it is copied once.
 */
export function prepareMessage(payload: Buffer, chunkSize: number, csid: number, headroom = 0): PreparedMessage {
  checkChunkStreamId(csid);
  checkChunkSize(chunkSize);
  const length = payload.length;
  if (length <= chunkSize) {
    if (headroom >= SHARED_HEADER_ROOM) {
      const room = Buffer.from(payload.buffer, payload.byteOffset - SHARED_HEADER_ROOM, SHARED_HEADER_ROOM + length);
      return { payload, csid, chunkSize, body: payload, room, shared: null };
    }
    const room = Buffer.allocUnsafe(SHARED_HEADER_ROOM + length);
    payload.copy(room, SHARED_HEADER_ROOM);
    const body = room.subarray(SHARED_HEADER_ROOM);
    return { payload: body, csid, chunkSize, body, room, shared: null };
  }
  const pieces = Math.ceil(length / chunkSize);
  const room = Buffer.allocUnsafe(SHARED_HEADER_ROOM + length + (pieces - 1) * basicHeaderLength(csid));
  let at = SHARED_HEADER_ROOM;
  for (let offset = 0; offset < length; offset += chunkSize) {
    if (offset > 0) at = writeBasicHeader(room, at, 3, csid);
    const pieceEnd = Math.min(offset + chunkSize, length);
    payload.copy(room, at, offset, pieceEnd);
    at += pieceEnd - offset;
  }
  return { payload, csid, chunkSize, body: room.subarray(SHARED_HEADER_ROOM), room, shared: null };
}

export class ChunkEncoder {
  private size: number;
  private readonly streams = new Map<number, OutboundChunkStream>();
  /** The extended timestamp the last header carried, or -1: set by writeFirstHeader(). */
  private lastExtended = -1;
  /** The fmt of the last header written by writeFirstHeader(). */
  private lastFormat: ChunkFormat = 0;
  /** Where writeFirstHeader() puts a header before it is copied or shared. */
  private readonly scratch = Buffer.alloc(MAX_CHUNK_HEADER_LENGTH);

  constructor(options: ChunkEncoderOptions = {}) {
    const size = options.chunkSize ?? PROTOCOL_CHUNK_SIZE;
    checkChunkSize(size);
    this.size = size;
  }

  get chunkSize(): number {
    return this.size;
  }

  /** Use after sending the Set Chunk Size message that announces `size` (1..0x7FFFFFFF). */
  setChunkSize(size: number): void {
    checkChunkSize(size);
    this.size = size;
  }

  /** The whole message on `csid` for this connection: first header, payload views, fmt-3 separators. */
  encode(message: RtmpMessage, csid: number): Buffer[] {
    checkChunkStreamId(csid);
    const payload = message.payload;
    const header = this.firstHeader(csid, message.typeId, payload.length, message.timestamp, message.streamId);
    return this.chunks(header, payload, csid);
  }

  /**
   * This connection's copy of a prepared message: [the shared header + body] when this
   * connection's first header is the one already in front of the body (or it is the first to put
   * one there), else [its own first header, prepared.body]. Falls back to a full encode() when this
   * connection's chunk size differs from the prepared one, or when its header needs an extended
   * timestamp that every fmt-3 separator would have to repeat.
   */
  encodePrepared(prepared: PreparedMessage, typeId: number, timestamp: number, streamId: number): Buffer[] {
    const payload = prepared.payload;
    if (prepared.chunkSize !== this.size) {
      return this.encode({ typeId, timestamp, streamId, payload }, prepared.csid);
    }
    const length = this.writeFirstHeader(prepared.csid, typeId, payload.length, timestamp, streamId);
    if (this.lastExtended < 0 && this.lastFormat !== 0) {
      const shared = this.sharedHeader(prepared, length);
      if (shared !== null) return [shared];
    }
    const header = Buffer.from(this.scratch.subarray(0, length));
    if (this.lastExtended >= 0 && payload.length > this.size) return this.chunks(header, payload, prepared.csid);
    return payload.length === 0 ? [header] : [header, prepared.body];
  }

  /** prepared.shared if its header is the `length` bytes in scratch; claims the room when it is free. */
  private sharedHeader(prepared: PreparedMessage, length: number): Buffer | null {
    const scratch = this.scratch;
    const shared = prepared.shared;
    if (shared === null) {
      const room = prepared.room;
      scratch.copy(room, SHARED_HEADER_ROOM - length, 0, length);
      return (prepared.shared = room.subarray(SHARED_HEADER_ROOM - length));
    }
    if (shared.length - prepared.body.length !== length) return null;
    for (let i = 0; i < length; i++) if (shared[i] !== scratch[i]) return null;
    return shared;
  }

  private chunks(header: Buffer, payload: Buffer, csid: number): Buffer[] {
    const size = this.size;
    const length = payload.length;
    if (length <= size) return length === 0 ? [header] : [header, payload];
    const extended = this.lastExtended;
    const basic = basicHeaderLength(csid);
    // Every continuation chunk has the same fmt-3 header: one buffer, listed between the pieces.
    const separator = Buffer.allocUnsafe(basic + (extended >= 0 ? 4 : 0));
    writeBasicHeader(separator, 0, 3, csid);
    if (extended >= 0) separator.writeUInt32BE(extended, basic);
    const out: Buffer[] = [header, payload.subarray(0, size)];
    for (let offset = size; offset < length; offset += size) {
      out.push(separator, payload.subarray(offset, Math.min(offset + size, length)));
    }
    return out;
  }

  /** Chooses fmt against the csid's state, writes the first chunk header, and updates the state. */
  private firstHeader(csid: number, typeId: number, length: number, timestamp: number, streamId: number): Buffer {
    const headerLength = this.writeFirstHeader(csid, typeId, length, timestamp, streamId);
    return Buffer.from(this.scratch.subarray(0, headerLength));
  }

  /** firstHeader() into the scratch buffer; returns the header's length. */
  private writeFirstHeader(csid: number, typeId: number, length: number, timestamp: number, streamId: number): number {
    if (length > MAX_MESSAGE_LENGTH) throw new RangeError(`message of ${length} bytes is over 16777215`);
    const time = timestamp >>> 0;
    let state = this.streams.get(csid);
    let fmt: ChunkFormat = 0;
    let field = time;
    if (state !== undefined && state.streamId === streamId && time >= state.timestamp) {
      const delta = time - state.timestamp;
      if (delta < EXTENDED_TIMESTAMP_MARKER) {
        field = delta;
        if (typeId !== state.typeId || length !== state.length) fmt = 1;
        else if (delta !== state.delta) fmt = 2;
        else fmt = 3;
      }
    }
    if (state === undefined) {
      state = { streamId, typeId, length, timestamp: time, delta: NO_DELTA };
      this.streams.set(csid, state);
    }
    state.streamId = streamId;
    state.typeId = typeId;
    state.length = length;
    state.timestamp = time;
    state.delta = fmt === 0 ? NO_DELTA : field;

    const extended = field >= EXTENDED_TIMESTAMP_MARKER; // only ever for fmt 0, see above
    this.lastExtended = extended ? field : -1;
    this.lastFormat = fmt;
    const header = this.scratch;
    let at = writeBasicHeader(header, 0, fmt, csid);
    if (fmt === 3) return at;
    header.writeUIntBE(extended ? EXTENDED_TIMESTAMP_MARKER : field, at, 3);
    at += 3;
    if (fmt <= 1) {
      header.writeUIntBE(length, at, 3);
      header[at + 3] = typeId;
      at += 4;
    }
    if (fmt === 0) {
      header.writeUInt32LE(streamId >>> 0, at);
      at += 4;
    }
    if (extended) {
      header.writeUInt32BE(field, at);
      at += 4;
    }
    return at;
  }
}
