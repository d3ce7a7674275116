// The heap policy (src/util/heap-policy.ts): V8's young generation stays at its initial size under an
// allocation pattern that makes it grow otherwise, and the old generation grows less between full
// collections, unless the operator chose a setting. Each case runs in its own node process, since the
// settings are process-wide.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import test from 'ava';
import { limitOldGenerationGrowth, pinYoungGeneration } from '../../src/util/heap-policy.js';

const run = promisify(execFile);
const MODULE = fileURLToPath(new URL('../../src/util/heap-policy.js', import.meta.url));
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

/** Runs a workload in its own node process (with `nodeFlags` and `env`) and parses the JSON it prints. */
async function runWorkload<T>(workload: string, env: Record<string, string>, nodeFlags: readonly string[] = []): Promise<T> {
  const { stdout } = await run(process.execPath, [...nodeFlags, '--input-type=commonjs', '-e', workload], {
    env: { ...process.env, NODE_OPTIONS: '', MODULE_PATH: MODULE, ...env },
  });
  return JSON.parse(stdout) as T;
}

const youngGeneration = (env: Record<string, string>) => runWorkload<{ result: string; youngBytes: number }>(WORKLOAD, env);

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

/**
 * Keeps a ring of 100,000 small objects alive while replacing them (so survivors are promoted to the
 * old generation and die there, as GOP-cached media does), over 80 event-loop turns, and prints the
 * largest size the old space reached.
 */
const OLD_WORKLOAD = `
const v8 = require('node:v8');
const result = process.env.LIMIT === '1' ? require(process.env.MODULE_PATH).limitOldGenerationGrowth() : 'not called';
const ring = new Array(100000);
let i = 0, rounds = 0, peak = 0;
const oldSpace = () => v8.getHeapSpaceStatistics().find((space) => space.space_name === 'old_space').space_size;
function work() {
  for (let k = 0; k < 50000; k++, i++) ring[i % ring.length] = { i, pair: [i, i + 1] };
  peak = Math.max(peak, oldSpace());
  if (++rounds < 80) setImmediate(work);
  else console.log(JSON.stringify({ result, peakOldBytes: peak }));
}
work();
`;

const oldGeneration = (env: Record<string, string>, nodeFlags: readonly string[] = []) =>
  runWorkload<{ result: string; peakOldBytes: number }>(OLD_WORKLOAD, env, nodeFlags);

// Measured here: V8's own choice peaks at 78-99 MB, the limited growth at 36-40 MB.
test.serial('limited growth keeps the old space well below what V8 lets it reach by itself', async (t) => {
  const control = await oldGeneration({ LIMIT: '0' });
  const limited = await oldGeneration({ LIMIT: '1' });
  t.is(limited.result, 'limited');
  t.true(limited.peakOldBytes < 0.75 * control.peakOldBytes, `old space peak ${limited.peakOldBytes} B limited vs ${control.peakOldBytes} B by V8`);
});

// Node refuses this flag in NODE_OPTIONS: an operator gives it on node's command line.
test.serial("an operator growth on node's command line is kept: the old space grows as V8 chooses", async (t) => {
  const control = await oldGeneration({ LIMIT: '0' });
  const operator = await oldGeneration({ LIMIT: '1' }, ['--heap-growing-percent=300']);
  t.is(operator.result, 'operator');
  t.true(operator.peakOldBytes > 0.75 * control.peakOldBytes, `old space peak ${operator.peakOldBytes} B with the operator's 300 % vs ${control.peakOldBytes} B by V8`);
});

test('an operator growth is recognised on the command line, dashes or underscores', (t) => {
  t.is(limitOldGenerationGrowth(['--heap-growing-percent=50'], ''), 'operator');
  t.is(limitOldGenerationGrowth(['--inspect', '--heap_growing_percent=50'], ''), 'operator');
});
