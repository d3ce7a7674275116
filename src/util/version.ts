import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The version in our package.json, found by walking up from this file (dist/ or a test build). */
export function packageVersion(): string {
  let directory = dirname(fileURLToPath(import.meta.url));
  for (let depth = 0; depth < 6; depth++) {
    try {
      const manifest = JSON.parse(readFileSync(join(directory, 'package.json'), 'utf8')) as { name?: unknown; version?: unknown };
      if (manifest.name === 'rtmp-relay' && typeof manifest.version === 'string') return manifest.version;
    } catch {
      // no package.json here: keep walking up
    }
    directory = dirname(directory);
  }
  return 'unknown';
}
