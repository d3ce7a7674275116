/**
 * The inbound chunk layer (RTMP spec 5.3): bytes in, whole messages out, sans-IO.
 *
 * Shape: a streaming state machine over each pushed buffer. A chunk header is parsed straight
 * from the pushed buffer when it lies whole inside it; only a header split across pushes is
 * gathered in an 18-byte scratch. Body bytes are never queued: they go at once to their chunk
 * stream's in-progress message, as views of the pushed buffer (so a message that arrived in one
 * push and one chunk is a zero-copy view, and a multi-chunk one is copied once at its end, behind
 * SHARED_HEADER_ROOM bytes a relay may fill with a chunk header: RtmpMessage.headroom). After
 * MAX_PAYLOAD_VIEWS pieces (tiny chunk sizes) the message switches to one buffer that grows with
 * the data received, never to the declared length up front. Each csid keeps its own message, so
 * interleaved audio/video chunks cannot corrupt each other.
 *
 * Timestamps follow the spec as ffmpeg (rtmppkt.c), librtmp (RTMP_ReadPacket) and SRS
 * (read_message_header) all read them: fmt 0 carries the absolute timestamp, fmt 1/2 a delta
 * added to the csid's previous message timestamp, and a fmt-3 chunk that STARTS a message reuses
 * the last timestamp field as its delta, including a fmt 0's absolute value (fmt 0 at t=40 then
 * fmt 3 gives 80). nginx-rtmp differs (it resets the delta to 0 after fmt 0); our encoder never
 * relies on either reading. Sums are modulo 2^32.
 *
 * Extended timestamps: a fmt 0/1/2 header whose 24-bit field is 0xFFFFFF is followed by 4 bytes.
 * A fmt-3 chunk on that csid that starts a new message always carries the 4 bytes too (as SRS
 * reads it; ffmpeg may send a new value there). On a fmt-3 CONTINUATION chunk the spec, ffmpeg and
 * librtmp >= 2.4 repeat the 4 bytes, but librtmp 2.3 and some encoders omit them; like SRS and
 * nginx-rtmp we peek: the 4 bytes are taken as the extended timestamp only if they equal the
 * field value of the message's header or the message's absolute timestamp (SRS and nginx compare
 * with the latter, senders repeat the former), otherwise they are payload. A payload that starts
 * with exactly that value would be misread; every server that tolerates omission shares this.
 *
 * Strictness (SRS's choices): the first header on a csid must be fmt 0 (ERR_RTMP_CHUNK_FIRST_HEADER),
 * except fmt 1 on csid 2, which librtmp sends for a ping on a fresh control stream (base timestamp
 * 0, stream 0); a fmt 0/1/2 header on a csid whose message is incomplete is
 * ERR_RTMP_CHUNK_INTERRUPTED (the spec has no way to restart a message; Abort is that way).
 * Set Chunk Size and Abort are applied here, by type id, whatever their csid or stream id (as
 * ffmpeg, SRS and nginx-rtmp do), and are still emitted for the session to see.
 */
import { RtmpError } from '../errors.js';
import { decodeAbort, decodeSetChunkSize } from '../message/control.js';
import { MessageType, type RtmpMessage } from '../message/types.js';
import {
  EXTENDED_TIMESTAMP_MARKER,
  MAX_CHUNK_HEADER_LENGTH,
  MESSAGE_HEADER_LENGTH,
  PROTOCOL_CHUNK_SIZE,
  SHARED_HEADER_ROOM,
  addTimestamps,
} from './header.js';

export interface ChunkDecoderOptions {
  /** Largest message length a header may declare (exactly this is accepted). */
  readonly maxMessageSize: number;
  /** Distinct chunk stream ids the peer may use on this connection (exactly this many accepted). */
  readonly maxChunkStreams: number;
  /**
   * Bytes of unfinished messages held at once, across all chunk streams (exactly this is accepted).
   * A publisher interleaves one big video message with small audio ones, so the default is one
   * maximal message plus 1 MiB; without it a peer could park 64 nearly complete maximal messages.
   */
  readonly maxBufferedBytes?: number;
}

export const DEFAULT_CHUNK_DECODER_OPTIONS: ChunkDecoderOptions = {
  maxMessageSize: 8 * 1024 * 1024,
  maxChunkStreams: 64,
};

/** Headroom over one maximal message that the default maxBufferedBytes allows. */
const BUFFERED_HEADROOM = 1024 * 1024;

