// The end-to-end fan-out benchmark: for each round, each N and each relay (interleaved A B C),
// publish the source at `speed` × real time into one event with N nginx-rtmp sinks and measure the
// relay process between "all destinations live" and "sinks stopped growing".
import { sleep } from '../test/helpers/rtmp-publisher.js';
import { ARM_LABELS, DEFAULT_QUEUE_BYTES, startArm, type ArmName, type ArmOptions, type RelayUnderTest } from './arms.js';
import { startPacedPublisher, type PacedPublisher } from './paced-publisher.js';
import { cpuSample, memorySample, QUIET_FOREIGN_PCT, startForeignCpuWatch, waitForQuietMachine, type CpuSample } from './proc-stats.js';
import { checkRecording, destinationName, startSinkFarm, waitUntilQuiet, type SinkFarm } from './sink-farm.js';
import type { SourceStream } from './source-media.js';

export interface FanoutOptions {
  readonly arms: readonly ArmName[];
  readonly destinationCounts: readonly number[];
  readonly rounds: number;
  readonly speed: number;
  /** Media milliseconds of each warm-up publish (0: none). */
  readonly warmupMediaMs: number;
  /** Warm-up publishes before the measured one, each on its own event, each until its destinations closed. */
  readonly warmupPublishes: number;
  /** Before each run, wait up to this long for the machine to be idle (others' work skews CPU figures). */
  readonly quietWaitMs: number;
  readonly arm: Omit<ArmOptions, 'queueMediaMs' | 'queueBytes'>;
  readonly log: (line: string) => void;
}

export interface FanoutRun {
  readonly arm: ArmName;
  readonly destinations: number;
  readonly round: number;
  readonly ok: boolean;
  readonly error: string | null;
  /** Relay CPU (schedstat, ns precision) and the same from /proc/PID/stat ticks, in the window. */
  readonly cpuMs: number;
  readonly cpuStatMs: number;
  readonly windowMs: number;
  /** Audio + video payload bytes the sinks recorded (MB = 10^6 bytes). */
  readonly outputMb: number;
  readonly cpuMsPerMb: number;
  readonly outputMbPerS: number;
  readonly peakRssMb: number;
  /** RSS once every destination is live, before media flows (connections, no queued media). */
  readonly rssAtLiveMb: number;
  readonly lossless: boolean;
  readonly sinksIntact: number;
  readonly integrityProblems: readonly string[];
  readonly publisherMaxLagMs: number;
  /** CPU used by other processes on the machine during the window, percent of one core. */
  readonly foreignCpuPct: number;
  /** CPU/MB of the first warm-up publish: a fresh process, JIT not yet warm (recorded FLV bytes). */
  readonly coldCpuMsPerMb: number;
}

const LIVE_TIMEOUT_MS = 30_000;
/** After a warm-up publish: its destinations close (ours after --publish-grace, see arm-ours.ts). */
const DONE_TIMEOUT_MS = 30_000;
/** After the last destination published: let every relay attach its pushes before media flows. */
const SETTLE_MS = 500;

function failed(arm: ArmName, destinations: number, round: number, error: unknown): FanoutRun {
  const message = (error as Error).message ?? String(error);
  return {
    arm, destinations, round, ok: false, error: message.split('\n').slice(0, 6).join(' | '),
    cpuMs: Number.NaN, cpuStatMs: Number.NaN, windowMs: Number.NaN, outputMb: Number.NaN, cpuMsPerMb: Number.NaN,
    outputMbPerS: Number.NaN, peakRssMb: Number.NaN, rssAtLiveMb: Number.NaN, lossless: false, sinksIntact: 0, integrityProblems: [],
    publisherMaxLagMs: Number.NaN, foreignCpuPct: Number.NaN, coldCpuMsPerMb: Number.NaN,
  };
}

interface Phase {
  readonly publisher: PacedPublisher;
  readonly cpuMs: number;
  readonly cpuStatMs: number;
  readonly windowMs: number;
  readonly rssAtLiveMb: number;
  readonly recordedBytes: number;
  readonly maxLagMs: number;
  readonly foreignCpuPct: number;
}

/**
 * Publishes event `event` to its destinations `names`: headers, wait until all are live, then the
 * media paced; measures the relay from there until the recordings stop growing.
 */
async function publishPhase(relay: RelayUnderTest, sinks: SinkFarm, event: number, names: readonly string[], source: SourceStream, speed: number, mediaMs?: number): Promise<Phase> {
  const ingest = relay.ingest(event);
  const publisher = await startPacedPublisher({
    url: ingest.appUrl,
    streamName: ingest.streamName,
    tags: source.tags,
    headerCount: source.headerCount,
    speed,
    ...(mediaMs === undefined ? {} : { mediaMs }),
  });
  try {
    try {
      await sinks.waitLive(names, LIVE_TIMEOUT_MS);
    } catch (error) {
      throw new Error(`destinations not live: ${(error as Error).message}\nrelay output: ${relay.tail()}`);
    }
    await sleep(SETTLE_MS);
    const pid = relay.pid;
    const rssAtLiveMb = memorySample(pid).rssMb;
    const cpuStart = cpuSample(pid);
    const foreign = startForeignCpuWatch(() => [pid, ...sinks.pids, process.pid]);
    const startedAt = performance.now();
    const published = await publisher.run();
    let foreignCpuPct = 0;
    const end = await waitUntilQuiet(
      () => sinks.recordedBytes(names),
      () => {
        foreignCpuPct = foreign();
        return cpuSample(pid);
      },
      { pollMs: 50, quietMs: 1000, timeoutMs: 180_000 },
    );
    const cpuEnd = end.sample as CpuSample;
    return {
      publisher,
      cpuMs: cpuEnd.schedMs - cpuStart.schedMs,
      cpuStatMs: cpuEnd.statMs - cpuStart.statMs,
      windowMs: end.at - startedAt,
      rssAtLiveMb,
      recordedBytes: end.bytes,
      maxLagMs: published.maxLagMs,
      foreignCpuPct,
    };
  } catch (error) {
    await publisher.finish().catch(() => undefined);
    throw error;
  }
}

