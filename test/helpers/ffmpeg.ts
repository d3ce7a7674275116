// ffmpeg as a real encoder (publishes a synthetic H.264/AAC stream over RTMP/RTMPS) and as a real
// one-shot RTMP server (`-listen 1`) that writes what it receives to an FLV file.
import { freePort, LOCALHOST, waitForListenSocket } from './ports.js';
import { spawnPeer, type ExitInfo, type PeerProcess } from './processes.js';

export interface FfmpegPublisherOptions {
  /** Full target, e.g. `rtmp://127.0.0.1:1935/live/key?a=b`. */
  readonly url: string;
  /** Stops after this many seconds of media (`-t`); omitted: runs until stop(). */
  readonly durationS?: number;
  /** Read inputs at their native rate (`-re`), like a live encoder. Default true. */
  readonly realtime?: boolean;
  /** Default `640x360`. */
  readonly size?: string;
  /** Default 30. */
  readonly fps?: number;
  /** Frames between keyframes (fixed GOP). Default 30. */
  readonly keyint?: number;
  /** Add a 440 Hz AAC track. Default true. */
  readonly audio?: boolean;
  /** RTMPS certificate checking: `-tls_verify 1`, trusting `caFile`. ffmpeg does not verify by default. */
  readonly tls?: { readonly verify: boolean; readonly caFile?: string };
  /** Output options inserted just before `-f flv URL`. */
  readonly extraOutputArgs?: readonly string[];
}

export interface PublisherExit extends ExitInfo {
  /** Video frames ffmpeg reported as sent (its last `frame=` progress), null if it reported none. */
  readonly framesSent: number | null;
}

export interface FfmpegPublisher {
  readonly process: PeerProcess;
  readonly args: readonly string[];
  /** durationS × fps when a duration was given, else null. */
  readonly expectedVideoFrames: number | null;
  readonly exited: Promise<PublisherExit>;
  /** Video frames reported so far (progress is reported about every 0.5 s). */
  framesSent(): number;
  /** Resolves once ffmpeg reports at least `count` frames sent; rejects on exit or timeout. */
  waitForFrames(count: number, timeoutMs?: number): Promise<void>;
  /** SIGTERM: ffmpeg ends the publish cleanly (FCUnpublish, deleteStream); SIGKILL after the grace. */
  stop(): Promise<PublisherExit>;
}

const COMMON = ['-hide_banner', '-nostdin', '-loglevel', 'warning'];

export function publisherArgs(options: FfmpegPublisherOptions): string[] {
  const size = options.size ?? '640x360';
  const fps = options.fps ?? 30;
  const keyint = options.keyint ?? 30;
  const realtime = (options.realtime ?? true) ? ['-re'] : [];
  const args = [...COMMON, '-progress', 'pipe:1', '-nostats'];
  args.push(...realtime, '-f', 'lavfi', '-i', `testsrc2=size=${size}:rate=${fps}`);
  if (options.audio ?? true) args.push(...realtime, '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=44100');
  if (options.durationS !== undefined) args.push('-t', String(options.durationS));
  args.push(
    '-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency',
    '-g', String(keyint), '-keyint_min', String(keyint), '-sc_threshold', '0', '-pix_fmt', 'yuv420p',
  );
  if (options.audio ?? true) args.push('-c:a', 'aac', '-b:a', '64k');
  if (options.tls !== undefined) {
    args.push('-tls_verify', options.tls.verify ? '1' : '0');
    if (options.tls.caFile !== undefined) args.push('-ca_file', options.tls.caFile);
  }
  args.push(...(options.extraOutputArgs ?? []), '-f', 'flv', options.url);
  return args;
}

