// Re-renders the Markdown report of a results JSON (e.g. after changing report.ts):
//   node build-test/bench/render.js bench/results/latest.json > report.md
import { readFileSync } from 'node:fs';
import { renderMarkdown, type BenchResults } from './report.js';

const file = process.argv[2];
if (file === undefined) {
  process.stderr.write('usage: render.js RESULTS.json\n');
  process.exit(2);
}
process.stdout.write(`${renderMarkdown(JSON.parse(readFileSync(file, 'utf8')) as BenchResults)}\n`);
