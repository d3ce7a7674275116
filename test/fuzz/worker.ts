/**
 * One fuzz job in a worker thread, so the main thread can stop a true hang (an input that never
 * returns): before each input the worker publishes it and its start time in shared memory, and
 * clears the time when the input returns. The main thread's watchdog terminates a worker whose
 * input has run longer than the hang limit and keeps that input.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { loadCorpus } from './corpus.js';
import { fuzz, type FuzzReport, type FuzzTarget } from './harness.js';
import { findTarget } from './targets/index.js';

export interface WorkerJob {
  readonly target: string;
  readonly iterations: number;
  readonly seed: number;
  readonly hangMs: number;
  readonly memoryCapBytes: number;
  readonly timeBudgetMs?: number;
  readonly maxFailures: number;
  /** 16 header bytes (start time as a float64, input length as an int32 at 8), then the input. */
  readonly shared: SharedArrayBuffer;
  /** A module exporting `targets` to look the target up in instead (the harness self-test). */
  readonly targetModule?: string;
}

export type WorkerMessage = { type: 'progress'; done: number } | { type: 'report'; report: FuzzReport };

/** Epoch milliseconds that both threads read alike (each thread's performance.now has its own origin). */
export const epochNow = (): number => performance.timeOrigin + performance.now();

export function sharedViews(shared: SharedArrayBuffer): { started: Float64Array; length: Int32Array; input: Uint8Array } {
  return { started: new Float64Array(shared, 0, 1), length: new Int32Array(shared, 8, 1), input: new Uint8Array(shared, 16) };
}

async function main(): Promise<void> {
  const job = workerData as WorkerJob;
  let target: FuzzTarget | undefined;
  if (job.targetModule !== undefined) {
    const module = (await import(job.targetModule)) as { targets: readonly FuzzTarget[] };
    target = module.targets.find((t) => t.name === job.target);
  } else {
    target = findTarget(job.target);
  }
  if (target === undefined) throw new Error(`no fuzz target named ${job.target}`);
  const views = sharedViews(job.shared);
  const report = await fuzz(target, loadCorpus(target.name), {
    iterations: job.iterations,
    seed: job.seed,
    hangMs: job.hangMs,
    memoryCapBytes: job.memoryCapBytes,
    maxFailures: job.maxFailures,
    ...(job.timeBudgetMs === undefined ? {} : { timeBudgetMs: job.timeBudgetMs }),
    watch: (input) => {
      if (input === null) {
        views.started[0] = 0;
        return;
      }
      const n = Math.min(input.length, views.input.length);
      views.input.set(input.subarray(0, n));
      views.length[0] = n;
      views.started[0] = epochNow();
    },
    onProgress: (done) => parentPort?.postMessage({ type: 'progress', done } satisfies WorkerMessage),
  });
  parentPort?.postMessage({ type: 'report', report } satisfies WorkerMessage);
}

if (parentPort !== null) await main();
