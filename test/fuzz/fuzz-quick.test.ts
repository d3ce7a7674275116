import test from 'ava';
import { loadCorpus } from './corpus.js';
import { formatFailure, fuzz } from './harness.js';
import { parseSeed } from './mutator.js';
import { TARGETS } from './targets/index.js';

// A short fuzz run of every target inside `npm test`: the committed corpus first, then mutations,
// for a bounded number of inputs (and never more than a few seconds per target on a busy machine).
// The seed is fixed so the suite is repeatable; FUZZ_SEED=<n> tries another one. The long campaign
// is `npm run fuzz -- --iterations N`.

const SEED = parseSeed(process.env['FUZZ_SEED'] ?? '') ?? 20261125;
const INPUTS_PER_TARGET = 3000;

test('there are at least 8 targets, each with a committed corpus', (t) => {
  t.true(TARGETS.length >= 8);
  t.is(new Set(TARGETS.map((target) => target.name)).size, TARGETS.length);
  for (const target of TARGETS) t.true(loadCorpus(target.name).length > 0, `test/fuzz/corpus/${target.name}/ is empty`);
});

for (const target of TARGETS) {
  test.serial(`fuzz ${target.name}: ${INPUTS_PER_TARGET} inputs without a crash, hang or runaway allocation`, async (t) => {
    const corpus = loadCorpus(target.name);
    const report = await fuzz(target, corpus, { iterations: INPUTS_PER_TARGET, seed: SEED, timeBudgetMs: 1500, minimizeBudget: 200 });
    t.log(`seed ${SEED}: ${report.inputs} inputs, ${Math.round(report.inputsPerSecond)}/s, ${report.features} features`);
    t.deepEqual(report.failures.map((failure) => formatFailure(failure, target.name, SEED)), []);
    t.true(report.inputs >= Math.min(INPUTS_PER_TARGET, corpus.length), 'the corpus was not even replayed');
    t.true(report.features > 1, 'every input behaved the same: the target checks nothing');
  });
}
