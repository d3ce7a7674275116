import { RtmpError } from '../errors.js';
import { BitReader, unescapeRbsp } from './bit-reader.js';

/** What the first SPS of an H.264 stream says (ITU-T H.264 7.3.2.1.1, E.1.1). */
export interface AvcFacts {
  readonly codec: 'h264';
  readonly width: number;
  readonly height: number;
  /** Frames per second from the VUI timing info; null when the SPS has none. */
  readonly frameRate: number | null;
  /** profile_idc (66 Baseline, 77 Main, 100 High, ...). */
  readonly profile: number;
  /** level_idc (31 = level 3.1). */
  readonly level: number;
  readonly chromaFormat: number;
  readonly bitDepth: number;
  /** Bytes in each NAL length prefix of coded frames (1, 2 or 4). */
  readonly nalLengthSize: number;
}

/** Profiles whose SPS carries chroma_format_idc, bit depths and scaling matrices. */
const HIGH_PROFILES = new Set([100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135]);

/**
 * Parses an AVCDecoderConfigurationRecord (ISO/IEC 14496-15 5.3.3.1) — the body of an AVC
 * sequence header — and its first SPS. Never throws.
 */
export function parseAvcDecoderConfig(record: Buffer): AvcFacts | RtmpError {
  try {
    if (record.length < 8) throw new RtmpError('ERR_RTMP_TRUNCATED', `avcC needs 8 bytes, has ${record.length}`);
    if (record[0] !== 1) throw new RtmpError('ERR_RTMP_CODEC_CONFIG', `avcC version ${record[0]}, expected 1`);
    const nalLengthSize = (record[4]! & 0x03) + 1;
    const spsCount = record[5]! & 0x1f;
    if (spsCount === 0) throw new RtmpError('ERR_RTMP_CODEC_CONFIG', 'avcC without an SPS');
    const spsLength = record.readUInt16BE(6);
    if (8 + spsLength > record.length) {
      throw new RtmpError('ERR_RTMP_TRUNCATED', `SPS of ${spsLength} bytes, ${record.length - 8} left`);
    }
    const sps = parseSps(record.subarray(8, 8 + spsLength));
    return { ...sps, nalLengthSize };
  } catch (error) {
    if (error instanceof RtmpError) return error;
    throw error;
  }
}

/** Parses one SPS NAL unit (with its one-byte NAL header). Never throws. */
export function parseAvcSps(nal: Buffer): Omit<AvcFacts, 'nalLengthSize'> | RtmpError {
  try {
    return parseSps(nal);
  } catch (error) {
    if (error instanceof RtmpError) return error;
    throw error;
  }
}

