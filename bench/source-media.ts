// The benchmark's source stream: a real H.264 + AAC FLV (720p30, ~6 Mbit/s, 64 s, about 48 MB) made
// once with ffmpeg into a cache directory outside the repository, then read into memory as tags.
// The integrity check compares every sink's recording against these tags.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { readFlv, isAacSequenceHeader, isAvcSequenceHeader, FLV_TAG_AUDIO, FLV_TAG_VIDEO, type FlvTag } from '../test/helpers/flv-tags.js';

export const SOURCE_SECONDS = 64;
export const SOURCE_VIDEO_KBPS = 6000;
/** The issue asks for at least this much media. */
const MIN_SOURCE_BYTES = 40 * 1000 * 1000;

export function defaultCacheDir(): string {
  return process.env['RELAY_BENCH_CACHE'] ?? join(process.env['XDG_CACHE_HOME'] ?? join(homedir(), '.cache'), 'rtmp-relay-bench');
}

/**
 * testsrc2 with temporal noise so the encoder really spends its bit budget (a clean test pattern
 * compresses to a fraction of 6 Mbit/s), x264 veryfast capped at 6 Mbit/s, keyframe every 2 s,
 * B-frames on, AAC-LC 128 kbit/s stereo 48 kHz.
 */
function ffmpegArgs(path: string): string[] {
  const kbps = SOURCE_VIDEO_KBPS;
  return [
    '-hide_banner', '-nostdin', '-loglevel', 'error', '-y',
    '-f', 'lavfi', '-i', 'testsrc2=size=1280x720:rate=30',
    '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000',
    '-t', String(SOURCE_SECONDS),
    '-vf', 'noise=alls=10:allf=t',
    '-c:v', 'libx264', '-preset', 'veryfast', '-pix_fmt', 'yuv420p',
    '-b:v', `${kbps}k`, '-maxrate', `${kbps}k`, '-bufsize', `${kbps * 2}k`,
    '-g', '60', '-keyint_min', '60', '-sc_threshold', '0',
    '-c:a', 'aac', '-b:a', '128k', '-ac', '2',
    '-f', 'flv', path,
  ];
}

/** The cached source FLV, encoding it first if it is missing (about a minute on 2 cores). */
export async function ensureSourceFlv(cacheDir: string, log: (line: string) => void): Promise<string> {
  mkdirSync(cacheDir, { recursive: true });
  const path = join(cacheDir, `h264-aac-720p30-${SOURCE_VIDEO_KBPS}k-${SOURCE_SECONDS}s.flv`);
  if (existsSync(path)) return path;
  log(`encoding the source stream once into ${path} (ffmpeg, about ${SOURCE_SECONDS} s)`);
  const partial = `${path}.partial.flv`;
  await promisify(execFile)('ffmpeg', ffmpegArgs(partial), { timeout: 15 * 60_000 });
  const size = statSync(partial).size;
  if (size < MIN_SOURCE_BYTES) throw new Error(`source FLV is ${size} bytes, under ${MIN_SOURCE_BYTES}`);
  renameSync(partial, path);
  return path;
}

/** Coded frames (not sequence headers) of one kind, in order: what every sink must receive. */
export interface FrameList {
  readonly payloads: readonly Buffer[];
  readonly bytes: number;
}

export interface SourceStream {
  readonly path: string;
  readonly tags: readonly FlvTag[];
  /** Tags before the first coded video frame: metadata and sequence headers. */
  readonly headerCount: number;
  readonly video: FrameList;
  readonly audio: FrameList;
  /** Payload bytes of every audio and video tag (headers included): one destination's media. */
  readonly mediaBytes: number;
  readonly durationMs: number;
}

export function isVideoCodedFrame(tag: FlvTag): boolean {
  return tag.type === FLV_TAG_VIDEO && tag.data.length > 1 && (tag.data[0]! & 0x0f) === 7 && tag.data[1] === 1;
}

export function isAudioCodedFrame(tag: FlvTag): boolean {
  return tag.type === FLV_TAG_AUDIO && tag.data.length > 1 && tag.data[0]! >> 4 === 10 && tag.data[1] === 1;
}

export function frameLists(tags: readonly FlvTag[]): { video: FrameList; audio: FrameList } {
  const video: Buffer[] = [];
  const audio: Buffer[] = [];
  let videoBytes = 0;
  let audioBytes = 0;
  for (const tag of tags) {
    if (isVideoCodedFrame(tag)) {
      video.push(tag.data);
      videoBytes += tag.data.length;
    } else if (isAudioCodedFrame(tag)) {
      audio.push(tag.data);
      audioBytes += tag.data.length;
    }
  }
  return { video: { payloads: video, bytes: videoBytes }, audio: { payloads: audio, bytes: audioBytes } };
}

export async function loadSource(path: string): Promise<SourceStream> {
  const flv = readFlv(await readFile(path));
  if (flv.truncated) throw new Error(`${path} ends inside a tag`);
  const tags = flv.tags;
  const headerCount = tags.findIndex(isVideoCodedFrame);
  if (headerCount < 0) throw new Error(`${path} has no H.264 frames`);
  if (!tags.slice(0, headerCount).some(isAvcSequenceHeader) || !tags.slice(0, headerCount).some(isAacSequenceHeader)) {
    throw new Error(`${path} does not start with AVC and AAC sequence headers`);
  }
  const { video, audio } = frameLists(tags);
  let mediaBytes = 0;
  for (const tag of tags) if (tag.type === FLV_TAG_AUDIO || tag.type === FLV_TAG_VIDEO) mediaBytes += tag.data.length;
  const durationMs = (tags[tags.length - 1]?.timestamp ?? 0) - (tags[0]?.timestamp ?? 0);
  return { path, tags, headerCount, video, audio, mediaBytes, durationMs };
}
