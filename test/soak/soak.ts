// `npm run soak -- [--minutes 10] [--events 20] [--destinations 4] [--warmup-s 180]`
//
// Issue 8/8: the relay at steady load for a long time. EVENTS events, each published in real time
// by our raw publisher (a pre-made FLV looped with continuous timestamps), each relayed to
// DESTINATIONS raw counting sinks. The server's RSS is sampled every second: after the warm-up it
// may not drift by more than 5 MB (the queues are bounded, so nothing should grow), and once every
// stream has ended its open descriptors return to the baseline taken before the first publish.
// Prints a JSON summary and a Markdown table; exits 1 when a check fails.
import { join } from 'node:path';
import type { FlvTag } from '../helpers/flv-tags.js';
import { startRelayServer } from '../helpers/relay-server.js';
import { makeSampleFlv, orTimeout, sleep } from '../helpers/rtmp-publisher.js';
import { makeTmpDir } from '../helpers/tmp.js';
import { adminCall, adminOk } from './admin-http.js';
import { startCountingSink, type CountingSink } from './counting-sink.js';
import { startLoopingPublisher, type LoopingPublisher } from './looping-publisher.js';
import { argOf, fdCount, fdKinds, machine, median, peakRssMb, rssMb, slope } from './process-stats.js';

const minutes = argOf('minutes', 10, Number);
const eventCount = argOf('events', 20, Number);
const destinationCount = argOf('destinations', 4, Number);
const runMs = minutes * 60_000;
// The server's RSS climbs to its plateau during the first two or three major GCs (about 130 s at
// 20 × 4 on a 2-core machine, while the JS heap itself stays flat): the warm-up covers that. A run
// needs the warm-up plus two minutes to judge drift; a shorter one reports it without judging.
const warmupMs = argOf('warmup-s', minutes >= 5 ? 180 : minutes * 60 * 0.3, Number) * 1000;
const driftJudgeable = warmupMs >= 150_000 && runMs - warmupMs >= 120_000;
const DRIFT_BOUND_MB = 5;

interface StatusJson {
  ingest: { state: string };
  destinations: Array<{ state: string; reconnects: number; droppedFrames: number }>;
}

