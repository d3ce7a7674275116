// Enhanced RTMP HEVC video tags built from an x265 Annex B stream, independently of src/ (Debian's
// ffmpeg 5.1 cannot mux HEVC into FLV nor speak Enhanced RTMP, so the tests make their own).
import { spawnPeer } from './processes.js';

/** Splits Annex B bytes at start codes into NAL units (without the start codes). */
export function splitAnnexB(stream: Buffer): Buffer[] {
  const starts: Array<{ at: number; length: number }> = [];
  for (let i = 0; i + 3 <= stream.length; i++) {
    if (stream[i] === 0 && stream[i + 1] === 0) {
      if (stream[i + 2] === 1) starts.push({ at: i, length: 3 });
      else if (stream[i + 2] === 0 && stream[i + 3] === 1) starts.push({ at: i, length: 4 });
      else continue;
      i += starts.at(-1)!.length - 1;
    }
  }
  return starts.map((start, k) => stream.subarray(start.at + start.length, k + 1 < starts.length ? starts[k + 1]!.at : stream.length));
}

const nalType = (nal: Buffer): number => (nal[0]! >> 1) & 0x3f;

/**
 * HEVCDecoderConfigurationRecord (ISO/IEC 14496-15 §8.3.3) from VPS, SPS and PPS: the general
 * profile/tier/level bytes are the 12 bytes after the SPS's first byte (x265's SPS has no emulation
 * prevention there), 4:2:0 8-bit, NAL lengths of 4 bytes, one array per parameter set type.
 */
export function buildHvcC(vps: Buffer, sps: Buffer, pps: Buffer): Buffer {
  const profileTierLevel = sps.subarray(3, 15); // NAL header (2) + vps id/max sub layers/nesting (1)
  const header = Buffer.from([
    0x01, // configurationVersion
    ...profileTierLevel, // general_profile_space..general_level_idc (12 bytes)
    0xf0, 0x00, // reserved + min_spatial_segmentation_idc 0
    0xfc, // reserved + parallelismType 0
    0xfd, // reserved + chromaFormat 1 (4:2:0)
    0xf8, // reserved + bitDepthLumaMinus8 0
    0xf8, // reserved + bitDepthChromaMinus8 0
    0x00, 0x00, // avgFrameRate 0 (unspecified)
    0x0f, // constantFrameRate 0, numTemporalLayers 1, temporalIdNested 1, lengthSizeMinusOne 3
    0x03, // numOfArrays
  ]);
  const arrays = [vps, sps, pps].map((nal) => {
    const entry = Buffer.alloc(5);
    entry[0] = 0x80 | nalType(nal); // array_completeness 1, NAL unit type
    entry.writeUInt16BE(1, 1); // numNalus
    entry.writeUInt16BE(nal.length, 3);
    return Buffer.concat([entry, nal]);
  });
  return Buffer.concat([header, ...arrays]);
}

export interface VideoTag {
  timestamp: number;
  payload: Buffer;
  keyframe: boolean;
  sequenceStart: boolean;
}

const HVC1 = Buffer.from('hvc1', 'latin1');

/** ExVideoTagHeader: IsExHeader, frame type (1 key, 2 inter), packet type, FourCC. */
function exHeader(frameType: number, packetType: number): Buffer {
  return Buffer.concat([Buffer.from([0x80 | (frameType << 4) | packetType]), HVC1]);
}

/**
 * E-RTMP tags for an x265 stream encoded with aud=1 and repeat-headers=1: a SequenceStart with the
 * hvcC, then one CodedFrames (packet type 1, composition time 0) per access unit, keyframes marked
 * by IDR/CRA slices, then a SequenceEnd.
 */
export function hevcTagsFromAnnexB(stream: Buffer, fps: number): VideoTag[] {
  const nals = splitAnnexB(stream);
  const vps = nals.find((n) => nalType(n) === 32);
  const sps = nals.find((n) => nalType(n) === 33);
  const pps = nals.find((n) => nalType(n) === 34);
  if (!vps || !sps || !pps) throw new Error('no VPS/SPS/PPS in the HEVC stream');
  const tags: VideoTag[] = [{ timestamp: 0, payload: Buffer.concat([exHeader(1, 0), buildHvcC(vps, sps, pps)]), keyframe: false, sequenceStart: true }];
  let unit: Buffer[] = [];
  let frame = 0;
  const flush = (): void => {
    if (unit.length === 0) return;
    const keyframe = unit.some((n) => nalType(n) >= 16 && nalType(n) <= 21);
    const body = unit.flatMap((nal) => {
      const length = Buffer.alloc(4);
      length.writeUInt32BE(nal.length);
      return [length, nal];
    });
    const timestamp = Math.round((frame * 1000) / fps);
    tags.push({ timestamp, payload: Buffer.concat([exHeader(keyframe ? 1 : 2, 1), Buffer.from([0, 0, 0]), ...body]), keyframe, sequenceStart: false });
    frame++;
    unit = [];
  };
  for (const nal of nals) {
    const type = nalType(nal);
    if (type === 35) flush(); // an access unit delimiter starts the next picture
    else if (type < 32 || type === 39 || type === 40) unit.push(nal); // slices and SEI; parameter sets live in the hvcC
  }
  flush();
  const end = Math.round((frame * 1000) / fps);
  tags.push({ timestamp: end, payload: exHeader(1, 2), keyframe: false, sequenceStart: false });
  return tags;
}

/** Encodes `seconds` of testsrc2 with libx265 (GOP 30, no B-frames) into an Annex B buffer. */
export async function encodeHevc(path: string, seconds: number, fps = 30): Promise<void> {
  const ffmpeg = spawnPeer('ffmpeg', [
    '-hide_banner', '-nostdin', '-loglevel', 'error', '-y',
    '-f', 'lavfi', '-i', `testsrc2=size=320x240:rate=${fps}`, '-t', String(seconds),
    '-c:v', 'libx265', '-preset', 'ultrafast',
    '-x265-params', 'keyint=30:min-keyint=30:bframes=0:aud=1:repeat-headers=1:log-level=error',
    '-f', 'hevc', path,
  ]);
  const exit = await ffmpeg.exited;
  if (exit.code !== 0) throw new Error(`x265 encode failed: ${exit.stderrTail}`);
}
