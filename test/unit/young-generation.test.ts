// pinYoungGeneration (src/util/young-generation.ts): V8's young generation stays at its initial size
// under an allocation pattern that makes it grow otherwise, unless the operator chose a size. Each case
// runs in its own node process, since the setting is process-wide.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import test from 'ava';
import { pinYoungGeneration } from '../../src/util/young-generation.js';

const run = promisify(execFile);
const MODULE = fileURLToPath(new URL('../../src/util/young-generation.js', import.meta.url));
const MB = 1024 * 1024;

/**
 * Allocates 3 million small objects of which the last 20,000 stay alive (a ring) (so scavenges see survivors,
 * which is what makes V8 grow the young generation), then prints the young generation's size.
 */
const WORKLOAD = `
const v8 = require('node:v8');
const result = process.env.PIN === '1' ? require(process.env.MODULE_PATH).pinYoungGeneration() : 'not called';
const alive = new Array(20000);
for (let i = 0; i < 3e6; i++) alive[i % alive.length] = { i, pair: [i, i + 1], text: 'x' + i };
const young = v8.getHeapSpaceStatistics().find((space) => space.space_name === 'new_space');
console.log(JSON.stringify({ result, youngBytes: young.space_size }));
`;

async function youngGeneration(env: Record<string, string>): Promise<{ result: string; youngBytes: number }> {
  const { stdout } = await run(process.execPath, ['--input-type=commonjs', '-e', WORKLOAD], {
    env: { ...process.env, NODE_OPTIONS: '', MODULE_PATH: MODULE, ...env },
  });
  return JSON.parse(stdout) as { result: string; youngBytes: number };
}

test('without the pin, this workload grows the young generation beyond its initial 2 MB (the control)', async (t) => {
  const { youngBytes } = await youngGeneration({ PIN: '0' });
  t.true(youngBytes > 4 * MB, `young generation ${youngBytes} B`);
});

test('pinned, the young generation stays at its initial 2 MB under the same workload', async (t) => {
  const { result, youngBytes } = await youngGeneration({ PIN: '1' });
  t.is(result, 'pinned');
  t.true(youngBytes <= 2 * MB, `young generation ${youngBytes} B`);
});

test('an operator size in NODE_OPTIONS is kept: nothing is pinned and the young generation grows', async (t) => {
  const { result, youngBytes } = await youngGeneration({ PIN: '1', NODE_OPTIONS: '--max-semi-space-size=8' });
  t.is(result, 'operator');
  t.true(youngBytes > 4 * MB, `young generation ${youngBytes} B`);
});

test('an operator choice is recognised on the command line and in NODE_OPTIONS, dashes or underscores', (t) => {
  // Every case here is an operator choice, so the call returns before it changes anything.
  t.is(pinYoungGeneration(['--max-semi-space-size=4'], ''), 'operator');
  t.is(pinYoungGeneration([], '--max_semi_space_size=4'), 'operator');
  t.is(pinYoungGeneration([], '--inspect --min-semi-space-size=2'), 'operator');
  t.is(pinYoungGeneration(['--semi-space-growth-factor=2'], ''), 'operator');
});
