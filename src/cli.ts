#!/usr/bin/env node
// The entry point sets the process-wide memory policy first, then loads the program: loading it is
// already enough to grow V8's young generation (see util/young-generation.ts).
import './util/young-generation-policy.js';

await import('./cli-main.js');
