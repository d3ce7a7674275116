// The chaos run's bookkeeping and its summary: what was injected, what each destination should
// therefore show (publishes, reconnects, dropped frames), what it did show, and the verdicts on
// its recordings — as JSON and as a Markdown table for the README.
import type { Machine } from '../soak/process-stats.js';
import type { RecordingVerdict } from './verify.js';

export interface FaultRecord {
  readonly kind: 'kill' | 'stop' | 'within-grace' | 'beyond-grace';
  readonly atS: number;
  readonly target: string;
  readonly durationMs: number;
  /** e.g. how long the destination took to be live again. */
  readonly note: string;
}

export interface DestinationReport {
  readonly name: string;
  readonly kind: string;
  readonly faults: number;
  readonly expectedPublishes: number;
  readonly publishes: number;
  /** Summed over live periods (status resets with each new push). */
  readonly reconnects: number;
  readonly expectedReconnects: string;
  readonly droppedFrames: number;
  readonly expectedDropped: string;
  readonly recordings: readonly RecordingVerdict[];
  readonly problems: readonly string[];
}

export interface ChaosSummary {
  readonly campaign: 'chaos';
  readonly machine: Machine;
  readonly seed: number;
  readonly minutes: number;
  readonly graceS: number;
  readonly stallTimeoutS: number;
  readonly livePeriods: number;
  readonly faults: readonly FaultRecord[];
  readonly faultCounts: Readonly<Record<string, number>>;
  readonly encoder: Readonly<Record<string, { expected: number; logged: number }>>;
  readonly destinations: readonly DestinationReport[];
  readonly serverPeakRssMb: number;
  readonly problems: readonly string[];
  readonly ok: boolean;
}

export function markdown(s: ChaosSummary): string {
  const lines = [
    `Chaos run: ${s.minutes} min, seed ${s.seed}, ${s.machine.nproc} × ${s.machine.cpuModel}, Node ${s.machine.node}; ` +
      `grace ${s.graceS} s, stall timeout ${s.stallTimeoutS} s; ${s.livePeriods} live periods; ` +
      `faults: ${Object.entries(s.faultCounts).map(([k, n]) => `${n} ${k}`).join(', ')}; server peak RSS ${s.serverPeakRssMb} MB.`,
    '',
    '| destination | faults | publishes (expected) | reconnects (expected) | dropped frames (expected) | recordings decoded, keyframe first, monotonic | video frames |',
    '|---|---|---|---|---|---|---|',
  ];
  for (const d of s.destinations) {
    const good = d.recordings.filter((r) => r.problems.length === 0).length;
    lines.push(
      `| ${d.name} (${d.kind}) | ${d.faults} | ${d.publishes} (${d.expectedPublishes}) | ${d.reconnects} (${d.expectedReconnects}) | ` +
        `${d.droppedFrames} (${d.expectedDropped}) | ${good}/${d.recordings.length} | ${d.recordings.reduce((n, r) => n + Math.max(0, r.videoFrames), 0)} |`,
    );
  }
  lines.push('', '| encoder | expected | logged by the server |', '|---|---|---|');
  for (const [what, counts] of Object.entries(s.encoder)) lines.push(`| ${what} | ${counts.expected} | ${counts.logged} |`);
  const problems = [...s.problems, ...s.destinations.flatMap((d) => [...d.problems, ...d.recordings.flatMap((r) => r.problems.map((p) => `${r.label}: ${p}`))].map((p) => `${d.name}: ${p}`))];
  lines.push('', problems.length === 0 ? '**Result: pass.**' : `**Result: FAIL** — ${problems.length} problem(s):\n${problems.map((p) => `- ${p}`).join('\n')}`);
  return lines.join('\n');
}
