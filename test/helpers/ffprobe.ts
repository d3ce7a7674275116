// Judging a recording with the real tools: ffprobe for streams and packets, ffmpeg for a full decode.
import { execFile } from 'node:child_process';
import { stat } from 'node:fs/promises';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface ProbedStream {
  readonly index: number;
  readonly codecType: string;
  readonly codecName: string;
  readonly width?: number;
  readonly height?: number;
  readonly sampleRate?: number;
  readonly channels?: number;
  readonly timeBase: string;
}

export interface ProbedPacket {
  readonly streamIndex: number;
  readonly codecType: string;
  /** In the stream's time base (1/1000 for FLV); null when ffprobe reports N/A. */
  readonly pts: number | null;
  readonly dts: number | null;
  readonly size: number;
  /** ffprobe's flags, e.g. `K_` for a keyframe. */
  readonly flags: string;
  readonly keyframe: boolean;
}

export interface ProbeResult {
  readonly formatName: string;
  readonly durationS: number | null;
  readonly streams: readonly ProbedStream[];
  readonly packets: readonly ProbedPacket[];
  readonly videoPackets: readonly ProbedPacket[];
  readonly audioPackets: readonly ProbedPacket[];
}

interface RawStream {
  index?: number;
  codec_type?: string;
  codec_name?: string;
  width?: number;
  height?: number;
  sample_rate?: string;
  channels?: number;
  time_base?: string;
}
interface RawPacket {
  stream_index?: number;
  codec_type?: string;
  pts?: number;
  dts?: number;
  size?: string;
  flags?: string;
}
interface RawProbe {
  format?: { format_name?: string; duration?: string };
  streams?: RawStream[];
  packets?: RawPacket[];
}

function optionalNumber(value: string | number | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  return Number.isFinite(n) ? n : undefined;
}

function toStream(raw: RawStream): ProbedStream {
  const stream: { -readonly [K in keyof ProbedStream]: ProbedStream[K] } = {
    index: raw.index ?? -1,
    codecType: raw.codec_type ?? 'unknown',
    codecName: raw.codec_name ?? 'unknown',
    timeBase: raw.time_base ?? '',
  };
  if (raw.width !== undefined) stream.width = raw.width;
  if (raw.height !== undefined) stream.height = raw.height;
  const sampleRate = optionalNumber(raw.sample_rate);
  if (sampleRate !== undefined) stream.sampleRate = sampleRate;
  if (raw.channels !== undefined) stream.channels = raw.channels;
  return stream;
}

function toPacket(raw: RawPacket): ProbedPacket {
  const flags = raw.flags ?? '';
  return {
    streamIndex: raw.stream_index ?? -1,
    codecType: raw.codec_type ?? 'unknown',
    pts: raw.pts ?? null,
    dts: raw.dts ?? null,
    size: optionalNumber(raw.size) ?? 0,
    flags,
    keyframe: flags.includes('K'),
  };
}

/** `ffprobe -show_format -show_streams -show_packets` of a file; throws with ffprobe's message on failure. */
export async function probeFile(path: string): Promise<ProbeResult> {
  let stdout: string;
  try {
    ({ stdout } = await run(
      'ffprobe',
      ['-v', 'error', '-show_format', '-show_streams', '-show_packets', '-of', 'json', path],
      { maxBuffer: 256 * 1024 * 1024, timeout: 60_000 },
    ));
  } catch (error) {
    const e = error as { stderr?: string; message: string };
    throw new Error(`ffprobe ${path} failed: ${(e.stderr ?? '').trim() || e.message}`);
  }
  const raw = JSON.parse(stdout) as RawProbe;
  const packets = (raw.packets ?? []).map(toPacket);
  const duration = optionalNumber(raw.format?.duration);
  return {
    formatName: raw.format?.format_name ?? '',
    durationS: duration ?? null,
    streams: (raw.streams ?? []).map(toStream),
    packets,
    videoPackets: packets.filter((p) => p.codecType === 'video'),
    audioPackets: packets.filter((p) => p.codecType === 'audio'),
  };
}

