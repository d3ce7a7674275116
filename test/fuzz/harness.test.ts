import test from 'ava';
import { fuzz, signatureOf } from './harness.js';
import { Mutator, Rng, deriveSeed, parseSeed } from './mutator.js';
import { runInWorker } from './pool.js';
import { selfTestTarget } from './self-test-targets.js';

// The fuzz harness judged by targets that are broken on purpose: each kind of failure must be
// caught, reported with the input that caused it, and the run must be reproducible from its seed.

const sequence = (seed: number): number[] => {
  const rng = new Rng(seed);
  return Array.from({ length: 8 }, () => rng.u32());
};

test('the generator is a pure function of its seed', (t) => {
  t.deepEqual(sequence(7), sequence(7));
  t.notDeepEqual(sequence(7), sequence(8));
  t.not(deriveSeed(1, 'amf0'), deriveSeed(1, 'amf3'));
  const rng = new Rng(1);
  for (let i = 0; i < 1000; i++) {
    const n = rng.below(10);
    t.true(n >= 0 && n < 10);
  }
});

test('seeds are read as decimal or 0x-hex 32-bit numbers', (t) => {
  t.is(parseSeed('42'), 42);
  t.is(parseSeed('0xFFFFFFFF'), 0xffffffff);
  t.is(parseSeed('4294967296'), null);
  t.is(parseSeed('-1'), null);
  t.is(parseSeed('seed'), null);
});

test('mutations stay within the length limit and repeat with the seed', (t) => {
  const corpus = [Buffer.from('connect'), Buffer.alloc(100, 7)];
  const run = (): string[] => {
    const mutator = new Mutator(new Rng(3), { maxLength: 120, dictionary: [Buffer.from('TOKEN')] });
    return Array.from({ length: 2000 }, () => mutator.next(corpus, 2).toString('hex'));
  };
  const first = run();
  t.deepEqual(run(), first);
  t.true(first.every((hex) => hex.length / 2 <= 120));
  t.true(new Set(first).size > 1500, 'mutations hardly vary');
  t.true(first.some((hex) => hex.includes(Buffer.from('TOKEN').toString('hex'))), 'the dictionary is never used');
  t.is(corpus[0]!.toString(), 'connect', 'the corpus was modified');
});

test('a throw is a crash, found, minimized to the byte that matters, and reproducible', async (t) => {
  const target = selfTestTarget('self-test-throws');
  const options = { iterations: 20_000, seed: 11, maxFailures: 1 };
  const report = await fuzz(target, [Buffer.from('hello fuzz')], options);
  t.is(report.failures.length, 1);
  const failure = report.failures[0]!;
  t.is(failure.kind, 'crash');
  t.regex(failure.message, /TypeError: planted crash/);
  t.is(failure.input[0], 0x42);
  t.is(failure.input.length, 1, 'not minimized');
  const again = await fuzz(target, [Buffer.from('hello fuzz')], options);
  t.is(again.failures[0]!.iteration, failure.iteration);
  t.deepEqual(again.failures[0]!.input, failure.input);
});

test('a broken invariant is reported as such and shrunk to the smallest failing length', async (t) => {
  const report = await fuzz(selfTestTarget('self-test-invariant'), [Buffer.alloc(30)], { iterations: 20_000, seed: 5, maxFailures: 1 });
  t.is(report.failures[0]?.kind, 'invariant');
  t.is(report.failures[0]?.input.length, 41);
});

test('an input that allocates far beyond its size is caught', async (t) => {
  const report = await fuzz(selfTestTarget('self-test-allocates'), [Buffer.from([2])], { iterations: 5000, seed: 1, maxFailures: 1 });
  t.is(report.failures[0]?.kind, 'allocation');
  t.is(report.failures[0]!.input[0]! & 1, 1);
});

test('an input slower than the limit is caught', async (t) => {
  const report = await fuzz(selfTestTarget('self-test-slow'), [Buffer.from([0])], { iterations: 20_000, seed: 2, hangMs: 20, maxFailures: 1 });
  t.is(report.failures[0]?.kind, 'slow');
  t.true(report.failures[0]!.input[0]! > 0xf0);
});

test('memory that keeps growing past the cap is caught', async (t) => {
  const report = await fuzz(selfTestTarget('self-test-leaks'), [Buffer.from([0])], { iterations: 5000, seed: 3, memoryCapBytes: 16 * 1024 * 1024 });
  t.is(report.failures[0]?.kind, 'memory');
  t.true(report.inputs <= 1024);
});

test('a known issue is counted, not failed on', async (t) => {
  const report = await fuzz(selfTestTarget('self-test-known'), [Buffer.from([1]), Buffer.from([2])], { iterations: 3000, seed: 4 });
  t.deepEqual(report.failures, []);
  t.true((report.knownIssueHits['planted known bug'] ?? 0) >= 1);
});

test('signatures ignore numbers and quoted values, so one bug is reported once', (t) => {
  const a = signatureOf('invariant', 'parse("rtmp://[1]/x"): 12 bytes', 'Error\n    at run (file:///x/fuzz/targets/url.js:10:3)');
  const b = signatureOf('invariant', 'parse("rtmp://[::::]/y"): 7 bytes', 'Error\n    at run (file:///x/fuzz/targets/url.js:10:3)');
  t.is(a, b);
  t.not(a, signatureOf('crash', 'parse("x"): 1 bytes', ''));
});

test('the worker watchdog stops a true hang and keeps the input', async (t) => {
  const report = await runInWorker({
    target: 'self-test-hangs',
    targetModule: new URL('./self-test-targets.js', import.meta.url).href,
    iterations: 1000,
    seed: 9,
    hangMs: 300,
    memoryCapBytes: 64 * 1024 * 1024,
    maxFailures: 1,
    maxInputLength: 64,
  });
  t.is(report.failures.length, 1);
  t.is(report.failures[0]!.kind, 'hang');
  t.true(report.failures[0]!.input[0]! >= 0x80, 'the hanging input was not kept');
});

test('a worker run reports like an in-process one', async (t) => {
  const report = await runInWorker({
    target: 'self-test-throws',
    targetModule: new URL('./self-test-targets.js', import.meta.url).href,
    iterations: 20_000,
    seed: 11,
    hangMs: 1000,
    memoryCapBytes: 64 * 1024 * 1024,
    maxFailures: 1,
    maxInputLength: 64,
  });
  t.is(report.failures[0]?.kind, 'crash');
  t.true(Buffer.isBuffer(report.failures[0]!.input));
});
