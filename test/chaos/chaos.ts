// `npm run chaos -- [--minutes 5] [--seed N]`
//
// Issue 8/8: one ingest (ffmpeg), 8 destinations on real sinks, faults injected at random for N
// minutes — a raw sink killed and restarted on its port, the nginx sink of one destination frozen
// with SIGSTOP/SIGCONT (shorter or longer than the stall timeout), a failover destination whose
// primary is a closed port, and the encoder dropped and restored within and beyond the grace.
// Afterwards every recording of every live period must decode, start on a keyframe and have
// monotonic timestamps, and the reconnect, failover and drop counts of GET /status and /metrics
// must match the faults injected. Prints a JSON summary and Markdown; exits 1 on any problem and then
// keeps its temporary directory (recordings, verdicts, the relay's log) for a post-mortem.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AdminClient } from '../helpers/admin-client.js';
import { startFfmpegPublisher, type FfmpegPublisher } from '../helpers/ffmpeg.js';
import { freePort } from '../helpers/ports.js';
import { startRelayServer, type RelayServer } from '../helpers/relay-server.js';
import { orTimeout, sleep } from '../helpers/rtmp-publisher.js';
import { makeTmpDir } from '../helpers/tmp.js';
import { argOf, machine, peakRssMb } from '../soak/process-stats.js';
import { NginxHost, RawSlot } from './fleet.js';
import { markdown, type ChaosSummary, type DestinationReport, type FaultRecord } from './report.js';
import { verifyRawPublish, verifyRecordingFile, type RecordingVerdict } from './verify.js';

const minutes = argOf('minutes', 5, Number);
const seed = argOf('seed', Date.now() % 1_000_000, Number);
const GRACE_S = 5;
const STALL_S = 6;

