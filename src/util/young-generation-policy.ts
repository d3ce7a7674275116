// Evaluated by the entry point (cli.ts) before the program is loaded: young-generation.ts says why.
import { pinYoungGeneration } from './young-generation.js';

export const youngGeneration = pinYoungGeneration();
