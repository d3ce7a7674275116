import { setFlagsFromString } from 'node:v8';

// The relay's V8 heap policy: two flags that V8 reads each time it resizes a generation, so setting
// them in-process after start-up takes effect (the in-process equivalent of node options that
// `npm start` cannot pass). An operator who sets either on node's command line (or, for the young
// generation, in NODE_OPTIONS; node refuses --heap-growing-percent there) keeps their choice, and
// the relay leaves that one alone.

/** Node options with which an operator chose the young generation's size themselves. */
const YOUNG_GENERATION_CHOICE = /--(?:max|min)[-_]semi[-_]space[-_]size|--semi[-_]space[-_]growth[-_]factor/;
/** Node options with which an operator chose how far the old generation grows between full collections. */
const OLD_GENERATION_CHOICE = /--heap[-_]growing[-_]percent/;

/**
 * The old generation may grow this far past what the last full collection kept before the next one.
 * V8 picks 10-300 % by itself, and at start-up, while the heap is still small, it picks high: the
 * Buffers of the first seconds of media (promoted because the GOP cache held them, before it kept
 * copies: see relay/gop-cache.ts) then piled up to ~27 MB before a full collection freed them, and
 * glibc keeps the pages. Measured then with the fan-out
 * benchmark at 10x: 16 destinations peak RSS 96-97 -> 77-78 MB, 64 destinations 103-108 -> 86-95 MB,
 * one destination 75-76 either way, CPU per MB within the run-to-run noise (50 % capped the peak about
 * as well; the collections it adds are of a heap of ~10 MB).
 */
export const OLD_GENERATION_GROWTH_PERCENT = 30;

function operatorChose(choice: RegExp, execArgv: readonly string[], nodeOptions: string): boolean {
  return choice.test(nodeOptions) || execArgv.some((arg) => choice.test(arg));
}

/**
 * Keeps V8's young generation at its initial size (two 1 MB semi-spaces) instead of letting it grow to
 * 2 × 16 MB, which it does on any relay that runs for a while. Measured with the relay (README,
 * "Configuration"): 20 events × 4 destinations at 1× for 10 min, RSS 104-106 → 85 MB; 16 destinations
 * at 6 Mbit/s, CPU unchanged; the fan-out benchmark's CPU per MB within its run-to-run noise.
 * (`--semi-space-growth-factor=1` is the in-process equivalent of `--max-semi-space-size=1`.)
 */
export function pinYoungGeneration(execArgv: readonly string[] = process.execArgv, nodeOptions = process.env['NODE_OPTIONS'] ?? ''): 'pinned' | 'operator' {
  if (operatorChose(YOUNG_GENERATION_CHOICE, execArgv, nodeOptions)) return 'operator';
  setFlagsFromString('--semi-space-growth-factor=1');
  return 'pinned';
}

/** Sets the old generation's growth between full collections to OLD_GENERATION_GROWTH_PERCENT. */
export function limitOldGenerationGrowth(execArgv: readonly string[] = process.execArgv, nodeOptions = process.env['NODE_OPTIONS'] ?? ''): 'limited' | 'operator' {
  if (operatorChose(OLD_GENERATION_CHOICE, execArgv, nodeOptions)) return 'operator';
  setFlagsFromString(`--heap-growing-percent=${OLD_GENERATION_GROWTH_PERCENT}`);
  return 'limited';
}
