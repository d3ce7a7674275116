// Turns the results into the Markdown report: machine, fan-out table with medians and spread,
// ratios ours/theirs, the targets of the issue with how far we are, realtime, micro-benchmarks.
import { ARM_LABELS, type ArmName } from './arms.js';
import type { FanoutRun } from './fanout.js';
import type { MicroResult } from './micro.js';
import type { RealtimeRun } from './realtime.js';
import { QUIET_FOREIGN_PCT } from './proc-stats.js';
import { fmt, fmtSummary, summarize, type Summary } from './stats.js';

export interface BenchResults {
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly machine: { cpuModel: string; nproc: number; memoryGb: number; kernel: string; node: string; nginx: string; nms: string };
  readonly options: Record<string, unknown>;
  readonly source: { path: string; mediaBytes: number; durationMs: number; videoFrames: number; audioFrames: number } | null;
  readonly micro: readonly MicroResult[];
  readonly fanout: readonly FanoutRun[];
  readonly realtime: readonly RealtimeRun[];
}

type Metric = 'cpuMsPerMb' | 'outputMbPerS' | 'peakRssMb' | 'rssAtLiveMb' | 'coldCpuMsPerMb' | 'foreignCpuPct';


function cell(runs: readonly FanoutRun[], arm: ArmName, n: number, metric: Metric, quietOnly = false): Summary | null {
  return summarize(
    runs.filter((r) => r.arm === arm && r.destinations === n && r.ok && (!quietOnly || r.foreignCpuPct <= QUIET_FOREIGN_PCT)).map((r) => r[metric]),
  );
}

function quietCell(runs: readonly FanoutRun[], arm: ArmName, n: number): string {
  const summary = cell(runs, arm, n, 'cpuMsPerMb', true);
  return summary === null ? '—' : `${fmt(summary.median)} (${summary.samples})`;
}

function ratio(a: Summary | null, b: Summary | null): number | null {
  return a === null || b === null || b.median === 0 ? null : a.median / b.median;
}

function fanoutTables(runs: readonly FanoutRun[]): string[] {
  if (runs.length === 0) return [];
  const arms = [...new Set(runs.map((r) => r.arm))];
  const counts = [...new Set(runs.map((r) => r.destinations))].sort((a, b) => a - b);
  const lines = [
    '### Fan-out (one event, N nginx-rtmp sinks, source at 10× real time)',
    '',
    `Median over rounds ±spread ((max − min) / median). CPU = relay process on-CPU time from "all destinations live" to "sinks stopped growing", per MB (10^6 B) of audio+video payload the sinks recorded, after warm-up publishes on other events, each until its destinations closed ("cold" = the first warm-up publish, a fresh process). "other CPU %" = CPU used meanwhile by processes other than the relay, the sinks and the bench (other work on the machine; kernel threads included), in % of one core: high values mean a disturbed measurement; "quiet runs" are those with at most ${QUIET_FOREIGN_PCT} %.`,
    '',
    '| N | relay | CPU ms/MB | quiet runs: CPU ms/MB (runs) | cold CPU ms/MB | output MB/s | peak RSS MB | RSS at live MB | lossless runs | other CPU % |',
    '|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const n of counts) {
    for (const arm of arms) {
      const all = runs.filter((r) => r.arm === arm && r.destinations === n);
      const lossless = all.filter((r) => r.ok && r.lossless).length;
      const failedRuns = all.filter((r) => !r.ok).length;
      lines.push(
        `| ${n} | ${ARM_LABELS[arm]} | ${fmtSummary(cell(runs, arm, n, 'cpuMsPerMb'))} | ${quietCell(runs, arm, n)} | ${fmtSummary(cell(runs, arm, n, 'coldCpuMsPerMb'))} | ${fmtSummary(cell(runs, arm, n, 'outputMbPerS'), 1)} | ` +
          `${fmtSummary(cell(runs, arm, n, 'peakRssMb'), 0)} | ${fmtSummary(cell(runs, arm, n, 'rssAtLiveMb'), 0)} | ${lossless}/${all.length}${failedRuns > 0 ? ` (${failedRuns} failed)` : ''} | ${fmt(cell(runs, arm, n, 'foreignCpuPct')?.median, 0)} |`,
      );
    }
  }
  if (arms.includes('ours') && arms.length > 1) {
    lines.push(
      '',
      '### Ratios ours / theirs (medians; below 1 means we use less)',
      '',
      '| N | CPU/MB vs nms | CPU/MB vs nginx | CPU/MB vs bare Node copier | quiet runs: CPU/MB vs nms | quiet runs: CPU/MB vs nginx | peak RSS vs nms | peak RSS vs nginx |',
      '|---:|---:|---:|---:|---:|---:|---:|---:|',
    );
    for (const n of counts) {
      const r = (theirs: ArmName, metric: Metric, quiet = false): string =>
        fmt(ratio(cell(runs, 'ours', n, metric, quiet), cell(runs, theirs, n, metric, quiet)));
      lines.push(
        `| ${n} | ${r('nms', 'cpuMsPerMb')} | ${r('nginx', 'cpuMsPerMb')} | ${r('copier', 'cpuMsPerMb')} | ${r('nms', 'cpuMsPerMb', true)} | ${r('nginx', 'cpuMsPerMb', true)} | ${r('nms', 'peakRssMb')} | ${r('nginx', 'peakRssMb')} |`,
      );
    }
  }
  if (arms.includes('copier') && arms.length > 1) {
    lines.push(
      '',
      '### The floor of a Node.js relay: the bare Node copier / theirs (CPU/MB medians)',
      '',
      'The copier sets up each connection with our sessions, then writes every buffer it reads from the publisher to every destination as it is (bench/copier-host.ts): what Node\'s event loop, streams and sockets alone cost here. A target ratio below the copier\'s is below what any Node.js relay can reach on this machine.',
      '',
      '| N | copier vs nms | copier vs nginx |',
      '|---:|---:|---:|',
    );
    for (const n of counts) {
      const r = (theirs: ArmName): string => fmt(ratio(cell(runs, 'copier', n, 'cpuMsPerMb'), cell(runs, theirs, n, 'cpuMsPerMb')));
      lines.push(`| ${n} | ${r('nms')} | ${r('nginx')} |`);
    }
  }
  const problems = runs.filter((r) => !r.ok || !r.lossless).slice(0, 12);
  if (problems.length > 0) {
    lines.push('', 'Runs that failed or lost frames:', '');
    for (const r of problems) {
      lines.push(`- round ${r.round}, N=${r.destinations}, ${ARM_LABELS[r.arm]}: ${r.ok ? `${r.sinksIntact}/${r.destinations} sinks intact; ${r.integrityProblems.join('; ')}` : r.error}`);
    }
  }
  return lines;
}

