import test from 'ava';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { readInputs } from './corpus.js';
import { AllocationMeter, judge } from './harness.js';
import { findTarget } from './targets/index.js';

// Every input a fuzz campaign found interesting is kept under test/fuzz/regressions/<target>/ and
// replayed here through its target, with all of the target's checks (and the allocation and time
// limits). A file named known-* is a bug that was reported and is not fixed yet: its test is
// expected to fail (ava's test.failing) and starts "passing unexpectedly" once the bug is fixed —
// then rename the file without the prefix and drop the target's knownIssues entry.

const root = join(process.cwd(), 'test', 'fuzz', 'regressions');
const meter = new AllocationMeter();
const targetDirs = readdirSync(root, { withFileTypes: true }).filter((entry) => entry.isDirectory());

test('regression inputs are kept for the targets that found bugs', (t) => {
  t.true(targetDirs.length > 0);
  for (const dir of targetDirs) t.truthy(findTarget(dir.name), `test/fuzz/regressions/${dir.name}/ names no fuzz target`);
});

for (const dir of targetDirs) {
  const target = findTarget(dir.name);
  if (target === undefined) continue;
  // Known issues are failures here: these tests judge the bug itself, not the campaign.
  const strict = { ...target, knownIssues: [] };
  for (const input of readInputs(join(root, dir.name))) {
    const run = input.name.startsWith('known-') ? test.failing : test;
    run(`${dir.name}/${input.name} replays cleanly`, (t) => {
      meter.install();
      try {
        const outcome = judge(strict, input.bytes, meter, 1000);
        t.is(outcome.failure, null, outcome.failure ? `${outcome.failure.kind}: ${outcome.failure.message}` : '');
      } finally {
        meter.uninstall();
      }
    });
  }
}
