import { RtmpError } from '../errors.js';
import { roundRate } from './avc-config.js';
import { BitReader, unescapeRbsp } from './bit-reader.js';

/** What the SPS of an H.265 stream says (ITU-T H.265 7.3.2.2, E.2.1). */
export interface HevcFacts {
  readonly codec: 'hevc';
  readonly width: number;
  readonly height: number;
  /** From the VUI timing info, else from the record's avgFrameRate; null when neither says. */
  readonly frameRate: number | null;
  /** general_profile_idc (1 Main, 2 Main 10, ...). */
  readonly profile: number;
  /** general_level_idc (level x 30: 93 = 3.1, 120 = 4). */
  readonly level: number;
  readonly tier: 'main' | 'high';
  readonly chromaFormat: number;
  readonly bitDepth: number;
  readonly nalLengthSize: number;
}

const NAL_SPS = 33;

/**
 * Parses an HEVCDecoderConfigurationRecord (ISO/IEC 14496-15 8.3.3.1) and the first SPS in its
 * arrays. Never throws.
 */
export function parseHevcDecoderConfig(record: Buffer): HevcFacts | RtmpError {
  try {
    if (record.length < 23) throw new RtmpError('ERR_RTMP_TRUNCATED', `hvcC needs 23 bytes, has ${record.length}`);
    if (record[0] !== 1) throw new RtmpError('ERR_RTMP_CODEC_CONFIG', `hvcC version ${record[0]}, expected 1`);
    const avgFrameRate = record.readUInt16BE(19); // frames per 256 s
    const nalLengthSize = (record[21]! & 0x03) + 1;
    const arrays = record[22]!;
    let at = 23;
    for (let i = 0; i < arrays; i++) {
      need(record, at, 3);
      const nalType = record[at]! & 0x3f;
      const count = record.readUInt16BE(at + 1);
      at += 3;
      for (let j = 0; j < count; j++) {
        need(record, at, 2);
        const length = record.readUInt16BE(at);
        at += 2;
        need(record, at, length);
        if (nalType === NAL_SPS) {
          const sps = parseSps(record.subarray(at, at + length));
          const frameRate = sps.frameRate ?? (avgFrameRate === 0 ? null : roundRate(avgFrameRate / 256));
          return { ...sps, frameRate, nalLengthSize };
        }
        at += length;
      }
    }
    throw new RtmpError('ERR_RTMP_CODEC_CONFIG', 'hvcC without an SPS');
  } catch (error) {
    if (error instanceof RtmpError) return error;
    throw error;
  }
}

function need(buffer: Buffer, at: number, n: number): void {
  if (at + n > buffer.length) throw new RtmpError('ERR_RTMP_TRUNCATED', `need ${n} bytes at ${at} in hvcC`);
}

function parseSps(nal: Buffer): Omit<HevcFacts, 'nalLengthSize'> {
  if (nal.length < 2) throw new RtmpError('ERR_RTMP_TRUNCATED', 'SPS shorter than its NAL header');
  const nalType = (nal[0]! >> 1) & 0x3f;
  if (nalType !== NAL_SPS) throw new RtmpError('ERR_RTMP_CODEC_CONFIG', `NAL type ${nalType} where an SPS belongs`);
  const r = new BitReader(unescapeRbsp(nal.subarray(2)));
  r.skip(4); // sps_video_parameter_set_id
  const maxSubLayersMinus1 = r.u(3);
  if (maxSubLayersMinus1 > 6) throw new RtmpError('ERR_RTMP_CODEC_CONFIG', 'sps_max_sub_layers_minus1 7');
  r.skip(1); // sps_temporal_id_nesting_flag
  // profile_tier_level(1, maxSubLayersMinus1), 7.3.3
  r.skip(2); // general_profile_space
  const tier = r.flag() ? 'high' : 'main';
  const profile = r.u(5);
  r.skip(32 + 48); // compatibility flags; progressive/interlaced/constraint flags
  const level = r.u(8);
  const subLayerProfile: boolean[] = [];
  const subLayerLevel: boolean[] = [];
  for (let i = 0; i < maxSubLayersMinus1; i++) {
    subLayerProfile.push(r.flag());
    subLayerLevel.push(r.flag());
  }
  if (maxSubLayersMinus1 > 0) r.skip(2 * (8 - maxSubLayersMinus1)); // reserved_zero_2bits
  for (let i = 0; i < maxSubLayersMinus1; i++) {
    if (subLayerProfile[i]) r.skip(88);
    if (subLayerLevel[i]) r.skip(8);
  }
  r.ue(); // sps_seq_parameter_set_id
  const chromaFormat = r.ue();
  if (chromaFormat > 3) throw new RtmpError('ERR_RTMP_CODEC_CONFIG', `chroma_format_idc ${chromaFormat}`);
  const separateColourPlane = chromaFormat === 3 ? r.flag() : false;
  const lumaWidth = r.ue();
  const lumaHeight = r.ue();
  let width = lumaWidth;
  let height = lumaHeight;
  if (r.flag()) {
    // conformance window, in chroma units (Table 6-1)
    const chromaArrayType = separateColourPlane ? 0 : chromaFormat;
    const subWidth = chromaArrayType === 1 || chromaArrayType === 2 ? 2 : 1;
    const subHeight = chromaArrayType === 1 ? 2 : 1;
    width -= subWidth * (r.ue() + r.ue());
    height -= subHeight * (r.ue() + r.ue());
  }
  if (width <= 0 || height <= 0) throw new RtmpError('ERR_RTMP_CODEC_CONFIG', `picture of ${width}x${height}`);
  const bitDepth = r.ue() + 8;
  // The frame rate sits in the VUI, past structures that must be walked. A malformed tail is not
  // worth failing the dimensions for: it only costs the frame rate.
  let frameRate: number | null = null;
  try {
    frameRate = readFrameRate(r, maxSubLayersMinus1);
  } catch (error) {
    if (!(error instanceof RtmpError)) throw error;
  }
  return { codec: 'hevc', width, height, frameRate, profile, level, tier, chromaFormat, bitDepth };
}