function targetLines(results: BenchResults): string[] {
  const runs = results.fanout;
  const lines = ['### Targets of the issue', '', '| target | measured | verdict |', '|---|---:|---|'];
  const verdict = (value: number | null, limit: number): string => (value === null ? 'not measured' : value <= limit ? 'met' : `missed by ${(((value - limit) / limit) * 100).toFixed(0)} %`);
  const cpuRatio = (n: number, theirs: ArmName, quiet = false): number | null =>
    ratio(cell(runs, 'ours', n, 'cpuMsPerMb', quiet), cell(runs, theirs, n, 'cpuMsPerMb', quiet));
  const row = (label: string, value: number | null, limit: number, digits = 2): void => {
    lines.push(`| ${label} | ${fmt(value, digits)} | ${verdict(value, limit)} |`);
  };
  row('N=16 CPU/MB ours/nginx ≤ 1.0', cpuRatio(16, 'nginx'), 1.0);
  row('N=16 CPU/MB ours/nginx ≤ 0.8 (aim)', cpuRatio(16, 'nginx'), 0.8);
  row('N=16 CPU/MB ours/nms ≤ 0.6', cpuRatio(16, 'nms'), 0.6);
  row('N=1 CPU/MB ours/nms ≤ 0.6', cpuRatio(1, 'nms'), 0.6);
  row('quiet runs only: N=16 CPU/MB ours/nginx ≤ 1.0', cpuRatio(16, 'nginx', true), 1.0);
  row('quiet runs only: N=16 CPU/MB ours/nms ≤ 0.6', cpuRatio(16, 'nms', true), 0.6);
  row('quiet runs only: N=1 CPU/MB ours/nms ≤ 0.6', cpuRatio(1, 'nms', true), 0.6);
  const floor = (n: number, theirs: ArmName): number | null => ratio(cell(runs, 'copier', n, 'cpuMsPerMb'), cell(runs, theirs, n, 'cpuMsPerMb'));
  lines.push(`| (the floor) N=16 CPU/MB bare Node copier/nginx, /nms | ${fmt(floor(16, 'nginx'))}, ${fmt(floor(16, 'nms'))} | — |`);
  lines.push(`| (the floor) N=1 CPU/MB bare Node copier/nms | ${fmt(floor(1, 'nms'))} | — |`);
  const n64 = runs.filter((r) => r.arm === 'ours' && r.destinations === 64);
  if (n64.length > 0) {
    const lossless = n64.filter((r) => r.ok && r.lossless).length;
    lines.push(`| N=64 lossless (ours) | ${lossless}/${n64.length} runs | ${lossless === n64.length ? 'met' : 'missed'} |`);
    lines.push(`| N=64 CPU/MB ours/nginx (reported) | ${fmt(cpuRatio(64, 'nginx'))} | — |`);
  }
  row('N=16 peak RSS ≤ 80 MB', cell(runs, 'ours', 16, 'peakRssMb')?.median ?? null, 80, 0);
  const counts = [...new Set(runs.filter((r) => r.arm === 'ours').map((r) => r.destinations))].sort((a, b) => a - b);
  const low = counts[0];
  const high = counts[counts.length - 1];
  if (low !== undefined && high !== undefined && high > low) {
    const a = cell(runs, 'ours', low, 'rssAtLiveMb');
    const b = cell(runs, 'ours', high, 'rssAtLiveMb');
    const perDestination = a === null || b === null ? null : (b.median - a.median) / (high - low);
    row(`RSS per idle destination < 1 MB (RSS at live, N=${low}→${high})`, perDestination, 1);
  }
  const rt = results.realtime.find((r) => r.arm === 'ours' && r.ok);
  if (rt !== undefined) row(`added latency p99 < 5 ms (${rt.events}×${rt.destinationsPerEvent} at 6 Mbit/s)`, rt.latencyP99Ms, 5);
  return lines;
}

