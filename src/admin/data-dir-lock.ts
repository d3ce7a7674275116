import { readFileSync, readlinkSync } from 'node:fs';
import { mkdir, readFile, rm, rmdir, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import lockfile from 'proper-lockfile';

/**
 * The lock of --data-dir (two relays on one store would overwrite each other's writes): a
 * directory whose modification time its holder refreshes while it runs (proper-lockfile's
 * heartbeat). A pid alone cannot tell whether a holder lives: two containers on a shared volume
 * are both PID 1. So the heartbeat decides, except where the holder provably shares our machine
 * boot and PID namespace: there a dead pid is taken over at once (a restart after a crash does
 * not wait) and a live one refused at once.
 */
export const LOCK_DIR_NAME = 'data-dir.lock';
/** Who holds the lock, for the error a second relay gets (the lock directory itself stays empty). */
export const LOCK_OWNER_FILE_NAME = 'data-dir.lock.owner';

export const DEFAULT_LOCK_STALE_MS = 10_000;
export const DEFAULT_LOCK_REFRESH_MS = 2_000;
/** Long enough for the lock of a holder we cannot see (another container) to go stale after it died. */
export const DEFAULT_LOCK_WAIT_MS = DEFAULT_LOCK_STALE_MS + 2_000;
const RETRY_EVERY_MS = 250;

export interface DataDirLockOptions {
  /** A lock not refreshed for this long is taken over: its holder is gone. */
  readonly staleMs?: number;
  /** How often the holder refreshes the lock. */
  readonly refreshMs?: number;
  /** How long a start waits for a lock whose holder it cannot see to be released or go stale. */
  readonly waitMs?: number;
  /** Called once if the start has to wait, with who holds the lock. */
  readonly onWait?: (holder: string) => void;
}

export interface DataDirLock {
  /** Removes the lock; harmless if called again or after the lock was lost. */
  release(): Promise<void>;
  /** Resolves if the lock is lost while held (removed, or taken over after we failed to refresh it). */
  readonly lost: Promise<Error>;
}

interface LockOwner {
  readonly pid: number;
  readonly host: string;
  readonly since: string;
  /** The machine's boot and our PID namespace: a pid means something only where both are ours. */
  readonly boot: string | null;
  readonly pidNamespace: string | null;
}

function readOr<T>(read: () => T, fallback: T): T {
  try {
    return read();
  } catch {
    return fallback;
  }
}

/** Linux only; elsewhere null, and the heartbeat alone decides. */
const SELF = {
  boot: readOr(() => readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim(), null),
  pidNamespace: readOr(() => readlinkSync('/proc/self/ns/pid'), null),
};

/** Lock directories this process holds: taking one again from here is refused, never "taken over". */
const held = new Set<string>();

function errorCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException).code;
}

async function ownerOf(dataDir: string): Promise<Partial<LockOwner> | null> {
  try {
    return JSON.parse(await readFile(join(dataDir, LOCK_OWNER_FILE_NAME), 'utf8')) as Partial<LockOwner>;
  } catch {
    return null;
  }
}

function describe(owner: Partial<LockOwner> | null): string {
  return owner === null ? 'another process' : `process ${String(owner.pid)} on host ${String(owner.host)} (since ${String(owner.since)})`;
}

/** Whether the holder is a process we can see: alive, gone, or unknown (another container or machine). */
function holderLiveness(owner: Partial<LockOwner> | null): 'alive' | 'gone' | 'unknown' {
  if (owner === null || typeof owner.pid !== 'number' || SELF.boot === null || SELF.pidNamespace === null) return 'unknown';
  if (owner.boot !== SELF.boot || owner.pidNamespace !== SELF.pidNamespace) return 'unknown';
  // Our own pid in our namespace is a process that ran before us: we are alive, it is not.
  if (owner.pid === process.pid) return 'gone';
  try {
    process.kill(owner.pid, 0);
    return 'alive';
  } catch (error) {
    return errorCode(error) === 'EPERM' ? 'alive' : 'gone';
  }
}

/**
 * Takes --data-dir for this process. A lock whose holder is alive is refused; one whose holder
 * is gone is taken over; one whose holder cannot be seen is waited for up to `waitMs` (released,
 * or no longer refreshed for `staleMs`). Throws, naming the holder, when refused.
 */
export async function lockDataDir(dataDir: string, options: DataDirLockOptions = {}): Promise<DataDirLock> {
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const lockPath = join(dataDir, LOCK_DIR_NAME);
  const inUse = (owner: Partial<LockOwner> | null): Error =>
    new Error(`--data-dir ${dataDir} is in use by ${describe(owner)} (${lockPath}); stop that relay first, or give this one another --data-dir`);
  if (held.has(lockPath)) throw inUse({ pid: process.pid, host: hostname(), since: 'now' });
  let isLost = false;
  let onLost: (error: Error) => void = () => undefined;
  const lost = new Promise<Error>((resolve) => (onLost = resolve));
  const deadline = Date.now() + (options.waitMs ?? DEFAULT_LOCK_WAIT_MS);
  let waited = false;
  // A holder found gone is removed only when a second look finds the same owner: a relay that has
  // just taken the lock may not have written its owner file yet.
  let goneBefore: string | null = null;
  for (;;) {
    let release: () => Promise<void>;
    try {
      release = await lockfile.lock(dataDir, {
        lockfilePath: lockPath,
        stale: options.staleMs ?? DEFAULT_LOCK_STALE_MS,
        update: options.refreshMs ?? DEFAULT_LOCK_REFRESH_MS,
        realpath: false,
        onCompromised: (error) => {
          isLost = true;
          held.delete(lockPath);
          onLost(new Error(`the lock ${lockPath} was lost: ${error.message}`));
        },
      });
    } catch (error) {
      if (errorCode(error) !== 'ELOCKED') throw new Error(`--data-dir ${dataDir}: cannot take ${lockPath} (${errorCode(error) ?? (error as Error).message})`);
      const owner = await ownerOf(dataDir);
      const liveness = holderLiveness(owner);
      if (liveness === 'gone') {
        const seen = JSON.stringify(owner);
        if (goneBefore === seen) {
          await rmdir(lockPath).catch(() => undefined); // then take it on the next attempt
          goneBefore = null;
          continue;
        }
        goneBefore = seen;
        await sleep(RETRY_EVERY_MS);
        continue;
      }
      goneBefore = null;
      if (liveness === 'alive' || Date.now() >= deadline) throw inUse(owner);
      if (!waited) options.onWait?.(describe(owner));
      waited = true;
      await sleep(RETRY_EVERY_MS);
      continue;
    }
    held.add(lockPath);
    const owner: LockOwner = { pid: process.pid, host: hostname(), since: new Date().toISOString(), ...SELF };
    await writeFile(join(dataDir, LOCK_OWNER_FILE_NAME), `${JSON.stringify(owner)}\n`, { mode: 0o600 });
    let released = false;
    return {
      lost,
      async release(): Promise<void> {
        if (released) return;
        released = true;
        if (isLost) return; // the owner file may be the next holder's by now
        held.delete(lockPath);
        await rm(join(dataDir, LOCK_OWNER_FILE_NAME), { force: true });
        await release().catch(() => undefined);
      },
    };
  }
}
