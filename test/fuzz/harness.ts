/**
 * A small mutation fuzzer of our own, in TypeScript. A target wraps one public API that promises
 * never to throw (protocol parsers return RtmpError values, validators return Problems) and checks
 * its invariants. The loop replays the seed corpus, then feeds mutated inputs; each input is
 * judged on four things:
 *   crash      — any exception escaping the target (a throw out of a never-throw API is a bug),
 *   invariant  — the target's own checks (FuzzInvariantError), e.g. a message over maxMessageSize,
 *   slow       — an input that took longer than hangMs (a true hang is caught by run.ts's watchdog),
 *   allocation — more Buffer bytes allocated for one input than the target allows for its length
 *                (a declared length must never be allocated up front),
 * plus a periodic memory sample (heap and array buffers above the baseline beyond a cap).
 * An input whose run reports a feature (a short string: outcome, error code, event kinds) not
 * seen before joins the working corpus, which steers mutations toward new behaviour.
 */
import { Mutator, Rng, deriveSeed } from './mutator.js';

/** Thrown by a target when the API under test broke one of its promises. */
export class FuzzInvariantError extends Error {
  override readonly name = 'FuzzInvariantError';
}

export function check(condition: unknown, message: string): asserts condition {
  if (!condition) throw new FuzzInvariantError(message);
}

/** A bug found, reported and not fixed yet: its failures are counted, not failed on (see regressions/known-*). */
export interface KnownIssue {
  /** Matches the failure message. */
  readonly pattern: RegExp;
  readonly note: string;
}

export interface FuzzTarget {
  readonly name: string;
  readonly description: string;
  /** Inputs are cut to this many bytes. */
  readonly maxInputLength: number;
  /** Tokens the mutator may insert whole. */
  readonly dictionary?: readonly Buffer[];
  /** Buffer bytes one input may allocate; default 16 × its length + 1 MiB. */
  readonly allocationLimit?: (inputLength: number) => number;
  readonly knownIssues?: readonly KnownIssue[];
  /** Runs one input; returns a short feature string for novelty, or nothing. Throws only on a bug. */
  run(input: Buffer): string | void;
}

export type FailureKind = 'crash' | 'invariant' | 'slow' | 'allocation' | 'memory' | 'hang';

export interface FuzzFailure {
  readonly kind: FailureKind;
  readonly message: string;
  /** Kind, message with numbers blanked, and the top stack frame: one per distinct bug. */
  readonly signature: string;
  readonly stack: string;
  readonly input: Buffer;
  /** Index of the input in the run (corpus entries first). */
  readonly iteration: number;
}

export interface FuzzOptions {
  /** Inputs to run, corpus entries included. */
  readonly iterations: number;
  readonly seed: number;
  /** Stop early after this long (ms); default no limit. */
  readonly timeBudgetMs?: number;
  /** One input may take this long (ms); default 1000. */
  readonly hangMs?: number;
  /** Heap used and array buffers may grow this much over the baseline (bytes); default 64 MiB. */
  readonly memoryCapBytes?: number;
  /** Distinct failures to collect before stopping; default 5. */
  readonly maxFailures?: number;
  /** Attempts to shrink a failing input; default 400 (0 = keep it as found). */
  readonly minimizeBudget?: number;
  /** Told of each input as it starts, and null when it ends (run.ts's hang watchdog listens). */
  readonly watch?: Watch;
  /** Called about every second with the inputs done so far. */
  readonly onProgress?: (done: number) => void;
}

export interface FuzzReport {
  readonly target: string;
  readonly seed: number;
  readonly inputs: number;
  readonly elapsedMs: number;
  readonly inputsPerSecond: number;
  readonly corpusSize: number;
  readonly features: number;
  /** Heap used and array buffers over the baseline: the highest sample (garbage included)… */
  readonly peakHeapGrowth: number;
  readonly peakArrayBufferGrowth: number;
  /** …and what was left after a collection at the end (the working corpus included). */
  readonly retainedHeapGrowth: number;
  readonly retainedArrayBufferGrowth: number;
  /** Most Buffer bytes one input allocated, and the most per input byte (inputs of 1 KiB or more). */
  readonly maxAllocatedBytes: number;
  readonly maxAllocationRatio: number;
  readonly failures: readonly FuzzFailure[];
  /** Inputs that hit a known issue, by its note. */
  readonly knownIssueHits: Readonly<Record<string, number>>;
}

