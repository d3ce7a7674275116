/**
 * The fuzz campaign CLI:
 *   npm run fuzz -- --iterations N [--target NAME[,NAME]] [--seed S] [--jobs J] [--time-budget SECONDS]
 *                   [--hang-ms MS] [--mem-cap-mb MB] [--max-failures N]
 *   npm run fuzz -- --target NAME --replay FILE [FILE…]     (runs inputs in-process, with stack traces)
 *   npm run fuzz -- --list
 * N inputs are spread evenly across the chosen targets (all by default), each target in a worker
 * thread with a hang watchdog; the seed is printed so any run can be repeated. Failing inputs are
 * saved under test-results/fuzz/<target>/. Exit code 1 when anything failed.
 */
import { randomInt } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { saveFinding } from './corpus.js';
import { AllocationMeter, formatFailure, judge, type FuzzReport } from './harness.js';
import { parseSeed } from './mutator.js';
import { runAll, type JobOptions } from './pool.js';
import { TARGETS, findTarget } from './targets/index.js';

interface Args {
  iterations: number;
  targets: string[];
  seed: number;
  jobs: number;
  timeBudgetMs: number | undefined;
  hangMs: number;
  memCapMb: number;
  maxFailures: number;
  replay: string[];
  list: boolean;
}

const USAGE = 'usage: npm run fuzz -- --iterations N [--target NAME[,NAME]] [--seed S] [--jobs J] [--time-budget S] [--hang-ms MS] [--mem-cap-mb MB] | --target NAME --replay FILE… | --list';

function parseArgs(argv: readonly string[]): Args {
  const args: Args = {
    iterations: 100_000, targets: [], seed: randomInt(0, 0xffffffff), jobs: Math.max(1, Math.min(availableParallelism(), 4)),
    timeBudgetMs: undefined, hangMs: 1000, memCapMb: 64, maxFailures: 5, replay: [], list: false,
  };
  const number = (flag: string, text: string | undefined, min: number): number => {
    const value = Number(text?.replace(/_/g, ''));
    if (!Number.isFinite(value) || value < min) throw new Error(`${flag} needs a number >= ${min}`);
    return value;
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    const value = (): string | undefined => argv[++i];
    switch (flag) {
      case '--iterations': args.iterations = Math.floor(number(flag, value(), 1)); break;
      case '--target': args.targets.push(...(value() ?? '').split(',').filter(Boolean)); break;
      case '--seed': {
        const seed = parseSeed(value() ?? '');
        if (seed === null) throw new Error('--seed needs a decimal or 0x-hex 32-bit number');
        args.seed = seed;
        break;
      }
      case '--jobs': args.jobs = Math.floor(number(flag, value(), 1)); break;
      case '--time-budget': args.timeBudgetMs = number(flag, value(), 0.001) * 1000; break;
      case '--hang-ms': args.hangMs = number(flag, value(), 1); break;
      case '--mem-cap-mb': args.memCapMb = number(flag, value(), 1); break;
      case '--max-failures': args.maxFailures = Math.floor(number(flag, value(), 1)); break;
      case '--replay': while (argv[i + 1] !== undefined && !argv[i + 1]!.startsWith('--')) args.replay.push(argv[++i]!); break;
      case '--list': args.list = true; break;
      case '--help': case '-h': console.log(USAGE); process.exit(0); break;
      default: throw new Error(`unknown argument ${flag}\n${USAGE}`);
    }
  }
  for (const name of args.targets) if (!findTarget(name)) throw new Error(`no fuzz target named ${name} (see --list)`);
  return args;
}

function replay(args: Args): number {
  if (args.targets.length !== 1) throw new Error('--replay needs exactly one --target');
  const target = findTarget(args.targets[0]!)!;
  const meter = new AllocationMeter();
  let failed = 0;
  meter.install();
  for (const file of args.replay) {
    const input = readFileSync(file);
    const outcome = judge(target, input, meter, args.hangMs);
    const verdict = outcome.failure ? `${outcome.failure.kind}: ${outcome.failure.message}\n${outcome.failure.stack}` : `ok (${String(outcome.feature)})`;
    console.log(`${file}: ${input.length} bytes, ${outcome.elapsedMs.toFixed(2)} ms, ${outcome.allocated} B allocated — ${verdict}`);
    if (outcome.failure) failed++;
  }
  meter.uninstall();
  return failed === 0 ? 0 : 1;
}

