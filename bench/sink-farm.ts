// The destinations of the fan-out benchmark: nginx-rtmp with N stream names in application `sink`,
// recording each publish to its own FLV (on tmpfs when the bench runs there), and telling us over
// HTTP (on_publish) when each destination went live. The recordings give the growth signal that
// ends the measurement and the integrity check against the source.
import { statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { readFlv } from '../test/helpers/flv-tags.js';
import { startNginxSink, type NginxSink } from '../test/helpers/nginx.js';
import { sleep } from '../test/helpers/rtmp-publisher.js';
import { frameLists, type FrameList, type SourceStream } from './source-media.js';
import { childPids } from './proc-stats.js';

export const SINK_APP = 'sink';

/**
 * nginx workers recording the sinks. One process records ~300-400 MB/s here, less than the 496 MB/s
 * of N = 64 at 10x: with one, every relay lost frames at N = 64 because the sink fell behind, which
 * measured the sink. Two keep up (nginx-rtmp as the relay is lossless then).
 */
export const SINK_WORKERS = 2;

export function destinationName(event: number, destination: number): string {
  return `e${event}d${destination}`;
}

export interface SinkFarm {
  /** `rtmp://127.0.0.1:PORT/sink` */
  readonly appUrl: string;
  /** nginx's master (or only) process and its workers. */
  readonly pids: readonly number[];
  /** Resolves when every one of `names` has published (the relay's push reached `Publish.Start`). */
  waitLive(names: readonly string[], timeoutMs: number): Promise<void>;
  /** Bytes recorded so far over `names`. */
  recordedBytes(names: readonly string[]): number;
  recordingPath(name: string): string;
  stop(): Promise<void>;
}

export async function startSinkFarm(): Promise<SinkFarm> {
  const nginx: NginxSink = await startNginxSink({ apps: [SINK_APP], record: true, notify: true, workers: SINK_WORKERS });
  const master = nginx.process.pid;
  return {
    appUrl: nginx.rtmpUrl(SINK_APP),
    pids: [master, ...childPids(master)],
    waitLive: async (names, timeoutMs) => {
      const deadline = Date.now() + timeoutMs;
      for (const name of names) await nginx.waitForPublish(name, Math.max(1, deadline - Date.now()));
    },
    recordedBytes: (names) => {
      let total = 0;
      for (const name of names) {
        try {
          total += statSync(nginx.recordingPath(SINK_APP, name)).size;
        } catch {
          // not created yet
        }
      }
      return total;
    },
    recordingPath: (name) => nginx.recordingPath(SINK_APP, name),
    stop: () => nginx.stop(),
  };
}

export interface GrowthEnd {
  /** performance.now() of the poll at which the recordings reached their final size. */
  readonly at: number;
  readonly bytes: number;
  /** Whatever the caller sampled at that poll (the relay's CPU, say). */
  readonly sample: unknown;
}

/**
 * Polls the total recorded size every `pollMs` after the publisher is done; once it has not grown
 * for `quietMs`, returns the poll at which it last grew, with the caller's sample taken there.
 */
export async function waitUntilQuiet(
  bytesNow: () => number,
  sampleNow: () => unknown,
  options: { readonly pollMs: number; readonly quietMs: number; readonly timeoutMs: number },
): Promise<GrowthEnd> {
  let last: GrowthEnd = { at: performance.now(), bytes: bytesNow(), sample: sampleNow() };
  const deadline = Date.now() + options.timeoutMs;
  while (Date.now() < deadline) {
    await sleep(options.pollMs);
    const bytes = bytesNow();
    const at = performance.now();
    if (bytes !== last.bytes) last = { at, bytes, sample: sampleNow() };
    else if (at - last.at >= options.quietMs) return last;
  }
  throw new Error(`recordings still growing after ${options.timeoutMs} ms`);
}

export interface SinkIntegrity {
  readonly name: string;
  /** Audio and video payload bytes in the recording (headers included). */
  readonly mediaBytes: number;
  readonly videoFrames: number;
  readonly audioFrames: number;
  /** Source coded frames absent from the recording, or present with other bytes. */
  readonly missingVideo: number;
  readonly missingAudio: number;
  readonly ok: boolean;
  readonly problem: string | null;
}

/** How far ahead a received frame is looked for among the expected ones (frames dropped before it). */
const RESYNC_WINDOW = 4000;

function sameBytes(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && a.equals(b);
}

/**
 * Matches `got` against `expected`, both in order: a received frame equal to the next expected one
 * advances; otherwise it is looked for further on (the frames skipped were lost, e.g. dropped by a
 * queue), and if it is nowhere it is an unexpected (altered or duplicated) frame.
 */
export function compareFrames(expected: FrameList, got: FrameList): { missing: number; extra: number } {
  const want = expected.payloads;
  let matched = 0;
  let extra = 0;
  let next = 0;
  for (const payload of got.payloads) {
    if (next < want.length && sameBytes(want[next]!, payload)) {
      matched++;
      next++;
      continue;
    }
    let found = -1;
    for (let i = next + 1; i < Math.min(want.length, next + RESYNC_WINDOW); i++) {
      if (sameBytes(want[i]!, payload)) {
        found = i;
        break;
      }
    }
    if (found < 0) {
      extra++;
    } else {
      matched++;
      next = found + 1;
    }
  }
  return { missing: want.length - matched, extra };
}

/** Every coded audio and video frame of the source, byte for byte and in order, must be in the recording. */
export async function checkRecording(path: string, name: string, source: SourceStream): Promise<SinkIntegrity> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch {
    return { name, mediaBytes: 0, videoFrames: 0, audioFrames: 0, missingVideo: source.video.payloads.length, missingAudio: source.audio.payloads.length, ok: false, problem: 'no recording' };
  }
  const flv = readFlv(bytes);
  const { video, audio } = frameLists(flv.tags);
  let mediaBytes = 0;
  for (const tag of flv.tags) if (tag.type === 8 || tag.type === 9) mediaBytes += tag.data.length;
  const v = compareFrames(source.video, video);
  const a = compareFrames(source.audio, audio);
  const problems: string[] = [];
  if (v.missing > 0) problems.push(`${v.missing} video frames missing`);
  if (a.missing > 0) problems.push(`${a.missing} audio frames missing`);
  if (v.extra + a.extra > 0) problems.push(`${v.extra + a.extra} unexpected or altered frames`);
  return {
    name,
    mediaBytes,
    videoFrames: video.payloads.length,
    audioFrames: audio.payloads.length,
    missingVideo: v.missing,
    missingAudio: a.missing,
    ok: problems.length === 0,
    problem: problems.length === 0 ? null : problems.join(', '),
  };
}
