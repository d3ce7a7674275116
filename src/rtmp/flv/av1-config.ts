import { RtmpError } from '../errors.js';
import { roundRate } from './avc-config.js';
import { BitReader } from './bit-reader.js';

/** What the AV1 sequence header OBU says (AV1 spec 5.5). */
export interface Av1Facts {
  readonly codec: 'av1';
  /** max_frame_width/height_minus_1 + 1: the largest frame of the sequence. */
  readonly width: number;
  readonly height: number;
  /** From timing_info when present; null otherwise. */
  readonly frameRate: number | null;
  /** seq_profile (0 Main, 1 High, 2 Professional). */
  readonly profile: number;
  /** seq_level_idx of operating point 0. */
  readonly level: number;
}

const OBU_SEQUENCE_HEADER = 1;

/**
 * Parses an AV1CodecConfigurationRecord (AV1-ISOBMFF 2.3.3) and the sequence header OBU among its
 * configOBUs. A body that is not a record (no marker bit) is read as a plain OBU sequence, which
 * some encoders send. Never throws.
 */
export function parseAv1CodecConfig(record: Buffer): Av1Facts | RtmpError {
  try {
    if (record.length < 1) throw new RtmpError('ERR_RTMP_TRUNCATED', 'empty AV1 configuration');
    const isRecord = (record[0]! & 0x80) !== 0;
    if (isRecord && record.length < 4) throw new RtmpError('ERR_RTMP_TRUNCATED', 'av1C needs 4 bytes');
    let at = isRecord ? 4 : 0;
    while (at < record.length) {
      const header = record[at]!;
      const type = (header >> 3) & 0x0f;
      const hasExtension = (header & 0x04) !== 0;
      const hasSize = (header & 0x02) !== 0;
      at += hasExtension ? 2 : 1;
      let size = record.length - at;
      if (hasSize) {
        const leb = readLeb128(record, at);
        size = leb.value;
        at = leb.next;
      }
      if (at + size > record.length) throw new RtmpError('ERR_RTMP_TRUNCATED', `OBU of ${size} bytes overruns`);
      if (type === OBU_SEQUENCE_HEADER) return parseSequenceHeader(new BitReader(record, at, at + size));
      at += size;
    }
    throw new RtmpError('ERR_RTMP_CODEC_CONFIG', 'no AV1 sequence header OBU');
  } catch (error) {
    if (error instanceof RtmpError) return error;
    throw error;
  }
}

/** leb128(): at most 8 bytes, value below 2^32 as the spec requires. */
function readLeb128(buffer: Buffer, start: number): { value: number; next: number } {
  let value = 0;
  for (let i = 0; i < 8; i++) {
    const at = start + i;
    if (at >= buffer.length) throw new RtmpError('ERR_RTMP_TRUNCATED', 'leb128 runs past the end');
    const byte = buffer[at]!;
    value += (byte & 0x7f) * 2 ** (7 * i);
    if ((byte & 0x80) === 0) {
      if (value > 0xffffffff) throw new RtmpError('ERR_RTMP_CODEC_CONFIG', 'leb128 value over 2^32 - 1');
      return { value, next: at + 1 };
    }
  }
  throw new RtmpError('ERR_RTMP_CODEC_CONFIG', 'leb128 longer than 8 bytes');
}

function parseSequenceHeader(r: BitReader): Av1Facts {
  const profile = r.u(3);
  r.skip(1); // still_picture
  const reducedStillPictureHeader = r.flag();
  let level: number;
  let frameRate: number | null = null;
  if (reducedStillPictureHeader) {
    level = r.u(5);
  } else {
    let decoderModelInfoPresent = false;
    let bufferDelayLength = 0;
    if (r.flag()) {
      // timing_info()
      const unitsInDisplayTick = r.u(32);
      const timeScale = r.u(32);
      let ticksPerPicture = 1;
      if (r.flag()) ticksPerPicture = r.uvlc() + 1; // equal_picture_interval
      if (unitsInDisplayTick > 0 && timeScale > 0) {
        frameRate = roundRate(timeScale / (unitsInDisplayTick * ticksPerPicture));
      }
      decoderModelInfoPresent = r.flag();
      if (decoderModelInfoPresent) {
        bufferDelayLength = r.u(5) + 1;
        r.skip(32 + 5 + 5); // num_units_in_decoding_tick, removal/presentation time lengths
      }
    }
    const initialDisplayDelayPresent = r.flag();
    const operatingPoints = r.u(5) + 1;
    level = 0;
    for (let i = 0; i < operatingPoints; i++) {
      r.skip(12); // operating_point_idc
      const seqLevel = r.u(5);
      if (i === 0) level = seqLevel;
      if (seqLevel > 7) r.skip(1); // seq_tier
      if (decoderModelInfoPresent && r.flag()) r.skip(2 * bufferDelayLength + 1); // operating_parameters_info
      if (initialDisplayDelayPresent && r.flag()) r.skip(4);
    }
  }
  const widthBits = r.u(4) + 1;
  const heightBits = r.u(4) + 1;
  const width = r.u(widthBits) + 1;
  const height = r.u(heightBits) + 1;
  return { codec: 'av1', width, height, frameRate, profile, level };
}
