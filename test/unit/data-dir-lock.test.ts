import test from 'ava';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, readdir, writeFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LOCK_FILE_NAME, lockDataDir } from '../../src/admin/data-dir-lock.js';

async function tmpDir(t: { teardown(fn: () => Promise<void>): void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'rtmp-relay-lock-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** A pid that is certainly not running: a child that has exited. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  await new Promise((resolve) => child.once('exit', resolve));
  return child.pid!;
}

test('the lock holds our pid, and release removes it', async (t) => {
  const dir = await tmpDir(t);
  const release = lockDataDir(join(dir, 'data')); // creates the directory too
  t.is(await readFile(join(dir, 'data', LOCK_FILE_NAME), 'utf8'), `${process.pid}\n`);
  release();
  t.deepEqual(await readdir(join(dir, 'data')), []);
  release(); // twice is harmless
});

test('a lock held by a running process refuses, naming the process and the file', async (t) => {
  const dir = await tmpDir(t);
  const other = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)']);
  t.teardown(async () => {
    other.kill();
  });
  await writeFile(join(dir, LOCK_FILE_NAME), `${other.pid}\n`);
  const error = t.throws(() => lockDataDir(dir));
  t.regex(error?.message ?? '', new RegExp(`in use by process ${other.pid} \\(.*${LOCK_FILE_NAME}\\)`));
  t.is(await readFile(join(dir, LOCK_FILE_NAME), 'utf8'), `${other.pid}\n`, 'left as it was');
});

test('a lock left by a process that is gone, by ourselves, or unreadable is taken over', async (t) => {
  for (const content of [`${await deadPid()}\n`, `${process.pid}\n`, 'not a pid', '']) {
    const dir = await tmpDir(t);
    await writeFile(join(dir, LOCK_FILE_NAME), content);
    const release = lockDataDir(dir);
    t.is(await readFile(join(dir, LOCK_FILE_NAME), 'utf8'), `${process.pid}\n`, JSON.stringify(content));
    release();
  }
});

test('release leaves a lock that is not ours any more', async (t) => {
  const dir = await tmpDir(t);
  const release = lockDataDir(dir);
  await writeFile(join(dir, LOCK_FILE_NAME), '1\n'); // someone else's now
  release();
  t.is(await readFile(join(dir, LOCK_FILE_NAME), 'utf8'), '1\n');
});