/** Payload pieces kept as views before a message is gathered into one growing buffer instead. */
const MAX_PAYLOAD_VIEWS = 64;
/**
 * How much that buffer grows beyond what has arrived: ×4 amortizes the copies, and with no fixed
 * floor a peer that sends tiny chunks gets at most 4 bytes held per byte it sent.
 */
const ASSEMBLY_GROWTH = 4;

/** librtmp sends a ping with fmt 1 on a control stream it never used (see SRS issue 98). */
const CONTROL_CHUNK_STREAM_ID = 2;
const EMPTY = Buffer.alloc(0);

/** Everything one chunk stream id remembers: the header fmt 1/2/3 inherit, and its partial message. */
class ChunkStream {
  typeId = 0;
  streamId = 0;
  length = 0;
  /** Absolute timestamp of the latest message started on this csid. */
  timestamp = 0;
  /** The timestamp field a fmt-3 chunk starting a new message reuses as its delta. */
  delta = 0;
  /** The latest fmt 0/1/2 header carried an extended timestamp, so fmt-3 chunks (may) carry one. */
  extended = false;
  /** That extended field's value: what a sender repeats on fmt-3 continuation chunks. */
  extendedValue = 0;

  inProgress = false;
  received = 0;
  readonly parts: Buffer[] = [];
  assembly: Buffer | undefined = undefined;

  discardMessage(): void {
    this.inProgress = false;
    this.received = 0;
    this.parts.length = 0;
    this.assembly = undefined;
  }
}

const u24 = (b: Buffer, at: number): number => (b[at]! << 16) | (b[at + 1]! << 8) | b[at + 2]!;
const u32be = (b: Buffer, at: number): number =>
  b[at]! * 0x1000000 + ((b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!);
const u32le = (b: Buffer, at: number): number =>
  (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16)) + b[at + 3]! * 0x1000000;

export class ChunkDecoder {
  private readonly maxMessageSize: number;
  private readonly maxChunkStreams: number;
  private readonly maxBufferedBytes: number;
  /** Bytes held in unfinished messages right now. */
  private buffered = 0;
  private readonly streams = new Map<number, ChunkStream>();
  private chunkSize = PROTOCOL_CHUNK_SIZE;
  private consumed = 0;
  private failure: RtmpError | undefined;

  /** Header bytes of a header that is split across pushes. */
  private readonly scratch = Buffer.alloc(MAX_CHUNK_HEADER_LENGTH);
  private scratchLength = 0;
  /** The chunk stream whose chunk body is being received, and how much of that body is missing. */
  private current: ChunkStream | undefined;
  private bodyRemaining = 0;

  constructor(options: Partial<ChunkDecoderOptions> = {}) {
    this.maxMessageSize = options.maxMessageSize ?? DEFAULT_CHUNK_DECODER_OPTIONS.maxMessageSize;
    this.maxChunkStreams = options.maxChunkStreams ?? DEFAULT_CHUNK_DECODER_OPTIONS.maxChunkStreams;
    this.maxBufferedBytes = options.maxBufferedBytes ?? this.maxMessageSize + BUFFERED_HEADROOM;
  }

  /** Bytes of unfinished messages the decoder holds now. */
  get bufferedBytes(): number {
    return this.buffered;
  }

  /** The peer's chunk size, as its latest Set Chunk Size set it (128 until then). */
  get inboundChunkSize(): number {
    return this.chunkSize;
  }

  /** Every byte handed to push() so far (all of them are consumed or held), for acknowledgements. */
  get bytesConsumed(): number {
    return this.consumed;
  }

  /** Chunk stream ids the peer has used so far (counted against maxChunkStreams). */
  get chunkStreamCount(): number {
    return this.streams.size;
  }

  /**
   * Decodes `bytes`, appending each message it completes to `out`. Partial chunks wait for the
   * next push. Messages may hold views of `bytes`: the caller must not reuse that buffer. After an
   * error the decoder is dead and every later push returns the same error.
   */
  push(bytes: Buffer, out: RtmpMessage[]): RtmpError | undefined {
    if (this.failure !== undefined) return this.failure;
    this.consumed += bytes.length;
    const error = this.decode(bytes, out);
    if (error !== undefined) {
      this.failure = error;
      this.streams.clear(); // free partial messages: nothing will complete them
      this.current = undefined;
    }
    return error;
  }

