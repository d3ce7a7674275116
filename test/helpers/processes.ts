// Spawning real peers: each in its own process group (so a stop kills everything it started), output
// piped into bounded line buffers (never into the test's stdout/stderr, which is ava's TAP stream),
// and exit reported as a promise that never rejects.
import { spawn, type ChildProcess } from 'node:child_process';

export interface ExitInfo {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** Last lines the process wrote to stderr (and the spawn error, if it could not start). */
  readonly stderrTail: string;
}

export type OutputStream = 'stdout' | 'stderr';
export type LineListener = (line: string, stream: OutputStream) => void;

export interface SpawnPeerOptions {
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** Lines kept per stream for failure messages. */
  readonly keepLines?: number;
}

export interface PeerProcess {
  readonly name: string;
  readonly pid: number;
  readonly child: ChildProcess;
  /** Resolves when the process has exited and its output is fully read; never rejects. */
  readonly exited: Promise<ExitInfo>;
  /** Aborted when the process exits: pass it to waits that are pointless once the peer is gone. */
  readonly exitSignal: AbortSignal;
  hasExited(): boolean;
  /** Last `lines` lines written to the stream, joined with newlines. */
  tail(stream?: OutputStream, lines?: number): string;
  /** Called for every complete line (split on \n and \r: ffmpeg redraws its stats line with \r). */
  onLine(listener: LineListener): void;
  /** Resolves with the first line (seen so far or later) matching; rejects on exit or timeout. */
  waitForLine(pattern: RegExp, timeoutMs?: number, stream?: OutputStream): Promise<string>;
  /** Signals the process group, escalates to SIGKILL after `graceMs`, resolves with the exit. */
  stop(options?: { readonly signal?: NodeJS.Signals; readonly graceMs?: number }): Promise<ExitInfo>;
}

const MAX_PARTIAL_LINE = 64 * 1024;

// Process groups still running; killed if the test process exits without stopping them.
const liveGroups = new Set<number>();
process.once('exit', () => {
  for (const pid of liveGroups) killGroup(pid, 'SIGKILL');
});

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // ESRCH: the group is already gone.
  }
}

class LineBuffer {
  private readonly lines: string[] = [];
  private partial = '';
  constructor(
    private readonly keep: number,
    private readonly emit: (line: string) => void,
  ) {}

  push(chunk: string): void {
    const parts = (this.partial + chunk).split(/\r\n|\r|\n/);
    this.partial = parts.pop() ?? '';
    if (this.partial.length > MAX_PARTIAL_LINE) {
      parts.push(this.partial);
      this.partial = '';
    }
    for (const line of parts) if (line !== '') this.add(line);
  }

  flush(): void {
    if (this.partial !== '') this.add(this.partial);
    this.partial = '';
  }

  all(): readonly string[] {
    return this.lines;
  }

  tail(count: number): string {
    return this.lines.slice(-count).join('\n');
  }

  private add(line: string): void {
    this.lines.push(line);
    if (this.lines.length > this.keep) this.lines.shift();
    this.emit(line);
  }
}

/** Spawns `command args` in a new process group with stdin ignored and stdout/stderr captured. */
export function spawnPeer(command: string, args: readonly string[], options: SpawnPeerOptions = {}): PeerProcess {
  const keep = options.keepLines ?? 200;
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const listeners: LineListener[] = [];
  const buffers: Record<OutputStream, LineBuffer> = {
    stdout: new LineBuffer(keep, (line) => listeners.forEach((l) => l(line, 'stdout'))),
    stderr: new LineBuffer(keep, (line) => listeners.forEach((l) => l(line, 'stderr'))),
  };
  child.stdout?.setEncoding('utf8').on('data', (text: string) => buffers.stdout.push(text));
  child.stderr?.setEncoding('utf8').on('data', (text: string) => buffers.stderr.push(text));

  const pid = child.pid ?? -1;
  if (pid > 0) liveGroups.add(pid);
  const exitController = new AbortController();
  let done = false;
  const exited = new Promise<ExitInfo>((resolve) => {
    const finish = (code: number | null, signal: NodeJS.Signals | null, extra?: string): void => {
      if (done) return;
      done = true;
      liveGroups.delete(pid);
      buffers.stdout.flush();
      buffers.stderr.flush();
      const tail = buffers.stderr.tail(40);
      const stderrTail = extra === undefined ? tail : `${tail}\n${extra}`.trim();
      exitController.abort(new Error(`${command} exited (code ${code}, signal ${signal})\n${stderrTail}`));
      resolve({ code, signal, stderrTail });
    };
    child.once('close', (code, signal) => finish(code, signal));
    child.once('error', (error) => {
      if (child.pid === undefined) finish(null, null, `spawn ${command} failed: ${error.message}`);
    });
  });

  const peer: PeerProcess = {
    name: command,
    pid,
    child,
    exited,
    exitSignal: exitController.signal,
    hasExited: () => done,
    tail: (stream = 'stderr', lines = 40) => buffers[stream].tail(lines),
    onLine: (listener) => {
      listeners.push(listener);
    },
    waitForLine: (pattern, timeoutMs = 15_000, stream) =>
      new Promise<string>((resolve, reject) => {
        const streams: OutputStream[] = stream === undefined ? ['stdout', 'stderr'] : [stream];
        for (const s of streams) {
          const seen = buffers[s].all().find((line) => pattern.test(line));
          if (seen !== undefined) return resolve(seen);
        }
        let settled = false;
        const settle = (fn: () => void): void => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          exitController.signal.removeEventListener('abort', onExit);
          fn();
        };
        const onExit = (): void =>
          settle(() => reject(new Error(`${command} exited before printing ${pattern}:\n${peer.tail()}`)));
        const timer = setTimeout(
          () => settle(() => reject(new Error(`${command} did not print ${pattern} within ${timeoutMs} ms:\n${peer.tail()}`))),
          timeoutMs,
        );
        listeners.push((line, s) => {
          if (streams.includes(s) && pattern.test(line)) settle(() => resolve(line));
        });
        if (exitController.signal.aborted) onExit();
        else exitController.signal.addEventListener('abort', onExit, { once: true });
      }),
    stop: async ({ signal = 'SIGTERM', graceMs = 5_000 } = {}) => {
      if (done || pid <= 0) return exited;
      killGroup(pid, signal);
      let timer: NodeJS.Timeout | undefined;
      const escalate = new Promise<void>((resolve) => {
        timer = setTimeout(() => {
          killGroup(pid, 'SIGKILL');
          resolve();
        }, graceMs);
      });
      await Promise.race([exited, escalate]);
      clearTimeout(timer);
      return exited;
    },
  };
  return peer;
}

/** Text for assertion messages: the exit and the output tail. */
export function describeExit(name: string, exit: ExitInfo): string {
  return `${name} exited with code ${exit.code} signal ${exit.signal}; stderr tail:\n${exit.stderrTail}`;
}