function realtimeLines(runs: readonly RealtimeRun[]): string[] {
  const relayed = runs.find((r) => r.arm !== 'direct');
  if (relayed === undefined) return [];
  const lines = [
    `### Realtime (${relayed.events} event(s) × ${relayed.destinationsPerEvent} destinations, 6 Mbit/s, ${relayed.seconds} s, our raw sink in its own process)`,
    '',
    'Latency: publisher write → sink read of tagged video frames, one monotonic clock. "direct" is the publisher straight into the sink (1 destination, no relay): the floor of the method. CPU and RSS are of the relay process (for "direct", of the sink).',
    '',
    '| relay | CPU % of a core | RSS MB | peak RSS MB | RSS live, idle MB | latency p50 ms | p99 ms | p99 inter frames ms | max ms | delivered | other CPU % |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const r of runs) {
    const label = r.arm === 'direct' ? 'direct (no relay)' : ARM_LABELS[r.arm];
    if (!r.ok) lines.push(`| ${label} | failed: ${r.error} | | | | | | | | | |`);
    else {
      lines.push(
        `| ${label} | ${fmt(r.cpuPct, 1)} | ${fmt(r.rssMb, 0)} | ${fmt(r.peakRssMb, 0)} | ${fmt(r.rssIdleMb, 0)} | ${fmt(r.latencyP50Ms)} | ${fmt(r.latencyP99Ms)} | ${fmt(r.latencyP99InterMs)} | ${fmt(r.latencyMaxMs)} | ${(r.delivered * 100).toFixed(2)} % | ${fmt(r.foreignCpuPct, 0)} |`,
      );
    }
  }
  return lines;
}

function microLines(results: readonly MicroResult[]): string[] {
  if (results.length === 0) return [];
  const lines = ['### Micro-benchmarks (tinybench, mean per call)', '', '| task | µs/op | MB/s | ±rme |', '|---|---:|---:|---:|'];
  for (const r of results) lines.push(`| ${r.name} | ${fmt(r.usPerOp, 1)} | ${r.mbPerS === null ? '—' : fmt(r.mbPerS, 0)} | ${fmt(r.rmePct, 1)} % |`);
  return lines;
}

export function renderMarkdown(results: BenchResults): string {
  const m = results.machine;
  const lines = [
    `## rtmp-relay benchmark, ${results.startedAt}`,
    '',
    `Machine: ${m.cpuModel}, ${m.nproc} CPUs (nproc), ${m.memoryGb} GB RAM, Linux ${m.kernel}; Node ${m.node}; ${m.nginx}; node-media-server ${m.nms}.`,
    `Options: ${JSON.stringify(results.options)}`,
  ];
  if (results.source) {
    const s = results.source;
    lines.push(`Source: ${(s.mediaBytes / 1e6).toFixed(1)} MB of H.264+AAC payload, ${(s.durationMs / 1000).toFixed(1)} s (${((s.mediaBytes * 8) / s.durationMs / 1000).toFixed(2)} Mbit/s), ${s.videoFrames} video + ${s.audioFrames} audio frames.`);
  }
  lines.push('');
  for (const part of [fanoutTables(results.fanout), results.fanout.length > 0 || results.realtime.length > 0 ? targetLines(results) : [], realtimeLines(results.realtime), microLines(results.micro)]) {
    if (part.length > 0) lines.push(...part, '');
  }
  return lines.join('\n');
}