/** Error lines printed by a full decode (`ffmpeg -v error -i FILE -f null -`); empty when it decodes cleanly. */
export async function decodeErrors(path: string): Promise<string[]> {
  try {
    // Decoded video is timed in FLV's own milliseconds: by default ffmpeg times it in 1/frame rate,
    // and the rounding then gives two frames the same dts ("non monotonically increasing dts to
    // muxer ... 611 >= 611", every third frame) wherever a stream continues at a sub-frame offset,
    // as a relay's timeline does after its encoder comes back; equal or backward milliseconds still show.
    const { stderr } = await run('ffmpeg', ['-hide_banner', '-nostdin', '-v', 'error', '-i', path, '-enc_time_base:v', '1:1000', '-f', 'null', '-'], {
      maxBuffer: 16 * 1024 * 1024,
      timeout: 120_000,
    });
    return stderr.split('\n').filter((line) => line.trim() !== '');
  } catch (error) {
    const e = error as { stderr?: string; code?: number | string; message: string };
    const lines = (e.stderr ?? '').split('\n').filter((line) => line.trim() !== '');
    return [`ffmpeg decode failed (exit ${e.code ?? '?'})`, ...lines];
  }
}

export interface RecordingExpectations {
  /** e.g. `h264`: a video stream with this codec must be present. */
  readonly videoCodec?: string;
  /** e.g. `aac`: an audio stream with this codec must be present. */
  readonly audioCodec?: string;
  readonly width?: number;
  readonly height?: number;
  readonly minVideoFrames?: number;
  readonly maxVideoFrames?: number;
  readonly minAudioPackets?: number;
  /** Skip the full decode (faster for long files). Default false. */
  readonly skipDecode?: boolean;
}

/** Per stream, the places where dts goes backwards (at most `limit` of them). */
export function dtsRegressions(packets: readonly ProbedPacket[], limit = 3): string[] {
  const found: string[] = [];
  const lastDts = new Map<number, number>();
  packets.forEach((packet, i) => {
    if (packet.dts === null) {
      if (found.length < limit) found.push(`packet ${i} (stream ${packet.streamIndex}) has no dts`);
      return;
    }
    const previous = lastDts.get(packet.streamIndex);
    if (previous !== undefined && packet.dts < previous && found.length < limit) {
      found.push(`stream ${packet.streamIndex} dts goes back from ${previous} to ${packet.dts} at packet ${i}`);
    }
    lastDts.set(packet.streamIndex, packet.dts);
  });
  return found;
}

/**
 * Problems with a recording, as sentences (empty = fine): it must exist, probe, decode without errors,
 * start its video with a keyframe, have monotonic (non-decreasing) dts per stream, and meet `expect`.
 */
export async function checkRecording(path: string, expect: RecordingExpectations = {}): Promise<string[]> {
  const size = await stat(path).then((s) => s.size, () => -1);
  if (size < 0) return [`${path} does not exist`];
  if (size === 0) return [`${path} is empty`];
  let probe: ProbeResult;
  try {
    probe = await probeFile(path);
  } catch (error) {
    return [(error as Error).message];
  }
  const problems: string[] = [];
  const video = probe.streams.find((s) => s.codecType === 'video');
  const audio = probe.streams.find((s) => s.codecType === 'audio');
  if (expect.videoCodec !== undefined && video?.codecName !== expect.videoCodec) {
    problems.push(`video codec is ${video?.codecName ?? 'absent'}, expected ${expect.videoCodec}`);
  }
  if (expect.audioCodec !== undefined && audio?.codecName !== expect.audioCodec) {
    problems.push(`audio codec is ${audio?.codecName ?? 'absent'}, expected ${expect.audioCodec}`);
  }
  if (expect.width !== undefined && video?.width !== expect.width) problems.push(`video width is ${video?.width}, expected ${expect.width}`);
  if (expect.height !== undefined && video?.height !== expect.height) problems.push(`video height is ${video?.height}, expected ${expect.height}`);
  const first = probe.videoPackets[0];
  if (first !== undefined && !first.keyframe) problems.push(`first video packet is not a keyframe (flags ${first.flags})`);
  const frames = probe.videoPackets.length;
  if (expect.minVideoFrames !== undefined && frames < expect.minVideoFrames) {
    problems.push(`${frames} video frames, expected at least ${expect.minVideoFrames}`);
  }
  if (expect.maxVideoFrames !== undefined && frames > expect.maxVideoFrames) {
    problems.push(`${frames} video frames, expected at most ${expect.maxVideoFrames}`);
  }
  if (expect.minAudioPackets !== undefined && probe.audioPackets.length < expect.minAudioPackets) {
    problems.push(`${probe.audioPackets.length} audio packets, expected at least ${expect.minAudioPackets}`);
  }
  problems.push(...dtsRegressions(probe.packets));
  if (expect.skipDecode !== true) {
    const errors = await decodeErrors(path);
    if (errors.length > 0) problems.push(`decode errors: ${errors.slice(0, 5).join(' | ')}`);
  }
  return problems;
}
