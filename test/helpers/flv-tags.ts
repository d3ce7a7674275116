// A minimal FLV file walker/writer for tests, written independently of src/ so that it can judge the
// project's own FLV and media code (e.g. compare tag bodies of what was sent and what arrived).
// Layout (FLV spec v10.1, annex E): 9-byte header, then PreviousTagSize0 (u32 = 0), then per tag:
// type u8 | data size u24 | timestamp u24 | timestamp extended u8 (bits 31-24) | stream id u24 (0) |
// data | PreviousTagSize u32 (= 11 + data size).

export const FLV_TAG_AUDIO = 8;
export const FLV_TAG_VIDEO = 9;
export const FLV_TAG_SCRIPT = 18;

export interface FlvTag {
  readonly type: number;
  /** Milliseconds, 32 bits (the extended byte included). */
  readonly timestamp: number;
  readonly data: Buffer;
}

export interface FlvFile {
  /** The 9-byte header as found (signature, version, flags, header size). */
  readonly header: Buffer;
  readonly tags: readonly FlvTag[];
  /** True if the bytes ended inside a tag (that partial tag is not in `tags`). */
  readonly truncated: boolean;
}

/** Parses an FLV file; throws on a bad signature or a tag whose trailer size is wrong. */
export function readFlv(bytes: Buffer): FlvFile {
  if (bytes.length < 13 || bytes.toString('latin1', 0, 3) !== 'FLV') throw new Error('not an FLV file');
  const headerSize = bytes.readUInt32BE(5);
  if (headerSize < 9 || headerSize + 4 > bytes.length) throw new Error(`bad FLV header size ${headerSize}`);
  const tags: FlvTag[] = [];
  let offset = headerSize + 4; // skip PreviousTagSize0
  while (offset < bytes.length) {
    if (offset + 11 > bytes.length) return { header: bytes.subarray(0, headerSize), tags, truncated: true };
    const type = bytes.readUInt8(offset) & 0x1f; // upper bits: reserved and the filter flag
    const size = bytes.readUIntBE(offset + 1, 3);
    const timestamp = ((bytes.readUInt8(offset + 7) << 24) | bytes.readUIntBE(offset + 4, 3)) >>> 0;
    const end = offset + 11 + size;
    if (end + 4 > bytes.length) return { header: bytes.subarray(0, headerSize), tags, truncated: true };
    const trailer = bytes.readUInt32BE(end);
    if (trailer !== size + 11) throw new Error(`tag at ${offset}: PreviousTagSize ${trailer}, expected ${size + 11}`);
    tags.push({ type, timestamp, data: bytes.subarray(offset + 11, end) });
    offset = end + 4;
  }
  return { header: bytes.subarray(0, headerSize), tags, truncated: false };
}

/** Serializes header and tags back to an FLV file (stream id 0, correct PreviousTagSize fields). */
export function writeFlv(header: Buffer, tags: readonly FlvTag[]): Buffer {
  const parts: Buffer[] = [header, Buffer.alloc(4)];
  for (const tag of tags) {
    const head = Buffer.alloc(11);
    head.writeUInt8(tag.type, 0);
    head.writeUIntBE(tag.data.length, 1, 3);
    head.writeUIntBE(tag.timestamp & 0xffffff, 4, 3);
    head.writeUInt8((tag.timestamp >>> 24) & 0xff, 7);
    const trailer = Buffer.alloc(4);
    trailer.writeUInt32BE(tag.data.length + 11, 0);
    parts.push(head, tag.data, trailer);
  }
  return Buffer.concat(parts);
}

/** Video tag with FrameType 1 (keyframe) in the first body byte's upper nibble. */
export function isVideoKeyframe(tag: FlvTag): boolean {
  return tag.type === FLV_TAG_VIDEO && tag.data.length > 0 && (tag.data.readUInt8(0) >> 4) === 1;
}

/** Classic AVC (CodecID 7) video tag with AVCPacketType 0: the decoder configuration, not a frame. */
export function isAvcSequenceHeader(tag: FlvTag): boolean {
  return tag.type === FLV_TAG_VIDEO && tag.data.length > 1 && (tag.data.readUInt8(0) & 0x0f) === 7 && tag.data[1] === 0;
}

/** Classic AAC (SoundFormat 10) audio tag with AACPacketType 0: the AudioSpecificConfig. */
export function isAacSequenceHeader(tag: FlvTag): boolean {
  return tag.type === FLV_TAG_AUDIO && tag.data.length > 1 && (tag.data.readUInt8(0) >> 4) === 10 && tag.data[1] === 0;
}
