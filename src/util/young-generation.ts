import { setFlagsFromString } from 'node:v8';

/** Node options with which an operator chose the young generation's size themselves. */
const OPERATOR_CHOICE = /--(?:max|min)[-_]semi[-_]space[-_]size|--semi[-_]space[-_]growth[-_]factor/;

/**
 * Keeps V8's young generation at its initial size (two 1 MB semi-spaces) instead of letting it grow to
 * 2 × 16 MB, which it does on any relay that runs for a while. Measured with the relay (README,
 * "Configuration"): 20 events × 4 destinations at 1× for 10 min, RSS 104-106 → 85 MB; 16 destinations
 * at 6 Mbit/s, CPU unchanged; the fan-out benchmark's CPU per MB within its run-to-run noise.
 *
 * V8 reads this flag each time it grows the young generation, so setting it after start-up takes
 * effect (it is the in-process equivalent of `--max-semi-space-size=1`, which `npm start` cannot
 * pass). An operator who sets the size in NODE_OPTIONS or on node's command line keeps their choice.
 */
export function pinYoungGeneration(execArgv: readonly string[] = process.execArgv, nodeOptions = process.env['NODE_OPTIONS'] ?? ''): 'pinned' | 'operator' {
  if (OPERATOR_CHOICE.test(nodeOptions) || execArgv.some((arg) => OPERATOR_CHOICE.test(arg))) return 'operator';
  setFlagsFromString('--semi-space-growth-factor=1');
  return 'pinned';
}
