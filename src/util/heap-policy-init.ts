// Evaluated by the entry point (cli.ts) before the program is loaded: heap-policy.ts says why.
import { limitOldGenerationGrowth, pinYoungGeneration } from './heap-policy.js';

export const heapPolicy = {
  youngGeneration: pinYoungGeneration(),
  oldGenerationGrowth: limitOldGenerationGrowth(),
};
