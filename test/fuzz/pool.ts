/**
 * Runs fuzz jobs in worker threads with a hang watchdog and a heap ceiling. A worker whose current
 * input has run past the hang limit is terminated and reported as a 'hang' with that input; a
 * worker that dies (heap ceiling, an uncaught error) is reported as a 'crash' or 'memory' failure.
 */
import { Worker } from 'node:worker_threads';
import { signatureOf, type FailureKind, type FuzzFailure, type FuzzReport } from './harness.js';
import { epochNow, sharedViews, type WorkerJob, type WorkerMessage } from './worker.js';

export interface JobOptions extends Omit<WorkerJob, 'shared'> {
  /** Largest input the target takes (the shared buffer's size). */
  readonly maxInputLength: number;
  /** Heap ceiling of the worker (MiB); default 1024. */
  readonly maxOldGenerationSizeMb?: number;
  readonly onProgress?: (done: number) => void;
}

const WATCHDOG_PERIOD_MS = 50;

function emptyReport(job: JobOptions, done: number, elapsedMs: number, failure: FuzzFailure): FuzzReport {
  return {
    target: job.target,
    seed: job.seed,
    inputs: done,
    elapsedMs,
    inputsPerSecond: elapsedMs > 0 ? (done * 1000) / elapsedMs : 0,
    corpusSize: 0,
    features: 0,
    peakHeapGrowth: 0,
    peakArrayBufferGrowth: 0,
    retainedHeapGrowth: 0,
    retainedArrayBufferGrowth: 0,
    maxAllocatedBytes: 0,
    maxAllocationRatio: 0,
    failures: [failure],
    knownIssueHits: {},
  };
}

export function runInWorker(job: JobOptions): Promise<FuzzReport> {
  const shared = new SharedArrayBuffer(16 + job.maxInputLength);
  const views = sharedViews(shared);
  const { onProgress, maxInputLength: _size, maxOldGenerationSizeMb, ...rest } = job;
  const workerJob: WorkerJob = { ...rest, shared };
  const worker = new Worker(new URL('./worker.js', import.meta.url), {
    workerData: workerJob,
    resourceLimits: { maxOldGenerationSizeMb: maxOldGenerationSizeMb ?? 1024 },
  });
  const started = performance.now();
  let done = 0;

  return new Promise<FuzzReport>((resolve) => {
    let settled = false;
    const finish = (report: FuzzReport): void => {
      if (settled) return;
      settled = true;
      clearInterval(watchdog);
      void worker.terminate();
      resolve(report);
    };
    const currentInput = (): Buffer => Buffer.from(views.input.subarray(0, views.length[0]));
    const failWith = (kind: FailureKind, message: string, stack = ''): void => {
      const failure: FuzzFailure = { kind, message, stack, signature: signatureOf(kind, message, stack), input: currentInput(), iteration: done };
      finish(emptyReport(job, done, performance.now() - started, failure));
    };

    const watchdog = setInterval(() => {
      const since = views.started[0]!;
      if (since > 0 && epochNow() - since > job.hangMs) {
        failWith('hang', `an input ran longer than ${job.hangMs} ms (the worker was stopped)`);
      }
    }, WATCHDOG_PERIOD_MS);

    worker.on('message', (message: WorkerMessage) => {
      if (message.type === 'progress') {
        done = message.done;
        onProgress?.(done);
        return;
      }
      const report = message.report;
      finish({ ...report, failures: report.failures.map((f) => ({ ...f, input: Buffer.from(f.input) })) });
    });
    worker.on('error', (error: Error & { code?: string }) => {
      const kind: FailureKind = error.code === 'ERR_WORKER_OUT_OF_MEMORY' ? 'memory' : 'crash';
      failWith(kind, `the worker died: ${error.message}`, error.stack ?? '');
    });
    worker.on('exit', (code) => {
      if (!settled) failWith('crash', `the worker exited with code ${code} before reporting`);
    });
  });
}

/** Runs jobs, at most `parallel` at once, in the given order; reports come back in that order. */
export async function runAll(jobs: readonly JobOptions[], parallel: number, onReport?: (report: FuzzReport) => void): Promise<FuzzReport[]> {
  const reports: FuzzReport[] = new Array<FuzzReport>(jobs.length);
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < jobs.length) {
      const index = next++;
      const report = await runInWorker(jobs[index]!);
      reports[index] = report;
      onReport?.(report);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(parallel, jobs.length)) }, lane));
  return reports;
}