const MiB = 1024 * 1024;
const MAX_FEATURES = 8192;
const MAX_WORKING_CORPUS = 1024;
/** The working corpus stays well under the memory cap, whatever the input sizes. */
const MAX_WORKING_CORPUS_BYTES = 16 * MiB;
const MEMORY_SAMPLE_EVERY = 512;

export const defaultAllocationLimit = (inputLength: number): number => 16 * inputLength + MiB;

/**
 * Counts the bytes of every Buffer made through the public Buffer factories while installed
 * (our code allocates only through them). Meant for the fuzz process alone.
 */
export class AllocationMeter {
  bytes = 0;
  private restore: (() => void) | null = null;

  install(): void {
    if (this.restore) return;
    const B = Buffer as unknown as Record<string, (...args: unknown[]) => Buffer>;
    const names = ['alloc', 'allocUnsafe', 'allocUnsafeSlow', 'from', 'concat'] as const;
    const originals = names.map((name) => B[name]!);
    names.forEach((name, i) => {
      const original = originals[i]!;
      const meter = this;
      B[name] = function metered(this: unknown, ...args: unknown[]): Buffer {
        const made = original.apply(Buffer, args);
        meter.bytes += made.length;
        return made;
      };
    });
    this.restore = () => names.forEach((name, i) => (B[name] = originals[i]!));
  }

  uninstall(): void {
    this.restore?.();
    this.restore = null;
  }
}

function describe(error: unknown): { message: string; stack: string; isInvariant: boolean } {
  if (error instanceof Error) {
    return { message: `${error.name}: ${error.message}`, stack: error.stack ?? '', isInvariant: error instanceof FuzzInvariantError };
  }
  return { message: `non-error thrown: ${String(error)}`, stack: '', isInvariant: false };
}

/** The first stack frame in our code (src/ or the target), so one bug gives one signature. */
function topFrame(stack: string): string {
  const frames = stack.split('\n').filter((line) => line.trimStart().startsWith('at '));
  const ours = frames.find((line) => /\/(src|fuzz)\//.test(line)) ?? frames[0] ?? '';
  return ours.replace(/:\d+:\d+\)?$/, '').replace(/^.*\//, '');
}

export function signatureOf(kind: FailureKind, message: string, stack: string): string {
  const shape = message.replace(/"(?:[^"\\]|\\.)*"/g, '""').replace(/\d+/g, 'N');
  return `${kind}|${shape.slice(0, 160)}|${topFrame(stack)}`;
}

export type Watch = (input: Buffer | null) => void;

interface Outcome {
  readonly failure: Omit<FuzzFailure, 'input' | 'iteration'> | null;
  /** The note of the known issue this input hit instead of failing. */
  readonly known?: string;
  readonly feature: string | void;
  readonly elapsedMs: number;
  readonly allocated: number;
}

/** Runs one input through the target and judges it (memory sampling aside). */
export function judge(target: FuzzTarget, input: Buffer, meter: AllocationMeter, hangMs: number, watch?: Watch): Outcome {
  watch?.(input);
  meter.bytes = 0;
  const started = performance.now();
  let feature: string | void = undefined;
  let thrown: unknown = null;
  let threw = false;
  try {
    feature = target.run(input);
  } catch (error) {
    threw = true;
    thrown = error;
  }
  const elapsedMs = performance.now() - started;
  const allocated = meter.bytes;
  watch?.(null);
  const fail = (kind: FailureKind, message: string, stack: string): Outcome => ({
    failure: { kind, message, stack, signature: signatureOf(kind, message, stack) },
    feature,
    elapsedMs,
    allocated,
  });
  if (threw) {
    const { message, stack, isInvariant } = describe(thrown);
    const known = target.knownIssues?.find((issue) => issue.pattern.test(message));
    if (known) return { failure: null, known: known.note, feature: undefined, elapsedMs, allocated };
    return fail(isInvariant ? 'invariant' : 'crash', message, stack);
  }
  if (elapsedMs > hangMs) return fail('slow', `input of ${input.length} bytes took ${Math.round(elapsedMs)} ms (limit ${hangMs})`, '');
  const limit = (target.allocationLimit ?? defaultAllocationLimit)(input.length);
  if (allocated > limit) {
    return fail('allocation', `input of ${input.length} bytes allocated ${allocated} Buffer bytes (limit ${limit})`, '');
  }
  return { failure: null, feature, elapsedMs, allocated };
}