const pad = (text: string | number, width: number): string => String(text).padStart(width);
const mib = (bytes: number): string => (bytes / 1024 / 1024).toFixed(1);

function printTable(reports: readonly FuzzReport[], wallMs: number): void {
  console.log(`\n${'target'.padEnd(18)}${pad('inputs', 11)}${pad('inputs/s', 10)}${pad('corpus', 8)}${pad('features', 9)}${pad('heap MiB', 12)}${pad('buffers MiB', 13)}${pad('allocKiB', 9)}${pad('alloc/B', 8)}  failures`);
  let total = 0;
  let failures = 0;
  for (const r of reports) {
    total += r.inputs;
    failures += r.failures.length;
    console.log(
      `${r.target.padEnd(18)}${pad(r.inputs, 11)}${pad(Math.round(r.inputsPerSecond), 10)}${pad(r.corpusSize, 8)}${pad(r.features, 9)}` +
        `${pad(`${mib(r.peakHeapGrowth)}/${mib(r.retainedHeapGrowth)}`, 12)}${pad(`${mib(r.peakArrayBufferGrowth)}/${mib(r.retainedArrayBufferGrowth)}`, 13)}${pad((r.maxAllocatedBytes / 1024).toFixed(0), 9)}${pad(r.maxAllocationRatio.toFixed(1), 8)}  ${r.failures.map((f) => f.kind).join(',') || '-'}`,
    );
  }
  console.log('(heap and buffers: growth over the baseline, highest sample / retained after a final collection)');
  console.log(`${'total'.padEnd(18)}${pad(total, 11)}${pad(Math.round((total * 1000) / wallMs), 10)}  in ${(wallMs / 1000).toFixed(1)} s wall clock; ${failures} failure(s)`);
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  if (args.list) {
    for (const target of TARGETS) console.log(`${target.name.padEnd(18)} ${target.description}`);
    return 0;
  }
  if (args.replay.length > 0) return replay(args);
  const chosen = args.targets.length > 0 ? args.targets.map((name) => findTarget(name)!) : [...TARGETS];
  const perTarget = Math.ceil(args.iterations / chosen.length);
  console.log(
    `fuzz: seed ${args.seed} (repeat with --seed ${args.seed}), ${perTarget} inputs for each of ${chosen.length} target(s), ` +
      `${args.jobs} worker(s), hang limit ${args.hangMs} ms, memory cap ${args.memCapMb} MiB`,
  );
  const progress = new Map<string, number>();
  const started = performance.now();
  let lastPrint = started;
  const jobs: JobOptions[] = chosen.map((target) => ({
    target: target.name,
    iterations: perTarget,
    seed: args.seed,
    hangMs: args.hangMs,
    memoryCapBytes: args.memCapMb * 1024 * 1024,
    maxFailures: args.maxFailures,
    maxInputLength: target.maxInputLength,
    ...(args.timeBudgetMs === undefined ? {} : { timeBudgetMs: args.timeBudgetMs }),
    onProgress: (done) => {
      progress.set(target.name, done);
      const now = performance.now();
      if (now - lastPrint >= 10_000) {
        lastPrint = now;
        const total = [...progress.values()].reduce((a, b) => a + b, 0);
        console.log(`  … ${total} inputs, ${Math.round((total * 1000) / (now - started))} inputs/s`);
      }
    },
  }));
  const reports = await runAll(jobs, args.jobs, (report) => {
    progress.set(report.target, report.inputs);
    const verdict = report.failures.length === 0 ? 'ok' : `${report.failures.length} FAILURE(S)`;
    console.log(`  ${report.target}: ${report.inputs} inputs in ${(report.elapsedMs / 1000).toFixed(1)} s (${Math.round(report.inputsPerSecond)}/s) — ${verdict}`);
  });
  printTable(reports, performance.now() - started);
  for (const report of reports) {
    for (const [note, hits] of Object.entries(report.knownIssueHits)) console.log(`  known issue in ${report.target} (not counted as a failure), hit ${hits} times: ${note}`);
  }
  let failed = 0;
  for (const report of reports) {
    for (const failure of report.failures) {
      failed++;
      const path = saveFinding(report.target, failure.kind, failure.iteration, report.seed, failure.input);
      console.log(`\n${formatFailure(failure, report.target, report.seed)}\n  saved ${path}\n  replay: npm run fuzz -- --target ${report.target} --replay ${path}`);
    }
  }
  return failed === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(2);
  },
);