  private decode(bytes: Buffer, out: RtmpMessage[]): RtmpError | undefined {
    const end = bytes.length;
    let pos = 0;
    while (pos < end) {
      if (this.bodyRemaining > 0) {
        const stream = this.current!;
        const take = Math.min(this.bodyRemaining, end - pos);
        this.appendBody(stream, bytes, pos, take);
        pos += take;
        this.bodyRemaining -= take;
        if (this.buffered > this.maxBufferedBytes && stream.received < stream.length) {
          return new RtmpError(
            'ERR_RTMP_MESSAGE_TOO_LARGE',
            `unfinished messages hold ${this.buffered} bytes, over the ${this.maxBufferedBytes}-byte limit`,
          );
        }
        if (this.bodyRemaining === 0 && stream.received === stream.length) {
          const error = this.complete(stream, out);
          if (error !== undefined) return error;
        }
      } else if (this.scratchLength === 0) {
        const parsed = this.readHeader(bytes, pos, end, out);
        if (typeof parsed !== 'number') return parsed;
        if (parsed === 0) {
          bytes.copy(this.scratch, 0, pos, end); // end - pos < 18: an incomplete header
          this.scratchLength = end - pos;
          return undefined;
        }
        pos += parsed;
      } else {
        const held = this.scratchLength;
        const added = Math.min(MAX_CHUNK_HEADER_LENGTH - held, end - pos);
        bytes.copy(this.scratch, held, pos, pos + added);
        const parsed = this.readHeader(this.scratch, 0, held + added, out);
        if (typeof parsed !== 'number') return parsed;
        if (parsed === 0) {
          this.scratchLength = held + added; // every pushed byte is held now
          return undefined;
        }
        this.scratchLength = 0;
        if (parsed >= held) {
          pos += parsed - held;
        } else {
          // Bytes peeked for an extended timestamp that was omitted are payload after all.
          const error = this.decode(Buffer.from(this.scratch.subarray(parsed, held)), out);
          if (error !== undefined) return error;
        }
      }
    }
    return undefined;
  }

  /**
   * Parses and applies one chunk header from buf[pos, end). Returns its length, 0 when more
   * bytes are needed (nothing is changed then), or an error.
   */
  private readHeader(buf: Buffer, pos: number, end: number, out: RtmpMessage[]): number | RtmpError {
    const first = buf[pos]!;
    const fmt = first >>> 6;
    let csid = first & 0x3f;
    let at = pos + 1;
    if (csid === 0) {
      if (end - at < 1) return 0;
      csid = 64 + buf[at]!;
      at += 1;
    } else if (csid === 1) {
      if (end - at < 2) return 0;
      csid = 64 + buf[at]! + buf[at + 1]! * 256;
      at += 2;
    }

    const known = this.streams.get(csid);
    if (known === undefined) {
      if (fmt !== 0 && !(fmt === 1 && csid === CONTROL_CHUNK_STREAM_ID)) {
        return new RtmpError('ERR_RTMP_CHUNK_FIRST_HEADER', `first chunk on chunk stream ${csid} has fmt ${fmt}, not 0`);
      }
      if (this.streams.size >= this.maxChunkStreams) {
        return new RtmpError(
          'ERR_RTMP_TOO_MANY_CHUNK_STREAMS',
          `chunk stream ${csid} would be number ${this.streams.size + 1}, over the limit of ${this.maxChunkStreams}`,
        );
      }
    } else if (fmt !== 3 && known.inProgress) {
      return new RtmpError(
        'ERR_RTMP_CHUNK_INTERRUPTED',
        `fmt ${fmt} header on chunk stream ${csid} while its message has ${known.length - known.received} bytes to go`,
      );
    }

    if (fmt === 3) {
      const stream = known!;
      let value = stream.delta;
      if (stream.extended) {
        if (end - at < 4) return 0;
        const peeked = u32be(buf, at);
        if (!stream.inProgress) {
          value = peeked;
          at += 4;
        } else if (peeked === stream.extendedValue || peeked === stream.timestamp) {
          at += 4;
        }
      }
      if (!stream.inProgress) {
        if (stream.extended) stream.extendedValue = value;
        stream.delta = value;
        return this.startMessage(stream, addTimestamps(stream.timestamp, value), at - pos, out);
      }
      this.current = stream;
      this.bodyRemaining = Math.min(this.chunkSize, stream.length - stream.received);
      return at - pos;
    }

    const headerEnd = at + MESSAGE_HEADER_LENGTH[fmt as 0 | 1 | 2];
    if (end < headerEnd) return 0;
    const field = u24(buf, at);
    const extended = field === EXTENDED_TIMESTAMP_MARKER;
    if (extended && end - headerEnd < 4) return 0;
    const value = extended ? u32be(buf, headerEnd) : field;
    let length = 0;
    if (fmt <= 1) {
      length = u24(buf, at + 3);
      if (length > this.maxMessageSize) {
        return new RtmpError(
          'ERR_RTMP_MESSAGE_TOO_LARGE',
          `message of ${length} bytes on chunk stream ${csid} is over the limit of ${this.maxMessageSize}`,
        );
      }
    }

    let stream = known;
    if (stream === undefined) {
      stream = new ChunkStream();
      this.streams.set(csid, stream);
    }
    if (fmt <= 1) {
      stream.length = length;
      stream.typeId = buf[at + 6]!;
    }
    if (fmt === 0) stream.streamId = u32le(buf, at + 7);
    stream.extended = extended;
    stream.extendedValue = value;
    stream.delta = value; // after fmt 0 too: a following fmt-3 message adds it (see top)
    const timestamp = fmt === 0 ? value : addTimestamps(stream.timestamp, value);
    return this.startMessage(stream, timestamp, headerEnd + (extended ? 4 : 0) - pos, out);
  }