/**
 * Shrinks a failing input while it keeps failing with the same signature: removes halves,
 * quarters, … down to single bytes. Deterministic; bounded by `budget` runs.
 */
export function minimize(
  target: FuzzTarget,
  input: Buffer,
  signature: string,
  meter: AllocationMeter,
  hangMs: number,
  budget: number,
  watch?: Watch,
): Buffer {
  let best = input;
  let runs = 0;
  for (let size = best.length >> 1; size >= 1 && runs < budget; size >>= 1) {
    for (let at = 0; at + size <= best.length && runs < budget; ) {
      const candidate = Buffer.concat([best.subarray(0, at), best.subarray(at + size)]);
      runs++;
      const outcome = judge(target, candidate, meter, hangMs, watch);
      if (outcome.failure?.signature === signature) best = candidate;
      else at += size;
    }
  }
  return best;
}

let gcFunction: (() => void) | null | undefined;

/** A way to force a collection before declaring a memory failure (no --expose-gc needed). */
async function loadGc(): Promise<(() => void) | null> {
  if (gcFunction !== undefined) return gcFunction;
  try {
    const v8 = await import('node:v8');
    const vm = await import('node:vm');
    v8.setFlagsFromString('--expose-gc');
    gcFunction = vm.runInNewContext('gc') as () => void;
  } catch {
    gcFunction = null;
  }
  return gcFunction;
}

