/**
 * Where the committed seed corpus and the regression inputs live: test/fuzz/corpus/<target>/ and
 * test/fuzz/regressions/<target>/, one input per file. Paths are relative to the repository root,
 * the working directory of `npm test` and `npm run fuzz` (FUZZ_ROOT overrides it).
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const fuzzRoot = (): string => process.env['FUZZ_ROOT'] ?? process.cwd();
export const corpusDir = (target: string): string => join(fuzzRoot(), 'test', 'fuzz', 'corpus', target);
export const regressionsDir = (target: string): string => join(fuzzRoot(), 'test', 'fuzz', 'regressions', target);
/** Failing inputs of a campaign, for triage (test-results/ is git-ignored). */
export const findingsDir = (): string => join(fuzzRoot(), 'test-results', 'fuzz');

export interface NamedInput {
  readonly name: string;
  readonly bytes: Buffer;
}

/** The files of a directory in name order (README files excluded); none if it does not exist. */
export function readInputs(dir: string): NamedInput[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isFile() && !entry.name.endsWith('.md'))
    .map((entry) => entry.name)
    .sort()
    .map((name) => ({ name, bytes: readFileSync(join(dir, name)) }));
}

export const loadCorpus = (target: string): Buffer[] => readInputs(corpusDir(target)).map((input) => input.bytes);

/** Saves a failing input for triage; returns its path. */
export function saveFinding(target: string, kind: string, iteration: number, seed: number, bytes: Buffer): string {
  const dir = join(findingsDir(), target);
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${kind}-seed${seed}-input${iteration}.bin`);
  writeFileSync(path, bytes);
  return path;
}
