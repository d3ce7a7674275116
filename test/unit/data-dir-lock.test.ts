import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, mkdtemp, readFile, readdir, rm, rmdir, stat, utimes, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import test from 'ava';
import { DEFAULT_LOCK_STALE_MS, LOCK_DIR_NAME, LOCK_OWNER_FILE_NAME, lockDataDir } from '../../src/admin/data-dir-lock.js';

const LOCK_MODULE = fileURLToPath(new URL('../../src/admin/data-dir-lock.js', import.meta.url));

async function tmpDir(t: { teardown(fn: () => Promise<void>): void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'rtmp-relay-lock-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

interface Holder {
  readonly child: ChildProcessWithoutNullStreams;
  readonly pid: number;
  /** Resolves when the holder has printed `line`. */
  said(line: string): Promise<void>;
}

/** Another process holding the lock of `dir` until it is told to release it (a line on stdin) or killed. */
async function holder(t: { teardown(fn: () => void): void }, dir: string): Promise<Holder> {
  const script = `
    const { lockDataDir } = await import(${JSON.stringify(LOCK_MODULE)});
    const lock = await lockDataDir(${JSON.stringify(dir)}, { refreshMs: 1000 });
    process.stdout.write('locked\\n');
    process.stdin.once('data', async () => { await lock.release(); process.stdout.write('released\\n'); process.exit(0); });`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script]);
  t.teardown(() => child.kill('SIGKILL'));
  let output = '';
  let stderr = '';
  const waiting: Array<() => void> = [];
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
    for (const check of waiting.splice(0)) check();
  });
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const said = (line: string): Promise<void> =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        if (output.split('\n').includes(line)) resolve();
        else if (child.exitCode !== null) reject(new Error(`the holder ended before "${line}": ${stderr}`));
        else waiting.push(check);
      };
      child.once('exit', check);
      check();
    });
  await said('locked');
  return { child, pid: child.pid!, said };
}

const ownerFile = async (dir: string): Promise<Record<string, unknown>> => JSON.parse(await readFile(join(dir, LOCK_OWNER_FILE_NAME), 'utf8')) as Record<string, unknown>;

/** Sets the lock directory's heartbeat to `ageMs` ago. */
async function ageLock(dir: string, ageMs: number): Promise<void> {
  const when = new Date(Date.now() - ageMs);
  await utimes(join(dir, LOCK_DIR_NAME), when, when);
}

test('the lock is a directory and an owner file naming us; release removes both, twice is harmless', async (t) => {
  const dir = await tmpDir(t);
  const lock = await lockDataDir(join(dir, 'data')); // creates the data dir too
  t.true((await stat(join(dir, 'data', LOCK_DIR_NAME))).isDirectory());
  t.like(await ownerFile(join(dir, 'data')), { pid: process.pid, host: hostname() });
  await lock.release();
  t.deepEqual(await readdir(join(dir, 'data')), []);
  await lock.release();
});

test('a live holder in another process is refused at once, naming it, and keeps its lock', async (t) => {
  const dir = await tmpDir(t);
  const other = await holder(t, dir);
  const error = await t.throwsAsync(lockDataDir(dir, { waitMs: 60_000 }));
  t.regex(error?.message ?? '', new RegExp(`in use by process ${other.pid} on host .* \\(.*${LOCK_DIR_NAME}\\)`));
  t.like(await ownerFile(dir), { pid: other.pid });
  other.child.stdin.write('release\n');
  await other.said('released');
});

test('a holder whose owner file names our own pid from another PID namespace (two containers, both PID 1) is not taken over', async (t) => {
  const dir = await tmpDir(t);
  const other = await holder(t, dir);
  const owner = await ownerFile(dir);
  // What a relay in another container on the same volume writes: the same pid as ours, another namespace.
  await writeFile(join(dir, LOCK_OWNER_FILE_NAME), JSON.stringify({ ...owner, pid: process.pid, pidNamespace: 'pid:[1]' }));
  const waits: string[] = [];
  const error = await t.throwsAsync(lockDataDir(dir, { waitMs: 1500, onWait: (who) => waits.push(who) }));
  t.regex(error?.message ?? '', new RegExp(`in use by process ${process.pid} on host`));
  t.deepEqual(waits, [`process ${process.pid} on host ${String(owner['host'])} (since ${String(owner['since'])})`], 'it waited for the heartbeat to stop, once');
  t.true((await stat(join(dir, LOCK_DIR_NAME))).isDirectory(), 'the lock is still there');
});

