// `npm run bench`: micro-benchmarks, the fan-out comparison with node-media-server and nginx-rtmp,
// and the realtime latency run; results as JSON plus a Markdown report in bench/results/.
//
//   node build-test/bench/run.js [--quick] [--rounds 5] [--n 1,4,16,64] [--arms ours,nms,nginx,copier]
//     [--only micro,fanout,realtime] [--speed 10] [--warmup 20] [--warmup-publishes 2] [--quiet-wait 5] [--realtime-events 1] [--realtime-destinations 16]
//     [--realtime-seconds 60] [--micro-time 500] [--ours-harness] [--cpu-prof DIR] [--out DIR] [--tmp-dir DIR]
import { spawnSync } from 'node:child_process';
import { accessSync, constants, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createRequire } from 'node:module';
import { ARM_NAMES, type ArmName } from './arms.js';
import { runFanout, type FanoutRun } from './fanout.js';
import { runMicro, type MicroResult } from './micro.js';
import { machineInfo } from './proc-stats.js';
import { runRealtime, type RealtimeRun } from './realtime.js';
import { renderMarkdown, type BenchResults } from './report.js';
import { defaultCacheDir, ensureSourceFlv, loadSource } from './source-media.js';

const HERE = dirname(fileURLToPath(import.meta.url));
/** build-test/bench → the repository root. */
const ROOT = resolve(HERE, '..', '..');
const PARTS = ['micro', 'fanout', 'realtime'] as const;

function list(value: string | undefined, fallback: readonly string[]): string[] {
  return value === undefined ? [...fallback] : value.split(',').map((s) => s.trim()).filter((s) => s !== '');
}

