// Enhanced RTMP AV1 ('av01') video tags built from a libaom low-overhead OBU stream, independently
// of src/ (Debian's ffmpeg 5.1 cannot put AV1 into FLV nor speak Enhanced RTMP).
import { spawnPeer } from './processes.js';
import type { VideoTag } from './hevc-tags.js';

interface Obu {
  type: number;
  /** The whole OBU, header included. */
  bytes: Buffer;
  /** The OBU's payload. */
  payload: Buffer;
}

function leb128(data: Buffer, at: number): { value: number; length: number } {
  let value = 0;
  for (let i = 0; i < 8; i++) {
    const byte = data[at + i]!;
    value += (byte & 0x7f) * 2 ** (7 * i);
    if ((byte & 0x80) === 0) return { value, length: i + 1 };
  }
  throw new Error('bad leb128');
}

/** Splits a low-overhead bitstream (every OBU has obu_has_size_field) into OBUs. */
export function splitObus(data: Buffer): Obu[] {
  const obus: Obu[] = [];
  let at = 0;
  while (at < data.length) {
    const header = data[at]!;
    const extension = (header >> 2) & 1;
    if (((header >> 1) & 1) === 0) throw new Error('OBU without a size field');
    const size = leb128(data, at + 1 + extension);
    const start = at + 1 + extension + size.length;
    obus.push({ type: (header >> 3) & 0x0f, bytes: data.subarray(at, start + size.value), payload: data.subarray(start, start + size.value) });
    at = start + size.value;
  }
  return obus;
}

/**
 * seq_profile and seq_level_idx[0] from a sequence header OBU (AV1 spec 5.5.1), for a stream with
 * no timing info and one operating point, as libaom writes by default; tier 0 for levels ≤ 7.
 */
function profileAndLevel(sequenceHeader: Buffer): { profile: number; level: number; tier: number } {
  let bit = 0;
  const read = (n: number): number => {
    let value = 0;
    for (let i = 0; i < n; i++, bit++) value = (value << 1) | ((sequenceHeader[bit >> 3]! >> (7 - (bit & 7))) & 1);
    return value;
  };
  const profile = read(3);
  read(1); // still_picture
  if (read(1) === 1) return { profile, level: read(5), tier: 0 }; // reduced_still_picture_header
  if (read(1) === 1) throw new Error('timing_info_present: not written by this helper');
  read(1); // initial_display_delay_present_flag (0 with no timing info)
  if (read(5) !== 0) throw new Error('more than one operating point');
  read(12); // operating_point_idc[0]
  const level = read(5);
  const tier = level > 7 ? read(1) : 0;
  return { profile, level, tier };
}

/** AV1CodecConfigurationRecord: marker/version, profile and level, 8-bit 4:2:0, then the sequence header OBU. */
export function buildAv1C(sequenceHeaderObu: Obu): Buffer {
  const { profile, level, tier } = profileAndLevel(sequenceHeaderObu.payload);
  return Buffer.concat([
    Buffer.from([
      0x81, // marker 1, version 1
      (profile << 5) | level, // seq_profile, seq_level_idx_0
      (tier << 7) | 0x0c, // seq_tier_0, high_bitdepth 0, twelve_bit 0, monochrome 0, subsampling x 1 y 1, position 0
      0x00, // no initial presentation delay
    ]),
    sequenceHeaderObu.bytes,
  ]);
}

const AV01 = Buffer.from('av01', 'latin1');

/**
 * One tag per temporal unit (temporal delimiters dropped, as E-RTMP carries AV1 in low-overhead
 * format without them): a SequenceStart with the av1C, CodedFrames (no composition time for av01),
 * keyframes where the frame header says KEY_FRAME, then a SequenceEnd.
 */
export function av1TagsFromObus(data: Buffer, fps: number): VideoTag[] {
  const obus = splitObus(data);
  const sequenceHeader = obus.find((obu) => obu.type === 1);
  if (!sequenceHeader) throw new Error('no sequence header OBU');
  const tags: VideoTag[] = [
    { timestamp: 0, payload: Buffer.concat([Buffer.from([0x80 | (1 << 4) | 0]), AV01, buildAv1C(sequenceHeader)]), keyframe: false, sequenceStart: true },
  ];
  let unit: Obu[] = [];
  let frame = 0;
  const flush = (): void => {
    if (unit.length === 0) return;
    // OBU_FRAME / OBU_FRAME_HEADER: show_existing_frame 0 then frame_type 0 (KEY_FRAME) in the top bits.
    const header = unit.find((obu) => obu.type === 6 || obu.type === 3);
    const keyframe = header !== undefined && (header.payload[0]! & 0xe0) === 0;
    const timestamp = Math.round((frame * 1000) / fps);
    tags.push({ timestamp, payload: Buffer.concat([Buffer.from([0x80 | ((keyframe ? 1 : 2) << 4) | 1]), AV01, ...unit.map((obu) => obu.bytes)]), keyframe, sequenceStart: false });
    frame++;
    unit = [];
  };
  for (const obu of obus) {
    if (obu.type === 2) flush(); // a temporal delimiter starts the next temporal unit
    else unit.push(obu);
  }
  flush();
  tags.push({ timestamp: Math.round((frame * 1000) / fps), payload: Buffer.concat([Buffer.from([0x80 | (1 << 4) | 2]), AV01]), keyframe: false, sequenceStart: false });
  return tags;
}

/** Encodes `seconds` of testsrc2 with libaom (GOP 30) into a low-overhead OBU stream. */
export async function encodeAv1(path: string, seconds: number, fps = 30): Promise<void> {
  const ffmpeg = spawnPeer('ffmpeg', [
    '-hide_banner', '-nostdin', '-loglevel', 'error', '-y',
    '-f', 'lavfi', '-i', `testsrc2=size=320x240:rate=${fps}`, '-t', String(seconds),
    '-c:v', 'libaom-av1', '-usage', 'realtime', '-cpu-used', '8', '-g', '30', '-keyint_min', '30',
    '-f', 'obu', path,
  ]);
  const exit = await ffmpeg.exited;
  if (exit.code !== 0) throw new Error(`libaom encode failed: ${exit.stderrTail}`);
}