export function startFfmpegPublisher(options: FfmpegPublisherOptions): FfmpegPublisher {
  const args = publisherArgs(options);
  const ffmpeg = spawnPeer('ffmpeg', args);
  let frames = 0;
  let reported = false;
  const frameWaiters = new Set<() => void>();
  ffmpeg.onLine((line, stream) => {
    const match = stream === 'stdout' ? /^frame=(\d+)$/.exec(line) : null;
    if (match?.[1] === undefined) return;
    frames = Number(match[1]);
    reported = true;
    for (const waiter of [...frameWaiters]) waiter();
  });
  const exited = ffmpeg.exited.then((exit) => ({ ...exit, framesSent: reported ? frames : null }));
  return {
    process: ffmpeg,
    args,
    expectedVideoFrames: options.durationS === undefined ? null : Math.round(options.durationS * (options.fps ?? 30)),
    exited,
    framesSent: () => frames,
    waitForFrames: (count, timeoutMs = 20_000) =>
      new Promise<void>((resolve, reject) => {
        const finish = (error?: Error): void => {
          frameWaiters.delete(check);
          ffmpeg.exitSignal.removeEventListener('abort', onExit);
          clearTimeout(timer);
          if (error === undefined) resolve();
          else reject(error);
        };
        const check = (): void => {
          if (frames >= count) finish();
        };
        const onExit = (): void => finish(new Error(`ffmpeg exited after ${frames} of ${count} frames:\n${ffmpeg.tail()}`));
        const timer = setTimeout(
          () => finish(new Error(`ffmpeg sent ${frames} of ${count} frames within ${timeoutMs} ms:\n${ffmpeg.tail()}`)),
          timeoutMs,
        );
        frameWaiters.add(check);
        if (ffmpeg.exitSignal.aborted) onExit();
        else ffmpeg.exitSignal.addEventListener('abort', onExit, { once: true });
        check();
      }),
    stop: async () => {
      await ffmpeg.stop({ signal: 'SIGTERM', graceMs: 5_000 });
      return exited;
    },
  };
}

export interface FfmpegListenSinkOptions {
  readonly app?: string;
  readonly key?: string;
  /** Where the received stream is written (`-c copy -f flv`, overwritten if present). */
  readonly outFile: string;
  /** Default: a free port probed at start. */
  readonly port?: number;
  /** ffmpeg gives up waiting for the connection after this long (`-timeout`). Default: waits forever. */
  readonly listenTimeoutS?: number;
  readonly startTimeoutMs?: number;
}

export interface FfmpegListenSink {
  readonly port: number;
  /** `rtmp://127.0.0.1:PORT/app/key`: publish here (it accepts exactly one connection). */
  readonly url: string;
  /** `rtmp://127.0.0.1:PORT/app`, for clients that take the key separately. */
  readonly appUrl: string;
  readonly outFile: string;
  readonly process: PeerProcess;
  /** Resolves when ffmpeg exits (after the publisher disconnects and the file is finalized). */
  readonly exited: Promise<ExitInfo>;
  stop(): Promise<ExitInfo>;
}

/** Starts `ffmpeg -listen 1` and resolves once its socket is in LISTEN state (found via /proc, not by connecting). */
export async function startFfmpegListenSink(options: FfmpegListenSinkOptions): Promise<FfmpegListenSink> {
  const app = options.app ?? 'live';
  const key = options.key ?? 'key';
  for (let attempt = 1; ; attempt++) {
    const port = options.port ?? (await freePort());
    const appUrl = `rtmp://${LOCALHOST}:${port}/${app}`;
    const url = `${appUrl}/${key}`;
    const timeout = options.listenTimeoutS === undefined ? [] : ['-timeout', String(options.listenTimeoutS)];
    const args = [...COMMON, '-y', '-listen', '1', ...timeout, '-i', url, '-c', 'copy', '-f', 'flv', options.outFile];
    const ffmpeg = spawnPeer('ffmpeg', args);
    try {
      await waitForListenSocket(port, {
        pid: ffmpeg.pid,
        timeoutMs: options.startTimeoutMs ?? 20_000,
        signal: ffmpeg.exitSignal,
      });
    } catch (error) {
      const exit = await ffmpeg.stop();
      if (attempt < 3 && options.port === undefined && /Address already in use/i.test(exit.stderrTail)) continue;
      throw new Error(`ffmpeg -listen did not start listening: ${(error as Error).message}\n${exit.stderrTail}`);
    }
    return {
      port,
      url,
      appUrl,
      outFile: options.outFile,
      process: ffmpeg,
      exited: ffmpeg.exited,
      stop: () => ffmpeg.stop({ signal: 'SIGTERM', graceMs: 5_000 }),
    };
  }
}
