import { RtmpError } from '../errors.js';

/** Tag types of an FLV file (the RTMP message type ids of the same payloads). */
export const FlvTagType = { Audio: 8, Video: 9, Script: 18 } as const;
export type FlvTagTypeId = (typeof FlvTagType)[keyof typeof FlvTagType];

export interface FlvTag {
  readonly type: FlvTagTypeId;
  /** Milliseconds, 32 bits (24-bit field + extended byte as the high 8 bits). */
  readonly timestamp: number;
  /** The tag body: what an RTMP audio/video/data message carries (a view when read). */
  readonly data: Buffer;
}

export interface FlvHeader {
  readonly version: number;
  readonly hasAudio: boolean;
  readonly hasVideo: boolean;
  /** Where the first PreviousTagSize field starts. */
  readonly headerSize: number;
}

const SIGNATURE = Buffer.from('FLV', 'latin1');
const HEADER_SIZE = 9;
const TAG_HEADER_SIZE = 11;

function flvError(message: string): RtmpError {
  return new RtmpError('ERR_RTMP_FLV', message);
}

function truncated(what: string, at: number): RtmpError {
  return new RtmpError('ERR_RTMP_TRUNCATED', `FLV ends inside ${what} at offset ${at}`);
}

/** Reads the 9-byte FLV file header. Never throws. */
export function readFlvHeader(file: Buffer): FlvHeader | RtmpError {
  if (file.length < HEADER_SIZE) return truncated('the file header', 0);
  if (!file.subarray(0, 3).equals(SIGNATURE)) return flvError('not an FLV file (no "FLV" signature)');
  const version = file[3]!;
  if (version !== 1) return flvError(`FLV version ${version}, expected 1`);
  const flags = file[4]!;
  const headerSize = file.readUInt32BE(5);
  if (headerSize < HEADER_SIZE) return flvError(`FLV header size ${headerSize} below 9`);
  return { version, hasAudio: (flags & 0x04) !== 0, hasVideo: (flags & 0x01) !== 0, headerSize };
}

/**
 * Reads a whole FLV file held in memory: header, then PreviousTagSize/tag pairs. Every
 * PreviousTagSize must match the tag before it, tags must be audio, video or script data,
 * unencrypted, on stream 0. Tag bodies are views of `file`. Never throws.
 */
export function readFlv(file: Buffer): FlvTag[] | RtmpError {
  const header = readFlvHeader(file);
  if (header instanceof RtmpError) return header;
  const tags: FlvTag[] = [];
  let at = header.headerSize;
  let expectedPrevious = 0;
  for (;;) {
    if (at + 4 > file.length) return truncated('a PreviousTagSize', at);
    const previous = file.readUInt32BE(at);
    if (previous !== expectedPrevious) {
      return flvError(`PreviousTagSize ${previous} at offset ${at}, expected ${expectedPrevious}`);
    }
    at += 4;
    if (at === file.length) return tags;
    if (at + TAG_HEADER_SIZE > file.length) return truncated('a tag header', at);
    const typeByte = file[at]!;
    if ((typeByte & 0x20) !== 0) return flvError(`encrypted (filtered) tag at offset ${at}`);
    const type = typeByte & 0x1f;
    if ((typeByte & 0xc0) !== 0 || (type !== 8 && type !== 9 && type !== 18)) {
      return flvError(`tag type byte 0x${typeByte.toString(16)} at offset ${at}`);
    }
    const size = file.readUIntBE(at + 1, 3);
    const timestamp = (file.readUIntBE(at + 4, 3) | (file[at + 7]! << 24)) >>> 0;
    const streamId = file.readUIntBE(at + 8, 3);
    if (streamId !== 0) return flvError(`tag stream id ${streamId} at offset ${at}, must be 0`);
    const bodyAt = at + TAG_HEADER_SIZE;
    if (bodyAt + size > file.length) return truncated('a tag body', bodyAt);
    tags.push({ type: type as FlvTagTypeId, timestamp, data: file.subarray(bodyAt, bodyAt + size) });
    at = bodyAt + size;
    expectedPrevious = TAG_HEADER_SIZE + size;
  }
}

export interface FlvWriterOptions {
  readonly hasAudio: boolean;
  readonly hasVideo: boolean;
}

/**
 * Writes an FLV file as a stream of buffers: `header()` once, then `tag()` per tag. Each returned
 * buffer can go straight to a file or socket.
 */
export class FlvWriter {
  private started = false;

  constructor(private readonly options: FlvWriterOptions) {}

  /** The 9-byte header and PreviousTagSize0. */
  header(): Buffer {
    this.started = true;
    const out = Buffer.alloc(HEADER_SIZE + 4);
    SIGNATURE.copy(out, 0);
    out[3] = 1;
    out[4] = (this.options.hasAudio ? 0x04 : 0) | (this.options.hasVideo ? 0x01 : 0);
    out.writeUInt32BE(HEADER_SIZE, 5);
    return out; // PreviousTagSize0 is the zeroed last 4 bytes
  }

  /** One tag and the PreviousTagSize that follows it. Refuses bodies over the 24-bit size field. */
  tag(tag: FlvTag): Buffer | RtmpError {
    if (!this.started) return new RtmpError('ERR_RTMP_FLV', 'FlvWriter.tag() before header()');
    if (tag.data.length > 0xffffff) return flvError(`tag body of ${tag.data.length} bytes exceeds 16 MiB - 1`);
    const out = Buffer.alloc(TAG_HEADER_SIZE + tag.data.length + 4);
    out[0] = tag.type;
    out.writeUIntBE(tag.data.length, 1, 3);
    const timestamp = tag.timestamp >>> 0;
    out.writeUIntBE(timestamp & 0xffffff, 4, 3);
    out[7] = timestamp >>> 24;
    // stream id (3 bytes) stays 0
    tag.data.copy(out, TAG_HEADER_SIZE);
    out.writeUInt32BE(TAG_HEADER_SIZE + tag.data.length, TAG_HEADER_SIZE + tag.data.length);
    return out;
  }
}

/** A whole FLV file for the tags; the header flags follow the tag types unless given. */
export function writeFlv(tags: readonly FlvTag[], options?: FlvWriterOptions): Buffer | RtmpError {
  const writer = new FlvWriter(
    options ?? {
      hasAudio: tags.some((t) => t.type === FlvTagType.Audio),
      hasVideo: tags.some((t) => t.type === FlvTagType.Video),
    },
  );
  const parts: Buffer[] = [writer.header()];
  for (const tag of tags) {
    const part = writer.tag(tag);
    if (part instanceof RtmpError) return part;
    parts.push(part);
  }
  return Buffer.concat(parts);
}