/** mulberry32: a small seeded PRNG, so a run can be repeated with --seed. */
function prng(state: number): () => number {
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = prng(seed);
const between = (low: number, high: number): number => Math.round(low + random() * (high - low));

interface Destination {
  readonly name: string;
  readonly kind: 'nginx' | 'raw' | 'failover';
  readonly id: string;
  readonly raw?: RawSlot;
  readonly nginx?: { readonly host: NginxHost; readonly app: string; readonly key: string };
  reconnects: number;
  dropped: number;
  faults: number;
  /** Faults after which this destination must have reconnected. */
  reconnectFaults: number;
}

interface DestinationStatusJson {
  id: string;
  state: string;
  activeUrl: string | null;
  reconnects: number;
  droppedFrames: number;
}

class Encoder {
  private ffmpeg: FfmpegPublisher | null = null;
  constructor(private readonly url: string) {}
  start(): void {
    this.ffmpeg = startFfmpegPublisher({ url: this.url, size: '426x240' });
  }
  /** The encoder's network goes: killed, no clean unpublish. */
  async drop(): Promise<void> {
    await this.ffmpeg?.process.stop({ signal: 'SIGKILL', graceMs: 1000 });
  }
  async stop(): Promise<void> {
    await this.ffmpeg?.stop();
  }
}

async function main(): Promise<number> {
  const tmp = await makeTmpDir('rtmp-relay-chaos-');
  const archiveDir = join(tmp.path, 'archive');
  await mkdir(archiveDir);
  const server: RelayServer = await startRelayServer(null, ['--publish-grace', String(GRACE_S), '--stall-timeout', String(STALL_S), '--log-level', 'info']);
  const api = AdminClient.of(server);
  const steadyHost = await NginxHost.start('steady', ['a', 'b'], archiveDir);
  const frozenHost = await NginxHost.start('frozen', ['live'], archiveDir);
  const raws = await Promise.all([1, 2, 3, 4].map((i) => RawSlot.start(`raw-${i}`, `key-raw-${i}`)));
  const secondary = await RawSlot.start('failover-secondary', 'key-failover');
  const closedPort = await freePort(); // nothing listens here: the failover primary never answers
  const event = await api.createEvent({ name: 'Chaos' });
  const destinations: Destination[] = [];
  const add = async (name: string, kind: Destination['kind'], fields: Record<string, unknown>, extra: Partial<Destination>): Promise<void> => {
    const created = await api.createDestination(event.id, { systemName: name, ...fields });
    destinations.push({ name, kind, id: created.id, reconnects: 0, dropped: 0, faults: 0, reconnectFaults: 0, ...extra });
  };
  for (const [app, key] of [['a', 'key-nginx-a'], ['b', 'key-nginx-b']] as const) {
    await add(`nginx-${app}`, 'nginx', { primaryUrl: steadyHost.sink.rtmpUrl(app), streamKey: key }, { nginx: { host: steadyHost, app, key } });
  }
  await add('nginx-frozen', 'nginx', { primaryUrl: frozenHost.sink.rtmpUrl('live'), streamKey: 'key-frozen' }, { nginx: { host: frozenHost, app: 'live', key: 'key-frozen' } });
  for (const slot of raws) await add(slot.name, 'raw', { primaryUrl: slot.url, streamKey: slot.streamKey }, { raw: slot });
  await add('failover', 'failover', { primaryUrl: `rtmp://127.0.0.1:${closedPort}/live`, secondaryUrl: secondary.url, secondaryMode: 'failover', streamKey: secondary.streamKey }, { raw: secondary });
  const byName = (name: string): Destination => destinations.find((d) => d.name === name)!;

  const problems: string[] = [];
  const faults: FaultRecord[] = [];
  const started = Date.now();
  const encoder = new Encoder(`${server.rtmpUrl}/${event.ingestKey}`);
  let periods = 1;

  const status = async (): Promise<DestinationStatusJson[]> =>
    ((await api.get(`/api/events/${event.id}/status`)).body as { destinations: DestinationStatusJson[] }).destinations;
  const steady = async (after: string): Promise<void> => {
    const deadline = Date.now() + 90_000;
    for (;;) {
      const all = await status();
      const failover = all.find((d) => d.id === byName('failover').id);
      if (all.every((d) => d.state === 'live') && failover?.activeUrl === 'secondary') return;
      if (Date.now() > deadline) {
        problems.push(`not every destination live 90 s after ${after}: ${all.map((d) => `${d.state}/${d.activeUrl}`).join(' ')}`);
        return;
      }
      await sleep(250);
    }
  };
  /**
   * Adds the current push counters to the totals (a new live period starts them from 0) and checks
   * /metrics agrees: its counters never go back, so they are the totals over every period so far.
   */
  const closePeriod = async (): Promise<void> => {
    const [all, metrics] = await Promise.all([status(), api.get('/metrics').then((r) => r.text)]);
    for (const d of destinations) {
      const s = all.find((x) => x.id === d.id);
      if (!s) continue;
      d.reconnects += s.reconnects;
      d.dropped += s.droppedFrames;
      for (const [family, value] of [['reconnects', d.reconnects], ['dropped_frames', d.dropped]] as const) {
        const match = new RegExp(`^rtmp_relay_destination_${family}_total\\{[^}]*destination="${d.id}"[^}]*\\} (\\d+)$`, 'm').exec(metrics);
        if (Number(match?.[1]) !== value) problems.push(`${d.name}: /metrics ${family} ${match?.[1]} but /status ${value} over the periods so far`);
      }
    }
  };
  const publishCounts = (): number[] => destinations.map((d) => (d.raw ? d.raw.publishes().length : d.nginx!.host.count('publish', d.nginx!.key)));
  const waitAllEnded = async (doneBefore: readonly number[]): Promise<void> => {
    await Promise.all(
      destinations.map((d, i) =>
        d.raw
          ? orTimeout(d.raw.latest()!.ended, GRACE_S * 1000 + 20_000, `${d.name} ends`)
          : (async () => {
              const deadline = Date.now() + GRACE_S * 1000 + 20_000;
              while (d.nginx!.host.count('publish_done', d.nginx!.key) <= doneBefore[i]!) {
                if (Date.now() > deadline) throw new Error(`${d.name}: no publish_done`);
                await sleep(100);
              }
            })(),
      ),
    );
  };
  const doneCounts = (): number[] => destinations.map((d) => (d.nginx ? d.nginx.host.count('publish_done', d.nginx.key) : 0));
  const record = (kind: FaultRecord['kind'], target: string, durationMs: number, note: string, at: number): void => {
    faults.push({ kind, atS: Math.round((at - started) / 100) / 10, target, durationMs, note });
  };

  const injectors: Record<FaultRecord['kind'], () => Promise<void>> = {
    kill: async () => {
      const slot = raws[between(0, raws.length - 1)]!;
      const destination = byName(slot.name);
      const at = Date.now();
      const before = slot.publishes().length;
      await slot.kill();
      const down = between(1000, 6000);
      await sleep(down);
      await slot.restart();
      const restartedAt = Date.now();
      await slot.waitForPublishNumber(before, 60_000);
      destination.faults++;
      destination.reconnectFaults++;
      record('kill', slot.name, down, `publishing again ${Date.now() - restartedAt} ms after the restart`, at);
    },
    stop: async () => {
      const destination = byName('nginx-frozen');
      // Alternating, so every run with two stops has both: shorter and longer than the stall timeout.
      const long = destination.faults % 2 === 1;
      const frozen = long ? between((STALL_S + 3) * 1000, (STALL_S + 6) * 1000) : between(2000, 3500);
      const at = Date.now();
      process.kill(frozenHost.pid, 'SIGSTOP');
      await sleep(frozen);
      process.kill(frozenHost.pid, 'SIGCONT');
      destination.faults++;
      if (long) destination.reconnectFaults++;
      record('stop', destination.name, frozen, long ? 'longer than the stall timeout: a reconnect is due' : 'shorter than the stall timeout: no reconnect', at);
    },
    'within-grace': async () => {
      const before = publishCounts();
      const at = Date.now();
      await encoder.drop();
      const away = between(1000, 2000); // + ffmpeg's start: back well within the grace
      await sleep(away);
      encoder.start();
      await steady('the encoder came back within the grace');
      await sleep(2000);
      const after = publishCounts();
      if (after.some((n, i) => n !== before[i])) problems.push(`a destination re-published after a drop within the grace: ${before} → ${after}`);
      record('within-grace', 'encoder', away, 'destinations stayed connected', at);
    },
    'beyond-grace': async () => {
      await closePeriod();
      const done = doneCounts();
      const at = Date.now();
      await encoder.drop();
      await waitAllEnded(done);
      await sleep(1000);
      encoder.start();
      periods++;
      record('beyond-grace', 'encoder', Date.now() - at, 'every destination ended, then a new live period', at);
    },
  };

  encoder.start();
  await steady('the first publish');
  const bag: Array<FaultRecord['kind']> = [];
  while (Date.now() - started < minutes * 60_000) {
    if (bag.length === 0) {
      bag.push('kill', 'kill', 'kill', 'stop', 'within-grace', 'beyond-grace');
      bag.sort(() => random() - 0.5);
    }
    const kind = bag.pop()!;
    try {
      await injectors[kind]();
    } catch (error) {
      problems.push(`${kind}: ${(error as Error).message}`);
    }
    await steady(kind);
    await sleep(between(2000, 6000));
  }

  await closePeriod();
  const done = doneCounts();
  await encoder.stop();
  await waitAllEnded(done).catch((error: Error) => problems.push(`the end: ${error.message}`));
  const serverPeakRssMb = Math.round(peakRssMb(server.process.pid) * 10) / 10;
  const logs = server.logs();
  const logged = (msg: string): number => logs.filter((l) => l['msg'] === msg).length;
  const within = faults.filter((f) => f.kind === 'within-grace').length;
  const beyond = faults.filter((f) => f.kind === 'beyond-grace').length;
  const encoderCounts = {
    'publishes started': { expected: periods, logged: logged('publish started') },
    'drops (publisher gone, grace starts)': { expected: within + beyond + 1, logged: logged('publisher gone; destinations wait for the grace') },
    'returns within the grace': { expected: within, logged: logged('publisher returned within the grace') },
    'publishes ended (after the grace)': { expected: periods, logged: logged('publish ended') },
  };
  for (const [what, c] of Object.entries(encoderCounts)) if (c.expected !== c.logged) problems.push(`encoder ${what}: expected ${c.expected}, logged ${c.logged}`);

  const verdictDir = join(tmp.path, 'verdicts');
  await mkdir(verdictDir);
  const reports: DestinationReport[] = [];
  for (const d of destinations) {
    const recordings: RecordingVerdict[] = [];
    let publishes: number;
    if (d.raw) {
      const all = d.raw.publishes();
      publishes = all.length;
      for (const [i, publish] of all.entries()) recordings.push(await verifyRawPublish(verdictDir, `${d.name} period ${i + 1}`, publish));
    } else {
      const { host, app, key } = d.nginx!;
      publishes = host.count('publish', key);
      for (const [i, path] of host.finish(app, key).entries()) recordings.push(await verifyRecordingFile(`${d.name} period ${i + 1}`, path));
    }
    const own: string[] = [];
    const expectedPublishes = periods + d.reconnectFaults;
    if (publishes !== expectedPublishes) own.push(`${publishes} publishes, expected ${expectedPublishes}`);
    if (recordings.length !== publishes) own.push(`${recordings.length} recordings for ${publishes} publishes`);
    let expectedReconnects: string;
    if (d.kind === 'failover') {
      expectedReconnects = `${periods} (one failover per period)`;
      if (d.reconnects !== periods) own.push(`reconnects ${d.reconnects}, expected ${periods}`);
    } else if (d.reconnectFaults === 0) {
      expectedReconnects = '0';
      if (d.reconnects !== 0) own.push(`reconnects ${d.reconnects}, expected 0`);
    } else {
      expectedReconnects = `≥ ${d.reconnectFaults} (retries while down)`;
      if (d.reconnects < d.reconnectFaults) own.push(`reconnects ${d.reconnects}, expected at least ${d.reconnectFaults}`);
    }
    const frozen = d.name === 'nginx-frozen' && d.faults > 0;
    if (!frozen && d.dropped !== 0) own.push(`dropped ${d.dropped} frames without a stall`);
    reports.push({
      name: d.name, kind: d.kind, faults: d.faults, expectedPublishes, publishes, reconnects: d.reconnects, expectedReconnects,
      droppedFrames: d.dropped, expectedDropped: frozen ? 'any (frozen sink)' : '0', recordings, problems: own,
    });
  }
  const faultCounts: Record<string, number> = {};
  for (const f of faults) faultCounts[f.kind] = (faultCounts[f.kind] ?? 0) + 1;
  const ok = problems.length === 0 && reports.every((r) => r.problems.length === 0 && r.recordings.every((v) => v.problems.length === 0));
  const summary: ChaosSummary = {
    campaign: 'chaos', machine: machine(), seed, minutes, graceS: GRACE_S, stallTimeoutS: STALL_S, livePeriods: periods,
    faults, faultCounts, encoder: encoderCounts, destinations: reports, serverPeakRssMb, problems, ok,
  };
  await server.stop();
  await Promise.all([steadyHost.stop(), frozenHost.stop(), ...raws.map((r) => r.stop()), secondary.stop()]);
  if (ok) {
    await tmp.remove();
  } else {
    // A failure is rare and depends on fault timing: keep the evidence (recordings, verdicts, the
    // relay's log) rather than ask for a rerun that may pass.
    await writeFile(join(tmp.path, 'relay-log.jsonl'), logs.map((line) => JSON.stringify(line)).join('\n'));
    await writeFile(join(tmp.path, 'summary.json'), JSON.stringify(summary, null, 2));
    process.stderr.write(`chaos: problems found; recordings, verdicts and the relay's log kept in ${tmp.path}\n`);
  }
  process.stdout.write(`${JSON.stringify(summary, null, 2)}\n\n${markdown(summary)}\n`);
  return ok ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`chaos failed: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(2);
  },
);
