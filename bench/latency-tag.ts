// Latency tags: a video frame is marked by appending one H.264 SEI NAL unit (user data
// unregistered: a 16-byte UUID, then the frame's sequence number) to its AVCC payload. The relays
// forward payloads untouched, so the sink finds the tag in the last bytes of the message; the
// publisher notes when it wrote each sequence number, the sink when the frame arrived.
import { FLV_TAG_VIDEO, type FlvTag } from '../test/helpers/flv-tags.js';
import { isVideoCodedFrame } from './source-media.js';

const UUID = Buffer.from('72746d702d72656c61792d62656e6368', 'hex'); // "rtmp-relay-bench"
/** SEI payload: UUID + 4 sequence bytes (7 bits each, high bit set: no emulation-prevention bytes). */
const SEI_PAYLOAD_LENGTH = UUID.length + 4;
/** NAL length (4) + NAL header + payloadType + payloadSize + payload + rbsp trailing bits. */
const TAG_LENGTH = 4 + 1 + 1 + 1 + SEI_PAYLOAD_LENGTH + 1;
const NAL_TYPE_SEI = 0x06;
const SEI_USER_DATA_UNREGISTERED = 0x05;

function tagBytes(sequence: number): Buffer {
  const tag = Buffer.alloc(TAG_LENGTH);
  tag.writeUInt32BE(TAG_LENGTH - 4, 0);
  tag[4] = NAL_TYPE_SEI;
  tag[5] = SEI_USER_DATA_UNREGISTERED;
  tag[6] = SEI_PAYLOAD_LENGTH;
  UUID.copy(tag, 7);
  const at = 7 + UUID.length;
  for (let i = 0; i < 4; i++) tag[at + i] = 0x80 | ((sequence >>> (7 * (3 - i))) & 0x7f);
  tag[TAG_LENGTH - 1] = 0x80; // rbsp_stop_one_bit
  return tag;
}

/** The sequence number tagged onto this video payload, or -1. Reads only the tail. */
export function readLatencyTag(payload: Buffer): number {
  const end = payload.length;
  if (end < TAG_LENGTH + 5 || payload[end - 1] !== 0x80) return -1;
  const uuidAt = end - 1 - 4 - UUID.length;
  if (payload[uuidAt - 1] !== SEI_PAYLOAD_LENGTH || payload.compare(UUID, 0, UUID.length, uuidAt, uuidAt + UUID.length) !== 0) return -1;
  let sequence = 0;
  for (let i = 0; i < 4; i++) sequence = (sequence << 7) | (payload[end - 5 + i]! & 0x7f);
  return sequence;
}

/** A copy of the tags with every coded video frame tagged with its index among them. */
export function tagVideoFrames(tags: readonly FlvTag[]): { tags: FlvTag[]; tagged: number } {
  let sequence = 0;
  const out = tags.map((tag) => {
    if (tag.type !== FLV_TAG_VIDEO || !isVideoCodedFrame(tag)) return tag;
    return { type: tag.type, timestamp: tag.timestamp, data: Buffer.concat([tag.data, tagBytes(sequence++)]) };
  });
  return { tags: out, tagged: sequence };
}
