// Ports for peers that cannot bind port 0 themselves (nginx, `ffmpeg -listen`), and ways to know
// when something listens on them without sleeping for a guessed time.
import { readFile, readdir, readlink } from 'node:fs/promises';
import { createConnection, createServer } from 'node:net';

export const LOCALHOST = '127.0.0.1';

// Ports already handed out by this process: the kernel may return a just-closed port again, and two
// peers of one test must not be given the same port.
const handedOut = new Set<number>();

function bindZero(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, LOCALHOST, () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** A port on 127.0.0.1 that was free a moment ago and that this process has not handed out before. */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = await bindZero();
    if (port !== 0 && !handedOut.has(port)) {
      handedOut.add(port);
      return port;
    }
  }
  throw new Error('freePort: no fresh port after 50 attempts');
}

export interface WaitOptions {
  readonly timeoutMs?: number;
  readonly host?: string;
  /** Abort the wait early (e.g. when the process that should listen has exited). */
  readonly signal?: AbortSignal;
}

function delay(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

function tryConnect(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

function abortReason(signal: AbortSignal | undefined): Error | undefined {
  if (signal?.aborted !== true) return undefined;
  return signal.reason instanceof Error ? signal.reason : new Error(String(signal.reason));
}

/**
 * Resolves once a TCP connection to host:port succeeds (the probe connection is closed at once).
 * Do not use on a peer that accepts only one connection (`ffmpeg -listen`): use waitForListenSocket.
 */
export async function waitForPort(port: number, options: WaitOptions = {}): Promise<void> {
  const { timeoutMs = 15_000, host = LOCALHOST, signal } = options;
  const deadline = Date.now() + timeoutMs;
  let pause = 10;
  for (;;) {
    const aborted = abortReason(signal);
    if (aborted !== undefined) throw aborted;
    if (await tryConnect(port, host)) return;
    if (Date.now() >= deadline) throw new Error(`port ${host}:${port} did not accept connections within ${timeoutMs} ms`);
    await delay(pause, signal);
    pause = Math.min(pause * 2, 100);
  }
}

/** Socket inodes of the TCP sockets in LISTEN state on the given local port (IPv4 and IPv6 tables). */
export async function listenSocketInodes(port: number): Promise<number[]> {
  const inodes: number[] = [];
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    const text = await readFile(table, 'utf8').catch(() => '');
    for (const line of text.split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      const local = fields[1];
      const state = fields[3];
      const inode = fields[9];
      if (local === undefined || state !== '0A' || inode === undefined) continue; // 0A = TCP_LISTEN
      const portHex = local.slice(local.lastIndexOf(':') + 1);
      if (Number.parseInt(portHex, 16) === port) inodes.push(Number(inode));
    }
  }
  return inodes;
}

async function socketInodesOf(pid: number): Promise<Set<number>> {
  const inodes = new Set<number>();
  const fds = await readdir(`/proc/${pid}/fd`).catch(() => [] as string[]);
  for (const fd of fds) {
    const target = await readlink(`/proc/${pid}/fd/${fd}`).catch(() => '');
    const match = /^socket:\[(\d+)\]$/.exec(target);
    if (match?.[1] !== undefined) inodes.add(Number(match[1]));
  }
  return inodes;
}

/**
 * Resolves once a socket LISTENs on the port, without connecting to it (a connection would use up the
 * single accept of `ffmpeg -listen 1`). With `pid`, the listening socket must belong to that process.
 * Linux only (reads /proc).
 */
export async function waitForListenSocket(
  port: number,
  options: WaitOptions & { readonly pid?: number } = {},
): Promise<void> {
  const { timeoutMs = 15_000, signal, pid } = options;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const aborted = abortReason(signal);
    if (aborted !== undefined) throw aborted;
    const listening = await listenSocketInodes(port);
    if (listening.length > 0) {
      if (pid === undefined) return;
      const owned = await socketInodesOf(pid);
      if (listening.some((inode) => owned.has(inode))) return;
    }
    if (Date.now() >= deadline) {
      throw new Error(`nothing listened on port ${port}${pid === undefined ? '' : ` in pid ${pid}`} within ${timeoutMs} ms`);
    }
    await delay(20, signal);
  }
}
