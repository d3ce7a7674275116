// Temporary directories that are always removed: by the caller's stop path, or by ava's teardown.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExecutionContext } from 'ava';

export interface TmpDir {
  readonly path: string;
  /** Removes the directory and everything in it; safe to call more than once. */
  remove(): Promise<void>;
}

/** Creates a fresh directory under the OS temp dir. */
export async function makeTmpDir(prefix = 'rtmp-relay-test-'): Promise<TmpDir> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  return {
    path,
    remove: () => rm(path, { recursive: true, force: true }),
  };
}

/** A temp dir removed when the test ends (ava teardown). Returns its path. */
export async function tmpDirFor(t: ExecutionContext, prefix?: string): Promise<string> {
  const dir = await makeTmpDir(prefix);
  t.teardown(dir.remove);
  return dir.path;
}
