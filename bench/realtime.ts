// The realtime benchmark: K events × N destinations at the source's own pace (6 Mbit/s) for a fixed
// time, every relay pushing to our latency sink (its own process). Per relay: CPU % of one core,
// RSS, and the latency of tagged video frames from the publisher's write to the sink's read, on the
// machine's monotonic clock. A "direct" run (publisher → sink, no relay) gives the floor.
import { sleep } from '../test/helpers/rtmp-publisher.js';
import { ARM_LABELS, DEFAULT_QUEUE_BYTES, startArm, type ArmName, type ArmOptions, type RelayUnderTest } from './arms.js';
import { readLatencyTag, tagVideoFrames } from './latency-tag.js';
import { monotonicMs, startLatencySink, type LatencySink } from './latency-sink.js';
import { startPacedPublisher, type PacedPublisher } from './paced-publisher.js';
import { cpuSample, memorySample, QUIET_FOREIGN_PCT, startForeignCpuWatch, waitForQuietMachine } from './proc-stats.js';
import { destinationName } from './sink-farm.js';
import type { SourceStream } from './source-media.js';
import { quantile } from './stats.js';

export type RealtimeArm = ArmName | 'direct';

export interface RealtimeOptions {
  readonly arms: readonly ArmName[];
  readonly events: number;
  readonly destinationsPerEvent: number;
  readonly seconds: number;
  /** Seconds at the start that are sent but not measured (JIT warm-up, connections settling). */
  readonly warmupSeconds: number;
  /** Before each run, wait up to this long for the machine to be idle. */
  readonly quietWaitMs: number;
  readonly arm: Omit<ArmOptions, 'queueMediaMs' | 'queueBytes'>;
  readonly log: (line: string) => void;
}

export interface RealtimeRun {
  readonly arm: RealtimeArm;
  readonly events: number;
  readonly destinationsPerEvent: number;
  readonly seconds: number;
  readonly ok: boolean;
  readonly error: string | null;
  /** CPU of the relay process over the window, percent of one core. */
  readonly cpuPct: number;
  readonly rssMb: number;
  readonly peakRssMb: number;
  /** RSS once every destination is live, before media flows: the idle cost of the connections. */
  readonly rssIdleMb: number;
  readonly latencyP50Ms: number;
  readonly latencyP99Ms: number;
  /** p99 over inter frames only (keyframes are the largest messages: their fan-out takes longest). */
  readonly latencyP99InterMs: number;
  readonly latencyMaxMs: number;
  /** Tagged frames received / tagged frames sent × destinations. */
  readonly delivered: number;
  /** CPU used by other processes on the machine during the window, percent of one core. */
  readonly foreignCpuPct: number;
}

const DIRECT_SECONDS = 20;

const NO_NUMBERS = {
  cpuPct: Number.NaN, rssMb: Number.NaN, peakRssMb: Number.NaN, rssIdleMb: Number.NaN, latencyP50Ms: Number.NaN,
  latencyP99Ms: Number.NaN, latencyP99InterMs: Number.NaN, latencyMaxMs: Number.NaN, delivered: 0, foreignCpuPct: Number.NaN,
};

async function waitFor(check: () => boolean, timeoutMs: number, what: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`${what()} not within ${timeoutMs} ms`);
    await sleep(50);
  }
}