/** Fuzzes one target; never throws for a target's failure (it is in the report). */
export async function fuzz(target: FuzzTarget, seedCorpus: readonly Buffer[], options: FuzzOptions): Promise<FuzzReport> {
  const hangMs = options.hangMs ?? 1000;
  const memoryCap = options.memoryCapBytes ?? 64 * MiB;
  const maxFailures = options.maxFailures ?? 5;
  const deadline = options.timeBudgetMs === undefined ? Infinity : performance.now() + options.timeBudgetMs;
  const gc = await loadGc();
  const rng = new Rng(deriveSeed(options.seed, target.name));
  const mutator = new Mutator(rng, { maxLength: target.maxInputLength, ...(target.dictionary ? { dictionary: target.dictionary } : {}) });
  const corpus: Buffer[] = seedCorpus.map((entry) => entry.subarray(0, target.maxInputLength));
  const seedCount = corpus.length;
  let corpusBytes = 0;
  const features = new Set<string>();
  const failures: FuzzFailure[] = [];
  const signatures = new Set<string>();
  const meter = new AllocationMeter();
  const knownIssueHits: Record<string, number> = {};

  gc?.();
  const baseline = process.memoryUsage();
  let peakHeap = 0;
  let peakArrayBuffers = 0;
  let maxRatio = 0;
  let maxAllocated = 0;
  const started = performance.now();
  let lastProgress = started;
  let done = 0;

  const record = (failure: Omit<FuzzFailure, 'input' | 'iteration'>, input: Buffer, iteration: number): void => {
    if (signatures.has(failure.signature)) return;
    signatures.add(failure.signature);
    const shrunk =
      failure.kind === 'crash' || failure.kind === 'invariant' || failure.kind === 'allocation'
        ? minimize(target, input, failure.signature, meter, hangMs, options.minimizeBudget ?? 400, options.watch)
        : input;
    failures.push({ ...failure, input: Buffer.from(shrunk), iteration });
  };

  meter.install();
  try {
    for (let i = 0; i < options.iterations && failures.length < maxFailures; i++) {
      const input = i < seedCount ? corpus[i]! : mutator.next(corpus, seedCount);
      const outcome = judge(target, input, meter, hangMs, options.watch);
      done++;
      maxAllocated = Math.max(maxAllocated, outcome.allocated);
      if (input.length >= 1024) maxRatio = Math.max(maxRatio, outcome.allocated / input.length);
      if (outcome.failure) record(outcome.failure, input, i);
      else if (outcome.known !== undefined) knownIssueHits[outcome.known] = (knownIssueHits[outcome.known] ?? 0) + 1;
      else if (typeof outcome.feature === 'string' && !features.has(outcome.feature) && features.size < MAX_FEATURES) {
        features.add(outcome.feature);
        if (corpus.length < MAX_WORKING_CORPUS && corpusBytes + input.length <= MAX_WORKING_CORPUS_BYTES) {
          corpus.push(Buffer.from(input));
          corpusBytes += input.length;
        } else if (corpus.length > seedCount) {
          const slot = seedCount + rng.below(corpus.length - seedCount);
          const grown = input.length - corpus[slot]!.length;
          if (corpusBytes + grown <= MAX_WORKING_CORPUS_BYTES) {
            corpusBytes += grown;
            corpus[slot] = Buffer.from(input);
          }
        }
      }
      if (done % MEMORY_SAMPLE_EVERY === 0) {
        const now = performance.now();
        let usage = process.memoryUsage();
        const over = (u: NodeJS.MemoryUsage): boolean =>
          u.heapUsed - baseline.heapUsed > memoryCap || u.arrayBuffers - baseline.arrayBuffers > memoryCap;
        if (over(usage) && gc) {
          gc();
          usage = process.memoryUsage();
        }
        peakHeap = Math.max(peakHeap, usage.heapUsed - baseline.heapUsed);
        peakArrayBuffers = Math.max(peakArrayBuffers, usage.arrayBuffers - baseline.arrayBuffers);
        if (over(usage)) {
          const message = `memory grew past the cap: heap +${usage.heapUsed - baseline.heapUsed} B, array buffers +${usage.arrayBuffers - baseline.arrayBuffers} B (cap ${memoryCap} B)`;
          record({ kind: 'memory', message, stack: '', signature: signatureOf('memory', 'over cap', '') }, input, i);
          break;
        }
        if (now > deadline) break;
        if (now - lastProgress >= 1000) {
          lastProgress = now;
          options.onProgress?.(done);
        }
      }
    }
  } finally {
    meter.uninstall();
  }
  const elapsedMs = performance.now() - started;
  gc?.();
  const retained = process.memoryUsage();
  return {
    target: target.name,
    seed: options.seed,
    inputs: done,
    elapsedMs,
    inputsPerSecond: elapsedMs > 0 ? (done * 1000) / elapsedMs : 0,
    corpusSize: corpus.length,
    features: features.size,
    peakHeapGrowth: peakHeap,
    peakArrayBufferGrowth: peakArrayBuffers,
    retainedHeapGrowth: retained.heapUsed - baseline.heapUsed,
    retainedArrayBufferGrowth: retained.arrayBuffers - baseline.arrayBuffers,
    maxAllocatedBytes: maxAllocated,
    maxAllocationRatio: maxRatio,
    failures,
    knownIssueHits,
  };
}

/** One line per failure, with what it takes to reproduce it. */
export function formatFailure(failure: FuzzFailure, target: string, seed: number): string {
  const hex = failure.input.subarray(0, 64).toString('hex');
  const more = failure.input.length > 64 ? `… (${failure.input.length} bytes)` : ` (${failure.input.length} bytes)`;
  const frames = failure.stack.split('\n').slice(1, 6).join('\n');
  return `[${target}] ${failure.kind} at input ${failure.iteration} (seed ${seed}): ${failure.message}\n  input ${hex}${more}${frames ? `\n${frames}` : ''}`;
}