function readFrameRate(r: BitReader, maxSubLayersMinus1: number): number | null {
  r.ue(); // bit_depth_chroma_minus8
  const log2MaxPocLsb = r.ue() + 4;
  const orderingInfoForAll = r.flag();
  for (let i = orderingInfoForAll ? 0 : maxSubLayersMinus1; i <= maxSubLayersMinus1; i++) {
    r.ue(); // sps_max_dec_pic_buffering_minus1
    r.ue(); // sps_max_num_reorder_pics
    r.ue(); // sps_max_latency_increase_plus1
  }
  for (let i = 0; i < 6; i++) r.ue(); // coding/transform block sizes and hierarchy depths
  if (r.flag() && r.flag()) skipScalingListData(r); // scaling_list_enabled, sps_scaling_list_data_present
  r.skip(2); // amp_enabled_flag, sample_adaptive_offset_enabled_flag
  if (r.flag()) {
    // pcm_enabled_flag
    r.skip(8); // pcm sample bit depths
    r.ue();
    r.ue();
    r.skip(1); // pcm_loop_filter_disabled_flag
  }
  skipShortTermRefPicSets(r);
  if (r.flag()) {
    // long_term_ref_pics_present_flag
    const count = r.ue();
    if (count > 32) throw new RtmpError('ERR_RTMP_CODEC_CONFIG', `num_long_term_ref_pics_sps ${count}`);
    for (let i = 0; i < count; i++) r.skip(log2MaxPocLsb + 1);
  }
  r.skip(2); // sps_temporal_mvp_enabled_flag, strong_intra_smoothing_enabled_flag
  if (!r.flag()) return null; // vui_parameters_present_flag
  // vui_parameters(), E.2.1
  if (r.flag() && r.u(8) === 255) r.skip(32); // aspect ratio, Extended_SAR
  if (r.flag()) r.skip(1); // overscan
  if (r.flag()) {
    r.skip(4); // video_format, video_full_range_flag
    if (r.flag()) r.skip(24); // colour description
  }
  if (r.flag()) {
    r.ue(); // chroma_sample_loc_type_top_field
    r.ue();
  }
  r.skip(3); // neutral_chroma_indication, field_seq, frame_field_info_present
  if (r.flag()) {
    // default_display_window_flag
    for (let i = 0; i < 4; i++) r.ue();
  }
  if (!r.flag()) return null; // vui_timing_info_present_flag
  const unitsInTick = r.u(32);
  const timeScale = r.u(32);
  return unitsInTick === 0 || timeScale === 0 ? null : roundRate(timeScale / unitsInTick);
}

/** scaling_list_data(), 7.3.4. */
function skipScalingListData(r: BitReader): void {
  for (let sizeId = 0; sizeId < 4; sizeId++) {
    for (let matrixId = 0; matrixId < 6; matrixId += sizeId === 3 ? 3 : 1) {
      if (!r.flag()) {
        r.ue(); // scaling_list_pred_matrix_id_delta
        continue;
      }
      const coefficients = Math.min(64, 1 << (4 + (sizeId << 1)));
      if (sizeId > 1) r.se(); // scaling_list_dc_coef_minus8
      for (let i = 0; i < coefficients; i++) r.se();
    }
  }
}

/** st_ref_pic_set() for every set in the SPS, 7.3.7; inter-predicted sets depend on the previous one. */
function skipShortTermRefPicSets(r: BitReader): void {
  const count = r.ue();
  if (count > 64) throw new RtmpError('ERR_RTMP_CODEC_CONFIG', `num_short_term_ref_pic_sets ${count}`);
  const deltaPocs: number[] = [];
  for (let idx = 0; idx < count; idx++) {
    if (idx !== 0 && r.flag()) {
      // inter_ref_pic_set_prediction_flag: in the SPS the reference is always the previous set
      r.skip(1); // delta_rps_sign
      r.ue(); // abs_delta_rps_minus1
      let used = 0;
      for (let j = 0; j <= deltaPocs[idx - 1]!; j++) {
        const usedByCurrent = r.flag();
        if (usedByCurrent || r.flag()) used++;
      }
      deltaPocs.push(used);
      continue;
    }
    const negative = r.ue();
    const positive = r.ue();
    if (negative > 16 || positive > 16) throw new RtmpError('ERR_RTMP_CODEC_CONFIG', 'too many reference pictures');
    for (let i = 0; i < negative + positive; i++) {
      r.ue(); // delta_poc_minus1
      r.skip(1); // used_by_curr_pic_flag
    }
    deltaPocs.push(negative + positive);
  }
}