/** `arm` 'direct': one publisher straight into the sink (one destination), no relay in between. */
export async function runRealtimeOnce(source: SourceStream, arm: RealtimeArm, options: RealtimeOptions): Promise<RealtimeRun> {
  const events = arm === 'direct' ? 1 : options.events;
  const destinationsPerEvent = arm === 'direct' ? 1 : options.destinationsPerEvent;
  // The floor needs fewer samples than the relays: a shorter run keeps the whole benchmark short.
  const seconds = arm === 'direct' ? Math.min(options.seconds, DIRECT_SECONDS) : options.seconds;
  const base = { arm, events, destinationsPerEvent, seconds };
  const { tags, tagged } = tagVideoFrames(source.tags);
  const isKey = new Uint8Array(tagged);
  for (const tag of tags) {
    const sequence = tag.type === 9 ? readLatencyTag(tag.data) : -1;
    if (sequence >= 0 && tag.data[0]! >> 4 === 1) isKey[sequence] = 1;
  }
  const sentAt = Array.from({ length: events }, () => new Float64Array(tagged).fill(Number.NaN));
  let sink: LatencySink | undefined;
  let relay: RelayUnderTest | undefined;
  const publishers: PacedPublisher[] = [];
  try {
    sink = await startLatencySink();
    const appUrl = sink.appUrl;
    if (arm !== 'direct') {
      relay = await startArm(arm, { events, destinationsPerEvent, target: (e, d) => ({ appUrl, streamName: destinationName(e, d) }) }, { ...options.arm, queueMediaMs: 2000, queueBytes: DEFAULT_QUEUE_BYTES });
    }
    for (let e = 0; e < events; e++) {
      const ingest = relay?.ingest(e) ?? { appUrl, streamName: destinationName(0, 0) };
      const times = sentAt[e]!;
      publishers.push(
        await startPacedPublisher({
          url: ingest.appUrl, streamName: ingest.streamName, tags, headerCount: source.headerCount, speed: 1, mediaMs: (options.warmupSeconds + seconds) * 1000,
          beforeVideoWrite: (tag) => {
            const sequence = readLatencyTag(tag.data);
            if (sequence >= 0) times[sequence] = monotonicMs();
          },
        }),
      );
    }
    const live = sink.live;
    const total = events * destinationsPerEvent;
    await waitFor(() => live.size >= total, 30_000, () => `${total} destinations live (have ${live.size}); relay: ${relay?.tail() ?? ''}`);
    await sleep(500);
    const pid = relay?.pid ?? sink.pid;
    const rssIdleMb = memorySample(pid).rssMb;
    let cpuStart = cpuSample(pid);
    let measuredFrom = Number.POSITIVE_INFINITY;
    let startedAt = performance.now();
    const ownPids = (): number[] => [pid, sink?.pid ?? pid, process.pid].filter((p, i, all) => all.indexOf(p) === i);
    let foreign = startForeignCpuWatch(ownPids);
    const warmup = setTimeout(() => {
      foreign = startForeignCpuWatch(ownPids);
      cpuStart = cpuSample(pid);
      startedAt = performance.now();
      measuredFrom = monotonicMs();
    }, options.warmupSeconds * 1000);
    await Promise.all(publishers.map((publisher) => publisher.run()));
    await sleep(1000); // the last frames reach the sinks
    clearTimeout(warmup);
    const cpuEnd = cpuSample(pid);
    const foreignCpuPct = foreign();
    const windowMs = performance.now() - startedAt;
    const memory = memorySample(pid);
    const result = await sink.stop();
    sink = undefined;
    const latencies: number[] = [];
    const inter: number[] = [];
    for (const [nameIndex, sequence, arrivedAt] of result.arrivals) {
      const event = Number(/^e(\d+)d/.exec(result.names[nameIndex] ?? '')?.[1] ?? -1);
      const sent = sentAt[event]?.[sequence];
      if (sent === undefined || Number.isNaN(sent) || sent < measuredFrom) continue;
      latencies.push(arrivedAt - sent);
      if (isKey[sequence] === 0) inter.push(arrivedAt - sent);
    }
    const sentTagged = sentAt.reduce((sum, times) => sum + times.filter((t) => t >= measuredFrom).length, 0);
    return {
      ...base, ok: true, error: null,
      cpuPct: ((cpuEnd.schedMs - cpuStart.schedMs) / windowMs) * 100,
      rssMb: memory.rssMb,
      peakRssMb: memory.peakRssMb,
      rssIdleMb,
      latencyP50Ms: quantile(latencies, 0.5),
      latencyP99Ms: quantile(latencies, 0.99),
      latencyP99InterMs: quantile(inter, 0.99),
      latencyMaxMs: latencies.reduce((max, v) => Math.max(max, v), Number.NEGATIVE_INFINITY),
      delivered: latencies.length / (sentTagged * destinationsPerEvent),
      foreignCpuPct,
    };
  } catch (error) {
    return { ...base, ...NO_NUMBERS, ok: false, error: ((error as Error).message ?? String(error)).split('\n').slice(0, 6).join(' | ') };
  } finally {
    for (const publisher of publishers) await publisher.finish().catch(() => undefined);
    await relay?.stop().catch(() => undefined);
    await sink?.stop().catch(() => undefined);
  }
}

export async function runRealtime(source: SourceStream, options: RealtimeOptions): Promise<RealtimeRun[]> {
  const runs: RealtimeRun[] = [];
  for (const arm of ['direct', ...options.arms] as const) {
    if (options.quietWaitMs > 0) await waitForQuietMachine(QUIET_FOREIGN_PCT, options.quietWaitMs);
    const run = await runRealtimeOnce(source, arm, options);
    runs.push(run);
    const label = arm === 'direct' ? 'direct (no relay)' : ARM_LABELS[arm];
    options.log(
      run.ok
        ? `realtime ${run.events}×${run.destinationsPerEvent} ${label}: CPU ${run.cpuPct.toFixed(1)} %, RSS ${run.rssMb.toFixed(0)} MB, latency p50 ${run.latencyP50Ms.toFixed(2)} ms p99 ${run.latencyP99Ms.toFixed(2)} ms (inter frames ${run.latencyP99InterMs.toFixed(2)}), delivered ${(run.delivered * 100).toFixed(2)} %, other processes ${run.foreignCpuPct.toFixed(0)} % CPU`
        : `realtime ${label}: FAILED ${run.error}`,
    );
  }
  return runs;
}
