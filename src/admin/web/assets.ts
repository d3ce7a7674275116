// The compiled browser modules of the admin page, read once at start. tsconfig.web.json compiles
// ./app/*.ts next to this module's compiled form (dist/admin/web/app/, build-test/src/admin/web/app/),
// so the same relative URL finds them in every build.
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

export interface WebAsset {
  readonly contentType: string;
  readonly body: Buffer;
}

/** Only plain module file names are served: no paths, no dot files, no source maps. */
export const ASSET_NAME = /^[a-z0-9][a-z0-9-]*\.js$/;

export const DEFAULT_APP_DIR = fileURLToPath(new URL('./app/', import.meta.url));

/** The `*.js` modules in `dir` by file name; empty when the browser code was not built. */
export function loadBrowserModules(dir: string = DEFAULT_APP_DIR): Map<string, WebAsset> {
  const assets = new Map<string, WebAsset>();
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return assets;
  }
  for (const name of names) {
    if (!ASSET_NAME.test(name)) continue;
    assets.set(name, { contentType: 'text/javascript; charset=utf-8', body: readFileSync(join(dir, name)) });
  }
  return assets;
}