function positiveInt(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer, got ${value}`);
  return n;
}

function log(line: string): void {
  process.stdout.write(`[${new Date().toISOString().slice(11, 19)}] ${line}\n`);
}

function version(command: string, args: string[], pattern: RegExp): string {
  const result = spawnSync(command, args, { encoding: 'utf8' });
  return pattern.exec(`${result.stdout ?? ''}${result.stderr ?? ''}`)?.[0] ?? 'unknown';
}

/** Recordings of 64 sinks are gigabytes: keep temp files in memory (tmpfs) when the machine has one. */
function chooseTmpDir(requested: string | undefined): string | null {
  const candidates = requested === undefined ? ['/dev/shm'] : [requested];
  for (const dir of candidates) {
    try {
      accessSync(dir, constants.W_OK);
      return mkdtempSync(join(dir, 'rtmp-relay-bench-'));
    } catch {
      // not writable: fall back to the OS temp dir
    }
  }
  return null;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      rounds: { type: 'string' },
      n: { type: 'string' },
      arms: { type: 'string' },
      only: { type: 'string' },
      speed: { type: 'string' },
      warmup: { type: 'string' },
      'warmup-publishes': { type: 'string' },
      'quiet-wait': { type: 'string' },
      'realtime-events': { type: 'string' },
      'realtime-destinations': { type: 'string' },
      'realtime-seconds': { type: 'string' },
      'micro-time': { type: 'string' },
      'ours-harness': { type: 'boolean', default: false },
      'cpu-prof': { type: 'string' },
      out: { type: 'string' },
      'tmp-dir': { type: 'string' },
    },
  });
  const quick = values.quick === true;
  const parts = list(values.only, PARTS);
  for (const part of parts) if (!(PARTS as readonly string[]).includes(part)) throw new Error(`--only: unknown part ${part}`);
  const arms = list(values.arms, ARM_NAMES) as ArmName[];
  for (const arm of arms) if (!(ARM_NAMES as readonly string[]).includes(arm)) throw new Error(`--arms: unknown relay ${arm}`);
  const counts = list(values.n, quick ? ['1', '4', '16'] : ['1', '4', '16', '64']).map((n) => positiveInt('n', n, 1));
  const rounds = positiveInt('rounds', values.rounds, quick ? 1 : 5);
  const speed = positiveInt('speed', values.speed, 10);
  const quietWaitMs = values['quiet-wait'] === '0' ? 0 : positiveInt('quiet-wait', values['quiet-wait'], 5) * 1000;
  const warmupMediaMs = values.warmup === '0' ? 0 : positiveInt('warmup', values.warmup, 20) * 1000;
  const warmupPublishes = positiveInt('warmup-publishes', values['warmup-publishes'], 2);
  const realtimeEvents = positiveInt('realtime-events', values['realtime-events'], 1);
  const realtimeDestinations = positiveInt('realtime-destinations', values['realtime-destinations'], 16);
  const realtimeSeconds = positiveInt('realtime-seconds', values['realtime-seconds'], quick ? 10 : 60);
  const microTime = positiveInt('micro-time', values['micro-time'], quick ? 200 : 500);
  const cpuProfileDir = values['cpu-prof'] === undefined ? undefined : resolve(values['cpu-prof']);
  if (cpuProfileDir !== undefined) mkdirSync(cpuProfileDir, { recursive: true });
  const armOptions = { ...(cpuProfileDir ? { cpuProfileDir } : {}), oursHarness: values['ours-harness'] === true };
  const outDir = resolve(values.out ?? join(ROOT, 'bench', 'results'));

  const tmp = chooseTmpDir(values['tmp-dir']);
  if (tmp !== null) process.env['TMPDIR'] = tmp; // test/helpers/tmp.ts makes its dirs under os.tmpdir()
  const startedAt = new Date().toISOString();
  const machine = {
    ...machineInfo(),
    node: process.version,
    nginx: version('/usr/sbin/nginx', ['-v'], /nginx\/[\d.]+/),
    nms: (JSON.parse(readFileSync(createRequire(import.meta.url).resolve('node-media-server/package.json'), 'utf8')) as { version: string }).version,
  };
  log(`machine: ${machine.cpuModel}, nproc ${machine.nproc}; temp files in ${tmp ?? 'the OS temp dir'}`);

  const sourcePath = await ensureSourceFlv(defaultCacheDir(), log);
  const source = await loadSource(sourcePath);
  log(`source: ${sourcePath}, ${(source.mediaBytes / 1e6).toFixed(1)} MB, ${(source.durationMs / 1000).toFixed(1)} s`);

  let micro: MicroResult[] = [];
  let fanout: FanoutRun[] = [];
  let realtime: RealtimeRun[] = [];
  try {
    if (parts.includes('micro')) micro = await runMicro(source, { timeMs: microTime, log });
    if (parts.includes('fanout')) fanout = await runFanout(source, { arms, destinationCounts: counts, rounds, speed, warmupMediaMs, warmupPublishes, quietWaitMs, arm: armOptions, log });
    if (parts.includes('realtime')) {
      realtime = await runRealtime(source, {
        arms, events: realtimeEvents, destinationsPerEvent: realtimeDestinations, seconds: realtimeSeconds, warmupSeconds: quick ? 3 : 4, quietWaitMs, arm: armOptions, log,
      });
    }
  } finally {
    if (tmp !== null) rmSync(tmp, { recursive: true, force: true });
  }

  const results: BenchResults = {
    startedAt,
    finishedAt: new Date().toISOString(),
    machine,
    options: { quick, rounds, destinationCounts: counts, arms, parts, speed, warmupMediaMs, warmupPublishes, quietWaitMs, realtimeEvents, realtimeDestinations, realtimeSeconds, oursHarness: armOptions.oursHarness },
    source: {
      path: sourcePath,
      mediaBytes: source.mediaBytes,
      durationMs: source.durationMs,
      videoFrames: source.video.payloads.length,
      audioFrames: source.audio.payloads.length,
    },
    micro,
    fanout,
    realtime,
  };
  const markdown = renderMarkdown(results);
  mkdirSync(outDir, { recursive: true });
  const stamp = startedAt.replace(/[:.]/g, '-');
  writeFileSync(join(outDir, `bench-${stamp}.json`), `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(join(outDir, `bench-${stamp}.md`), markdown);
  writeFileSync(join(outDir, 'latest.json'), `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(join(outDir, 'latest.md'), markdown);
  process.stdout.write(`\n${markdown}\n`);
  log(`results: ${join(outDir, `bench-${stamp}.json`)} and .md`);
}

main().then(
  () => process.exit(0), // peers' helpers may leave timers; the process groups are already stopped
  (error: unknown) => {
    process.stderr.write(`bench: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  },
);
