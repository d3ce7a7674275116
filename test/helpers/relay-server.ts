// Our own server as a real process (`node <build>/src/cli.js serve`), black-box: ports come from
// its `listening` log lines, its JSON logs are kept for assertions (never written to the TAP stream).
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { ExecutionContext } from 'ava';
import { spawnPeer, type ExitInfo, type PeerProcess } from './processes.js';
import { makeTmpDir } from './tmp.js';

const CLI = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'src', 'cli.js');

export interface RelayServer {
  readonly process: PeerProcess;
  readonly rtmpPort: number;
  readonly rtmpsPort: number | null;
  /** `rtmp://127.0.0.1:PORT/live` */
  readonly rtmpUrl: string;
  /** The admin API's port, from its `listening` line. */
  readonly adminPort: number;
  /** `http://127.0.0.1:PORT` */
  readonly adminUrl: string;
  /** The bearer token passed with `--admin-token`, or null when the server generated its own. */
  readonly adminToken: string | null;
  /** The `--data-dir` the server runs on. */
  readonly dataDir: string;
  /** Parsed JSON log lines so far. */
  logs(): Array<Record<string, unknown>>;
  /** Resolves with the first log line (so far or later) for which `match` is true. */
  waitForLog(match: (line: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>;
  stop(signal?: NodeJS.Signals): Promise<ExitInfo>;
}

export interface RelayServerOptions {
  /** Run on this data dir (kept: the caller owns it). Default: a fresh temp dir, removed at teardown. */
  readonly dataDir?: string;
  /** `--admin-token` to pass; null passes none (the server generates and prints one). Default: a random token. */
  readonly adminToken?: string | null;
}

/**
 * Starts `rtmp-relay serve` on free ports and waits for its `listening` lines. Unless `args` name
 * them, `--data-dir` (see options) and `--admin-token` are added, so no test writes to ./data.
 */
export async function startRelayServer(
  t: ExecutionContext | null,
  args: readonly string[] = [],
  options: RelayServerOptions = {},
): Promise<RelayServer> {
  const withTls = args.includes('--rtmps-port');
  const extra: string[] = [];
  let dataDir = options.dataDir ?? null;
  let ownDataDir: (() => Promise<void>) | null = null;
  const dataDirArg = args.indexOf('--data-dir');
  if (dataDirArg !== -1) {
    dataDir = args[dataDirArg + 1] ?? '';
  } else {
    if (dataDir === null) {
      const tmp = await makeTmpDir('rtmp-relay-data-');
      dataDir = tmp.path;
      ownDataDir = tmp.remove;
    }
    extra.push('--data-dir', dataDir);
  }
  let adminToken: string | null = null;
  const tokenArg = args.indexOf('--admin-token');
  if (tokenArg !== -1) {
    adminToken = args[tokenArg + 1] ?? null;
  } else if (options.adminToken !== null) {
    adminToken = options.adminToken ?? `test-${randomBytes(18).toString('base64url')}`;
    extra.push('--admin-token', adminToken);
  }
  const proc = spawnPeer(
    process.execPath,
    [CLI, 'serve', '--rtmp-host', '127.0.0.1', '--rtmp-port', '0', '--admin-port', '0', '--log-format', 'json', ...extra, ...args],
    { keepLines: 5000 },
  );
  const parsed: Array<Record<string, unknown>> = [];
  const waiters: Array<{ match: (line: Record<string, unknown>) => boolean; resolve: (line: Record<string, unknown>) => void }> = [];
  proc.onLine((line, stream) => {
    if (stream !== 'stdout') return;
    let entry: Record<string, unknown>;
    try {
      entry = JSON.parse(line) as Record<string, unknown>;
    } catch {
      return;
    }
    parsed.push(entry);
    for (let i = waiters.length - 1; i >= 0; i--) {
      if (waiters[i]!.match(entry)) {
        waiters[i]!.resolve(entry);
        waiters.splice(i, 1);
      }
    }
  });
  const waitForLog = (match: (line: Record<string, unknown>) => boolean, timeoutMs = 20_000): Promise<Record<string, unknown>> => {
    const seen = parsed.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no matching log line within ${timeoutMs} ms; last lines:\n${proc.tail('stdout', 30)}\n${proc.tail('stderr', 30)}`)), timeoutMs);
      const onExit = (): void => {
        clearTimeout(timer);
        reject(new Error(`relay exited before the log line; stderr:\n${proc.tail('stderr', 30)}\nstdout:\n${proc.tail('stdout', 30)}`));
      };
      proc.exitSignal.addEventListener('abort', onExit, { once: true });
      waiters.push({
        match,
        resolve: (line) => {
          clearTimeout(timer);
          proc.exitSignal.removeEventListener('abort', onExit);
          resolve(line);
        },
      });
    });
  };
  const server: RelayServer = {
    process: proc,
    rtmpPort: 0,
    rtmpsPort: null,
    rtmpUrl: '',
    adminPort: 0,
    adminUrl: '',
    adminToken,
    dataDir,
    logs: () => parsed,
    waitForLog,
    stop: (signal = 'SIGTERM') => proc.stop({ signal, graceMs: 6000 }),
  };
  t?.teardown(async () => {
    await proc.stop({ graceMs: 2000 });
    await ownDataDir?.();
  });
  if (!t && ownDataDir) void proc.exited.then(ownDataDir);
  const rtmp = await waitForLog((line) => line['msg'] === 'listening' && line['service'] === 'rtmp');
  const rtmps = withTls ? await waitForLog((line) => line['msg'] === 'listening' && line['service'] === 'rtmps') : null;
  const admin = await waitForLog((line) => line['msg'] === 'listening' && line['service'] === 'admin');
  const rtmpPort = Number(rtmp['port']);
  const adminPort = Number(admin['port']);
  return Object.assign(server, {
    rtmpPort,
    rtmpsPort: rtmps ? Number(rtmps['port']) : null,
    rtmpUrl: `rtmp://127.0.0.1:${rtmpPort}/live`,
    adminPort,
    adminUrl: `http://127.0.0.1:${adminPort}`,
  });
}