/**
 * One run: fresh sinks, a fresh relay; short warm-up publishes, each on its own event and each until
 * its destinations have closed, then the measured publish of the whole source on the last event.
 * The warm-up stands for a relay that has run for a while: V8 compiles the hot path during the
 * first publish, and the first end of a publish, the first push teardown and the first new
 * connection after that each meet code paths and object shapes not seen before, which throws that
 * code away (deoptimizations, field generalizations); with one warm-up publish the measured window
 * paid for compiling it all again. The first warm-up's figures are kept as "cold".
 */
export async function runFanoutOnce(
  source: SourceStream,
  arm: ArmName,
  destinations: number,
  round: number,
  options: FanoutOptions,
): Promise<FanoutRun> {
  const namesOf = (event: number): string[] => Array.from({ length: destinations }, (_, d) => destinationName(event, d));
  const measuredEvent = options.warmupMediaMs > 0 ? options.warmupPublishes : 0;
  const names = namesOf(measuredEvent);
  let sinks: SinkFarm | undefined;
  let relay: RelayUnderTest | undefined;
  let measured: Phase | undefined;
  try {
    const farm = await startSinkFarm();
    sinks = farm;
    relay = await startArm(
      arm,
      { events: measuredEvent + 1, destinationsPerEvent: destinations, target: (e, d) => ({ appUrl: farm.appUrlFor(d), streamName: destinationName(e, d) }) },
      { ...options.arm, queueMediaMs: 2000 * options.speed, queueBytes: DEFAULT_QUEUE_BYTES * options.speed },
    );
    let coldCpuMsPerMb = Number.NaN;
    for (let event = 0; event < measuredEvent; event++) {
      const warm = await publishPhase(relay, sinks, event, namesOf(event), source, options.speed, options.warmupMediaMs);
      await warm.publisher.finish();
      if (relay.closesPushesAtUnpublish) await sinks.waitDone(namesOf(event), DONE_TIMEOUT_MS);
      if (event === 0) coldCpuMsPerMb = warm.cpuMs / (warm.recordedBytes / 1e6);
    }
    measured = await publishPhase(relay, sinks, measuredEvent, names, source, options.speed);
    const memory = memorySample(relay.pid);
    const checks = [];
    for (const name of names) checks.push(await checkRecording(sinks.recordingPath(name), name, source));
    const outputMb = checks.reduce((sum, check) => sum + check.mediaBytes, 0) / 1e6;
    const intact = checks.filter((check) => check.ok).length;
    return {
      arm, destinations, round, ok: true, error: null,
      cpuMs: measured.cpuMs,
      cpuStatMs: measured.cpuStatMs,
      windowMs: measured.windowMs,
      outputMb,
      cpuMsPerMb: measured.cpuMs / outputMb,
      outputMbPerS: outputMb / (measured.windowMs / 1000),
      peakRssMb: memory.peakRssMb,
      rssAtLiveMb: measured.rssAtLiveMb,
      lossless: intact === destinations,
      sinksIntact: intact,
      integrityProblems: checks.filter((check) => !check.ok).slice(0, 5).map((check) => `${check.name}: ${check.problem}`),
      publisherMaxLagMs: measured.maxLagMs,
      foreignCpuPct: measured.foreignCpuPct,
      coldCpuMsPerMb,
    };
  } catch (error) {
    const output = relay?.tail().trim();
    return failed(arm, destinations, round, output ? new Error(`${(error as Error).message ?? String(error)} | relay output: ${output}`) : error);
  } finally {
    await measured?.publisher.finish().catch(() => undefined);
    await relay?.stop().catch(() => undefined);
    await sinks?.stop().catch(() => undefined);
  }
}

function describe(run: FanoutRun): string {
  if (!run.ok) return `FAILED: ${run.error}`;
  const integrity = run.lossless ? 'lossless' : `LOSSY ${run.sinksIntact}/${run.destinations} intact (${run.integrityProblems[0] ?? ''})`;
  return `${run.cpuMsPerMb.toFixed(2)} ms/MB (cold ${run.coldCpuMsPerMb.toFixed(2)}), ${run.outputMbPerS.toFixed(1)} MB/s, peak RSS ${run.peakRssMb.toFixed(0)} MB, ${integrity}; other processes ${run.foreignCpuPct.toFixed(0)} % CPU`;
}

/** Every round × N × arm, arms interleaved (A B C A B C) so drifts of the machine hit all alike. */
export async function runFanout(source: SourceStream, options: FanoutOptions): Promise<FanoutRun[]> {
  const runs: FanoutRun[] = [];
  for (let round = 1; round <= options.rounds; round++) {
    for (const destinations of options.destinationCounts) {
      for (const arm of options.arms) {
        if (options.quietWaitMs > 0) {
          const busy = await waitForQuietMachine(QUIET_FOREIGN_PCT, options.quietWaitMs);
          if (busy > QUIET_FOREIGN_PCT) options.log(`the machine is busy (${busy.toFixed(0)} % of a core used by others); measuring anyway`);
        }
        const run = await runFanoutOnce(source, arm, destinations, round, options);
        runs.push(run);
        options.log(`round ${round}/${options.rounds} N=${destinations} ${ARM_LABELS[arm]}: ${describe(run)}`);
      }
    }
  }
  return runs;
}