test('a holder that cannot be seen: waited for, and taken as soon as it releases', async (t) => {
  const dir = await tmpDir(t);
  const other = await holder(t, dir);
  await writeFile(join(dir, LOCK_OWNER_FILE_NAME), JSON.stringify({ ...(await ownerFile(dir)), boot: 'another-machine' }));
  let waiting: () => void = () => undefined;
  const waited = new Promise<void>((resolve) => (waiting = resolve));
  const taking = lockDataDir(dir, { waitMs: 60_000, onWait: () => waiting() });
  await waited;
  other.child.stdin.write('release\n');
  const lock = await taking;
  t.like(await ownerFile(dir), { pid: process.pid });
  await lock.release();
});

test('a holder killed with SIGKILL on this machine is taken over at once, its heartbeat still fresh', async (t) => {
  const dir = await tmpDir(t);
  const other = await holder(t, dir);
  other.child.kill('SIGKILL');
  await once(other.child, 'exit');
  const lock = await lockDataDir(dir, { waitMs: 0 });
  t.like(await ownerFile(dir), { pid: process.pid });
  await lock.release();
});

test('a lock left by a process that ran with our pid before us is taken over', async (t) => {
  const dir = await tmpDir(t);
  const lock = await lockDataDir(dir);
  const ours = await ownerFile(dir);
  await lock.release();
  // The same lock and owner file as a crash would leave them (a container restarted: PID 1 again).
  await mkdir(join(dir, LOCK_DIR_NAME));
  await writeFile(join(dir, LOCK_OWNER_FILE_NAME), JSON.stringify({ ...ours, since: '2026-01-01T00:00:00.000Z' }));
  const again = await lockDataDir(dir, { waitMs: 0 });
  t.not((await ownerFile(dir))['since'], '2026-01-01T00:00:00.000Z');
  await again.release();
});

test('taking the lock twice from one process is refused', async (t) => {
  const dir = await tmpDir(t);
  const lock = await lockDataDir(dir);
  await t.throwsAsync(lockDataDir(dir, { waitMs: 0 }), { message: /in use by process/ });
  await lock.release();
});

test('a holder that cannot be seen: its lock is taken over once not refreshed for the stale time, not before', async (t) => {
  const dir = await tmpDir(t);
  await mkdir(join(dir, LOCK_DIR_NAME));
  await writeFile(join(dir, LOCK_OWNER_FILE_NAME), JSON.stringify({ pid: 1, host: 'elsewhere', since: 'then', boot: 'another-machine', pidNamespace: 'pid:[1]' }));
  await ageLock(dir, DEFAULT_LOCK_STALE_MS - 2000);
  await t.throwsAsync(lockDataDir(dir, { waitMs: 0 }), { message: /in use by process 1 on host elsewhere/ }, 'refreshed within the stale time');
  await ageLock(dir, DEFAULT_LOCK_STALE_MS + 2000);
  const lock = await lockDataDir(dir, { waitMs: 0 });
  t.like(await ownerFile(dir), { pid: process.pid });
  await lock.release();
});

test('a lock without an owner file is judged by its heartbeat alone', async (t) => {
  const dir = await tmpDir(t);
  await mkdir(join(dir, LOCK_DIR_NAME));
  await t.throwsAsync(lockDataDir(dir, { waitMs: 0 }), { message: /in use by another process/ });
  await ageLock(dir, DEFAULT_LOCK_STALE_MS + 2000);
  const lock = await lockDataDir(dir, { waitMs: 0 });
  await lock.release();
});

test('a lock removed under us is reported lost; release then touches nothing', async (t) => {
  const dir = await tmpDir(t);
  const lock = await lockDataDir(dir, { refreshMs: 1000 });
  await rmdir(join(dir, LOCK_DIR_NAME));
  const lost = await lock.lost;
  t.regex(lost.message, /was lost/);
  await writeFile(join(dir, LOCK_OWNER_FILE_NAME), '{"pid":1}'); // as if another relay took it meanwhile
  await lock.release();
  t.is(await readFile(join(dir, LOCK_OWNER_FILE_NAME), 'utf8'), '{"pid":1}');
});
