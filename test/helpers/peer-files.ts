// Where the real peers live. Kept apart from require-binary.ts, which imports ava and so cannot be
// loaded outside a test (the capture script uses these too).
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

// Debian 12 packages libnginx-mod-rtmp and libnginx-mod-stream.
export const NGINX_RTMP_MODULE = '/usr/lib/nginx/modules/ngx_rtmp_module.so';
export const NGINX_STREAM_MODULE = '/usr/lib/nginx/modules/ngx_stream_module.so';

// nginx is in /usr/sbin, which is not on a non-root user's PATH on Debian.
const SBIN_DIRS = ['/usr/local/sbin', '/usr/sbin', '/sbin'];

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Absolute path of an executable on PATH (then in the sbin directories), or undefined. */
export function findExecutable(name: string, pathEnv: string = process.env['PATH'] ?? ''): string | undefined {
  for (const dir of [...pathEnv.split(delimiter), ...SBIN_DIRS]) {
    if (dir === '') continue;
    const candidate = join(dir, name);
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

/** The nginx executable to spawn. */
export function nginxExecutable(): string {
  return findExecutable('nginx') ?? 'nginx';
}