async function main(): Promise<number> {
  const tmp = await makeTmpDir('rtmp-relay-soak-');
  const tags: readonly FlvTag[] = await makeSampleFlv(join(tmp.path, 'sample.flv'), { seconds: 10, size: '320x240' });
  const server = await startRelayServer(null, ['--publish-grace', '2', '--log-level', 'info', '--max-connections', String(eventCount * 2 + 50)]);
  const pid = server.process.pid;
  const sinks: CountingSink[] = [];
  for (let d = 0; d < destinationCount; d++) sinks.push(await startCountingSink());
  const events: Array<{ id: string; ingestKey: string }> = [];
  for (let e = 0; e < eventCount; e++) {
    const event = await adminOk<{ id: string; ingestKey: string }>(server, 'POST', '/api/events', { name: `Soak ${e}` });
    for (const [d, sink] of sinks.entries()) {
      await adminOk(server, 'POST', `/api/events/${event.id}/destinations`, { systemName: `sink ${d}`, primaryUrl: sink.url('live'), streamKey: `soak-e${e}-d${d}` });
    }
    events.push(event);
  }
  await sleep(1000);
  const baseline = { fds: fdCount(pid), kinds: fdKinds(pid), rssMb: rssMb(pid) };

  const started = Date.now();
  const publishers: LoopingPublisher[] = [];
  for (const event of events) publishers.push(await startLoopingPublisher(server.rtmpUrl, event.ingestKey, tags));
  const samples: Array<[number, number]> = [];
  let peakFds = baseline.fds;
  const sampler = setInterval(() => {
    samples.push([(Date.now() - started) / 1000, rssMb(pid)]);
    peakFds = Math.max(peakFds, fdCount(pid));
  }, 1000);
  // Every 10 s, the server's own view (its process metrics): is it the JS heap that moves?
  const timeline: Array<{ t: number; rssMb: number; heapUsedMb: number; externalMb: number }> = [];
  const scraper = setInterval(() => {
    void adminCall(server, 'GET', '/metrics').then((response) => {
      const metric = (name: string): number => Number(new RegExp(`^rtmp_relay_${name} (\\S+)$`, 'm').exec(response.text)?.[1] ?? NaN) / 1048576;
      timeline.push({ t: Math.round((Date.now() - started) / 1000), rssMb: round(rssMb(pid)), heapUsedMb: round(metric('nodejs_heap_size_used_bytes')), externalMb: round(metric('nodejs_external_memory_bytes')) });
    }, () => undefined);
  }, 10_000);
  await sleep(runMs);
  clearInterval(sampler);
  clearInterval(scraper);

  const statuses = await Promise.all(events.map((event) => adminOk<StatusJson>(server, 'GET', `/api/events/${event.id}/status`)));
  const destinations = statuses.flatMap((s) => s.destinations);
  const streamingSentFrames = publishers.reduce((sum, p) => sum + p.videoFramesSent(), 0);
  await Promise.all(publishers.map((p) => orTimeout(p.stop(), 15_000, 'a publisher to end')));
  const endedAt = Date.now();

  // Every stream ended: after the grace every push ends, then the descriptors should be back.
  let fdsAfter = fdCount(pid);
  while (fdsAfter !== baseline.fds && Date.now() - endedAt < 30_000) {
    await sleep(500);
    fdsAfter = fdCount(pid);
  }
  const fdsReturnedAfterS = (Date.now() - endedAt) / 1000;
  const kindsAfter = fdKinds(pid);
  const publishes = sinks.flatMap((sink) => sink.publishes);
  const sinkFrames = publishes.reduce((sum, p) => sum + p.videoFrames, 0);
  const sentBy = (streamName: string): number => publishers[Number(/^soak-e(\d+)-d\d+$/.exec(streamName)?.[1] ?? -1)]?.videoFramesSent() ?? -1;

  const steady = samples.filter(([t]) => t * 1000 >= warmupMs);
  const firstMinute = steady.filter(([t]) => t * 1000 < warmupMs + 60_000).map(([, mb]) => mb);
  const lastMinute = steady.filter(([t]) => t * 1000 >= runMs - 60_000).map(([, mb]) => mb);
  const driftMb = median(lastMinute) - median(firstMinute);
  const slopeMbPerMin = slope(steady) * 60;
  const checks = {
    ...(driftJudgeable ? { rssDriftUnder5Mb: Math.abs(driftMb) < DRIFT_BOUND_MB } : {}),
    fdsBackToBaseline: fdsAfter === baseline.fds,
    everyDestinationLiveAtTheEnd: destinations.length === eventCount * destinationCount && destinations.every((d) => d.state === 'live'),
    noReconnectsNoDrops: destinations.every((d) => d.reconnects === 0 && d.droppedFrames === 0),
    onePublishPerDestination: publishes.length === eventCount * destinationCount,
    everyFrameArrived: publishes.every((p) => p.videoFrames === sentBy(p.streamName)),
    everyPublishStartedOnAKeyframe: publishes.every((p) => p.startedOnKeyframe === true),
    timestampsNeverWentBack: publishes.every((p) => p.timestampRegressions === 0),
    everyPublishEnded: publishes.every((p) => p.ended),
    serverStillRunning: !server.process.hasExited(),
  };
  const summary = {
    campaign: 'soak',
    machine: machine(),
    minutes,
    events: eventCount,
    destinationsPerEvent: destinationCount,
    warmupS: warmupMs / 1000,
    driftJudgeable,
    rssMb: {
      baseline: round(baseline.rssMb),
      afterWarmupMedian: round(median(firstMinute)),
      lastMinuteMedian: round(median(lastMinute)),
      driftMb: round(driftMb),
      slopeMbPerMinute: round(slopeMbPerMin, 3),
      min: round(Math.min(...steady.map(([, mb]) => mb))),
      max: round(Math.max(...steady.map(([, mb]) => mb))),
      peakVmHwm: round(peakRssMb(pid)),
    },
    heapUsedMb: {
      afterWarmupMedian: round(median(timeline.filter((p) => p.t * 1000 >= warmupMs && p.t * 1000 < warmupMs + 60_000).map((p) => p.heapUsedMb))),
      lastMinuteMedian: round(median(timeline.filter((p) => p.t * 1000 >= runMs - 60_000).map((p) => p.heapUsedMb))),
    },
    timeline,
    fds: { baseline: baseline.fds, peak: peakFds, afterEnd: fdsAfter, returnedAfterS: round(fdsReturnedAfterS), baselineKinds: baseline.kinds, afterKinds: kindsAfter },
    frames: { sentWhileMeasured: streamingSentFrames, sentTotal: publishers.reduce((sum, p) => sum + p.videoFramesSent(), 0), receivedBySinksTotal: sinkFrames, sinkPublishes: publishes.length },
    ingestKbpsAllEvents: round(publishes.reduce((sum, p) => sum + p.bytes, 0) * 8 / destinationCount / ((endedAt - started) / 1000) / 1000),
    checks,
    ok: Object.values(checks).every(Boolean),
  };
  await server.stop();
  await Promise.all(sinks.map((sink) => sink.stop()));
  await tmp.remove();
  process.stdout.write(`${JSON.stringify(summary, null, 2)}\n\n${markdown(summary)}\n`);
  return summary.ok ? 0 : 1;
}

function round(value: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

function markdown(s: { machine: ReturnType<typeof machine>; minutes: number; driftJudgeable: boolean; events: number; destinationsPerEvent: number; rssMb: Record<string, number>; heapUsedMb: Record<string, number>; fds: { baseline: number; peak: number; afterEnd: number }; checks: Record<string, boolean>; ok: boolean }): string {
  const rows = [
    `| soak | ${s.minutes} min, ${s.events} events × ${s.destinationsPerEvent} destinations |`,
    '|---|---|',
    `| machine | ${s.machine.nproc} × ${s.machine.cpuModel}, Node ${s.machine.node} |`,
    `| server RSS after warm-up (median, first minute) | ${s.rssMb['afterWarmupMedian']} MB |`,
    `| server RSS, last minute (median) | ${s.rssMb['lastMinuteMedian']} MB |`,
    `| drift | ${s.rssMb['driftMb']} MB (bound ${DRIFT_BOUND_MB} MB); slope ${s.rssMb['slopeMbPerMinute']} MB/min${s.driftJudgeable ? '' : ' — not judged: that needs a warm-up of at least 150 s and 2 min after it'} |`,
    `| JS heap used, after warm-up → last minute (medians) | ${s.heapUsedMb['afterWarmupMedian']} → ${s.heapUsedMb['lastMinuteMedian']} MB |`,
    `| RSS range after warm-up / peak (VmHWM) | ${s.rssMb['min']}–${s.rssMb['max']} MB / ${s.rssMb['peakVmHwm']} MB |`,
    `| open fds: baseline / peak / after all streams ended | ${s.fds.baseline} / ${s.fds.peak} / ${s.fds.afterEnd} |`,
    ...Object.entries(s.checks).map(([name, ok]) => `| ${name} | ${ok ? 'pass' : 'FAIL'} |`),
    `| result | ${s.ok ? 'pass' : 'FAIL'} |`,
  ];
  return rows.join('\n');
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`soak failed: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(2);
  },
);