  private startMessage(stream: ChunkStream, timestamp: number, headerLength: number, out: RtmpMessage[]): number | RtmpError {
    stream.timestamp = timestamp;
    stream.inProgress = true;
    stream.received = 0;
    if (stream.length === 0) {
      const error = this.complete(stream, out);
      return error ?? headerLength;
    }
    this.current = stream;
    this.bodyRemaining = Math.min(this.chunkSize, stream.length);
    return headerLength;
  }

  private appendBody(stream: ChunkStream, buf: Buffer, pos: number, take: number): void {
    const received = stream.received;
    this.buffered += take;
    let assembly = stream.assembly;
    if (assembly === undefined) {
      const parts = stream.parts;
      if (parts.length < MAX_PAYLOAD_VIEWS) {
        parts.push(buf.subarray(pos, pos + take));
        stream.received = received + take;
        return;
      }
      assembly = allocateWithRoom(assemblyCapacity(stream.length, received + take));
      let offset = 0;
      for (const part of parts) {
        part.copy(assembly, offset);
        offset += part.length;
      }
      parts.length = 0;
      stream.assembly = assembly;
    } else if (assembly.length < received + take) {
      const grown = allocateWithRoom(assemblyCapacity(stream.length, received + take));
      assembly.copy(grown, 0, 0, received);
      assembly = grown;
      stream.assembly = grown;
    }
    buf.copy(assembly, received, pos, pos + take);
    stream.received = received + take;
  }

  /** Emits the finished message of `stream`, applying Set Chunk Size and Abort first. */
  private complete(stream: ChunkStream, out: RtmpMessage[]): RtmpError | undefined {
    const parts = stream.parts;
    let payload: Buffer;
    let headroom = SHARED_HEADER_ROOM;
    if (stream.assembly !== undefined) payload = stream.assembly; // capacity is capped at the length
    else if (parts.length > 1) payload = joinWithRoom(parts, stream.length);
    else {
      payload = parts.length === 1 ? parts[0]! : EMPTY;
      headroom = 0;
    }
    this.buffered -= stream.received;
    stream.discardMessage();

    if (stream.typeId === MessageType.SetChunkSize) {
      const size = decodeSetChunkSize(payload);
      if (size instanceof RtmpError) return size;
      this.chunkSize = size;
    } else if (stream.typeId === MessageType.Abort) {
      const target = decodeAbort(payload);
      if (target instanceof RtmpError) return target;
      const aborted = this.streams.get(target);
      if (aborted) {
        this.buffered -= aborted.received;
        aborted.discardMessage();
      }
    }
    out.push({ typeId: stream.typeId, timestamp: stream.timestamp, streamId: stream.streamId, payload, headroom });
    return undefined;
  }
}

/** `length` bytes behind SHARED_HEADER_ROOM bytes that come with them (see RtmpMessage.headroom). */
function allocateWithRoom(length: number): Buffer {
  return Buffer.allocUnsafe(SHARED_HEADER_ROOM + length).subarray(SHARED_HEADER_ROOM);
}

function joinWithRoom(parts: readonly Buffer[], length: number): Buffer {
  const payload = allocateWithRoom(length);
  let at = 0;
  for (const part of parts) {
    part.copy(payload, at);
    at += part.length;
  }
  return payload;
}

/** Room for `needed` bytes and some growth, never more than the message's declared length. */
function assemblyCapacity(length: number, needed: number): number {
  return Math.min(length, needed * ASSEMBLY_GROWTH);
}
