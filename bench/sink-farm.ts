// The destinations of the fan-out benchmark: nginx-rtmp processes with N stream names in
// application `sink`, recording each publish to its own FLV (on tmpfs when the bench runs there),
// and telling us over HTTP (on_publish) when each destination went live. The recordings give the
// growth signal that ends the measurement and the integrity check against the source.
import { statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { readFlv } from '../test/helpers/flv-tags.js';
import { startNginxSink, type NginxSink } from '../test/helpers/nginx.js';
import { sleep } from '../test/helpers/rtmp-publisher.js';
import { frameLists, type FrameList, type SourceStream } from './source-media.js';

export const SINK_APP = 'sink';

/**
 * nginx processes recording the sinks, destinations spread over them in turn. One process records
 * only 300-400 MB/s here, less than the 496 MB/s of N = 64 at 10x: with one, every relay lost
 * frames at N = 64 because the sink fell behind. One nginx with two workers did not spread the load:
 * a burst of connections all went to the worker that woke first (nginx-rtmp has no `reuseport`).
 */
export const SINK_PROCESSES = 2;

export function destinationName(event: number, destination: number): string {
  return `e${event}d${destination}`;
}

/** Which sink process records `name` (a destinationName): destinations alternate between them. */
function sinkIndexOf(name: string): number {
  const match = /^e\d+d(\d+)$/.exec(name);
  if (match === null) throw new Error(`not a destination name: ${name}`);
  return Number(match[1]) % SINK_PROCESSES;
}

export interface SinkFarm {
  /** `rtmp://127.0.0.1:PORT/sink` of the process that records destination number `destination`. */
  appUrlFor(destination: number): string;
  /** The sink processes. */
  readonly pids: readonly number[];
  /** Resolves when every one of `names` has published (the relay's push reached `Publish.Start`). */
  waitLive(names: readonly string[], timeoutMs: number): Promise<void>;
  /** Resolves when every one of `names` has unpublished (the relay closed that push). */
  waitDone(names: readonly string[], timeoutMs: number): Promise<void>;
  /** Bytes recorded so far over `names`. */
  recordedBytes(names: readonly string[]): number;
  recordingPath(name: string): string;
  stop(): Promise<void>;
}

export async function startSinkFarm(): Promise<SinkFarm> {
  const started = await Promise.allSettled(
    Array.from({ length: SINK_PROCESSES }, () => startNginxSink({ apps: [SINK_APP], record: true, notify: true })),
  );
  const sinks = started.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  const failure = started.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (failure !== undefined) {
    await Promise.all(sinks.map((sink) => sink.stop()));
    throw failure.reason;
  }
  const sinkOf = (name: string): NginxSink => sinks[sinkIndexOf(name)]!;
  const recordingPath = (name: string): string => sinkOf(name).recordingPath(SINK_APP, name);
  return {
    appUrlFor: (destination) => sinks[destination % SINK_PROCESSES]!.rtmpUrl(SINK_APP),
    pids: sinks.map((sink) => sink.process.pid),
    waitLive: async (names, timeoutMs) => {
      const deadline = Date.now() + timeoutMs;
      for (const name of names) await sinkOf(name).waitForPublish(name, Math.max(1, deadline - Date.now()));
    },
    waitDone: async (names, timeoutMs) => {
      const deadline = Date.now() + timeoutMs;
      for (const name of names) await sinkOf(name).waitForPublishDone(name, Math.max(1, deadline - Date.now()));
    },
    recordedBytes: (names) => {
      let total = 0;
      for (const name of names) {
        try {
          total += statSync(recordingPath(name)).size;
        } catch {
          // not created yet
        }
      }
      return total;
    },
    recordingPath,
    stop: async () => {
      await Promise.all(sinks.map((sink) => sink.stop()));
    },
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