function parseSps(nal: Buffer): Omit<AvcFacts, 'nalLengthSize'> {
  if (nal.length < 1) throw new RtmpError('ERR_RTMP_TRUNCATED', 'empty SPS');
  const nalType = nal[0]! & 0x1f;
  if (nalType !== 7) throw new RtmpError('ERR_RTMP_CODEC_CONFIG', `NAL type ${nalType} where an SPS (7) belongs`);
  const r = new BitReader(unescapeRbsp(nal.subarray(1)));
  const profile = r.u(8);
  r.skip(8); // constraint_set flags + reserved
  const level = r.u(8);
  r.ue(); // seq_parameter_set_id
  let chromaFormat = 1;
  let separateColourPlane = false;
  let bitDepth = 8;
  if (HIGH_PROFILES.has(profile)) {
    chromaFormat = r.ue();
    if (chromaFormat > 3) throw new RtmpError('ERR_RTMP_CODEC_CONFIG', `chroma_format_idc ${chromaFormat}`);
    if (chromaFormat === 3) separateColourPlane = r.flag();
    bitDepth = r.ue() + 8; // bit_depth_luma_minus8
    r.ue(); // bit_depth_chroma_minus8
    r.skip(1); // qpprime_y_zero_transform_bypass_flag
    if (r.flag()) skipScalingMatrices(r, chromaFormat === 3 ? 12 : 8);
  }
  r.ue(); // log2_max_frame_num_minus4
  const pocType = r.ue();
  if (pocType === 0) {
    r.ue(); // log2_max_pic_order_cnt_lsb_minus4
  } else if (pocType === 1) {
    r.skip(1); // delta_pic_order_always_zero_flag
    r.se(); // offset_for_non_ref_pic
    r.se(); // offset_for_top_to_bottom_field
    const cycle = r.ue();
    if (cycle > 255) throw new RtmpError('ERR_RTMP_CODEC_CONFIG', `num_ref_frames_in_pic_order_cnt_cycle ${cycle}`);
    for (let i = 0; i < cycle; i++) r.se();
  } else if (pocType !== 2) {
    throw new RtmpError('ERR_RTMP_CODEC_CONFIG', `pic_order_cnt_type ${pocType}`);
  }
  r.ue(); // max_num_ref_frames
  r.skip(1); // gaps_in_frame_num_value_allowed_flag
  const widthInMbs = r.ue() + 1;
  const heightInMapUnits = r.ue() + 1;
  const frameMbsOnly = r.flag();
  if (!frameMbsOnly) r.skip(1); // mb_adaptive_frame_field_flag
  r.skip(1); // direct_8x8_inference_flag
  let cropLeft = 0;
  let cropRight = 0;
  let cropTop = 0;
  let cropBottom = 0;
  if (r.flag()) {
    cropLeft = r.ue();
    cropRight = r.ue();
    cropTop = r.ue();
    cropBottom = r.ue();
  }
  // Crop units (7-19..7-22): chroma subsampling, doubled vertically for field coding.
  const chromaArrayType = separateColourPlane ? 0 : chromaFormat;
  const cropUnitX = chromaArrayType === 0 ? 1 : chromaArrayType === 3 ? 1 : 2;
  const cropUnitY = (chromaArrayType === 1 ? 2 : 1) * (frameMbsOnly ? 1 : 2);
  const width = widthInMbs * 16 - cropUnitX * (cropLeft + cropRight);
  const height = (frameMbsOnly ? 1 : 2) * heightInMapUnits * 16 - cropUnitY * (cropTop + cropBottom);
  if (width <= 0 || height <= 0) throw new RtmpError('ERR_RTMP_CODEC_CONFIG', `cropped to ${width}x${height}`);
  const frameRate = r.flag() ? vuiFrameRate(r) : null;
  return { codec: 'h264', width, height, frameRate, profile, level, chromaFormat, bitDepth };
}

/** scaling_list() entries are delta-coded; reading them is the only way past them (7.3.2.1.1.1). */
function skipScalingMatrices(r: BitReader, count: number): void {
  for (let i = 0; i < count; i++) {
    if (!r.flag()) continue;
    const size = i < 6 ? 16 : 64;
    let last = 8;
    let next = 8;
    for (let j = 0; j < size; j++) {
      if (next !== 0) {
        next = (last + r.se() + 256) % 256;
      }
      last = next === 0 ? last : next;
    }
  }
}

/** VUI up to timing_info (E.1.1): fps = time_scale / (2 * num_units_in_tick). */
function vuiFrameRate(r: BitReader): number | null {
  if (r.flag()) {
    // aspect_ratio_info_present_flag
    if (r.u(8) === 255) r.skip(32); // Extended_SAR: sar_width, sar_height
  }
  if (r.flag()) r.skip(1); // overscan_info_present_flag → overscan_appropriate_flag
  if (r.flag()) {
    // video_signal_type_present_flag
    r.skip(4); // video_format, video_full_range_flag
    if (r.flag()) r.skip(24); // colour_description: primaries, transfer, matrix
  }
  if (r.flag()) {
    // chroma_loc_info_present_flag
    r.ue();
    r.ue();
  }
  if (!r.flag()) return null; // timing_info_present_flag
  const unitsInTick = r.u(32);
  const timeScale = r.u(32);
  if (unitsInTick === 0 || timeScale === 0) return null;
  return roundRate(timeScale / (2 * unitsInTick));
}

/** Frame rates to 3 decimals (29.97, 59.94) without float noise. */
export function roundRate(rate: number): number {
  return Math.round(rate * 1000) / 1000;
}
