import { closeSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';

/** The file in --data-dir that says which process owns it. */
export const LOCK_FILE_NAME = 'rtmp-relay.lock';

function errorCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException).code;
}

/** The pid in a lock file, or null when it cannot be read as one. */
function lockOwner(path: string): number | null {
  try {
    const pid = Number(readFileSync(path, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return errorCode(error) === 'EPERM'; // alive, owned by someone else
  }
}

/**
 * Takes --data-dir for this process: two relays on one store would overwrite each other's
 * writes (and one would delete the other's temporary files at start). The lock is a file holding
 * our pid, created exclusively; a lock whose process is gone (a crash, SIGKILL, a container
 * restart where we get the same pid) is taken over. Returns the release, which removes the file if
 * it is still ours.
 */
export function lockDataDir(dataDir: string): () => void {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const path = join(dataDir, LOCK_FILE_NAME);
  for (let attempt = 0; attempt < 2; attempt++) {
    let fd: number;
    try {
      fd = openSync(path, 'wx', 0o600);
    } catch (error) {
      if (errorCode(error) !== 'EEXIST') throw new Error(`--data-dir ${dataDir}: cannot create ${path} (${errorCode(error) ?? (error as Error).message})`);
      const owner = lockOwner(path);
      if (owner !== null && owner !== process.pid && isRunning(owner)) {
        throw new Error(`--data-dir ${dataDir} is in use by process ${owner} (${path}); stop it, or remove that file if it is not an rtmp-relay`);
      }
      try {
        unlinkSync(path); // left by a process that is gone
      } catch (unlinkError) {
        if (errorCode(unlinkError) !== 'ENOENT') throw unlinkError;
      }
      continue;
    }
    try {
      writeSync(fd, `${process.pid}\n`);
    } finally {
      closeSync(fd);
    }
    return () => {
      try {
        if (lockOwner(path) === process.pid) unlinkSync(path);
      } catch {
        // Already gone: nothing to release.
      }
    };
  }
  throw new Error(`--data-dir ${dataDir}: another process took ${path} at the same moment`);
}
