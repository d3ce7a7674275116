// CPU time and memory of a process under test, read from /proc (Linux only). CPU comes two ways:
// user+sys clock ticks from /proc/PID/stat (what `time` and top report, 10 ms resolution at
// CLK_TCK 100) and the scheduler's on-CPU nanoseconds summed over /proc/PID/task/*/schedstat,
// which resolves the short windows of a small fan-out. The tables use the nanosecond figure.
import { readFileSync, readdirSync } from 'node:fs';

/** Linux reports /proc/PID/stat times in USER_HZ; 100 on every mainstream architecture. */
const CLOCK_TICKS_PER_SECOND = 100;

export interface CpuSample {
  /** user+sys from /proc/PID/stat, milliseconds (10 ms steps). */
  readonly statMs: number;
  /** Sum of on-CPU time of the process's live threads from schedstat, milliseconds (ns precision). */
  readonly schedMs: number;
}

function readText(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

/** user+sys ticks of `pid` (all its threads, dead ones included) in milliseconds, or null if gone. */
export function statCpuMs(pid: number): number | null {
  const text = readText(`/proc/${pid}/stat`);
  if (text === null) return null;
  // The command name (field 2) may contain spaces; every field after its closing paren is numeric.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]); // field 14 of the whole line
  const stime = Number(fields[12]); // field 15
  return ((utime + stime) * 1000) / CLOCK_TICKS_PER_SECOND;
}

/** On-CPU milliseconds of every live thread of `pid` (schedstat field 1 is nanoseconds). */
export function schedCpuMs(pid: number): number | null {
  let tasks: string[];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return null;
  }
  let ns = 0;
  for (const tid of tasks) {
    const text = readText(`/proc/${pid}/task/${tid}/schedstat`);
    if (text !== null) ns += Number(text.split(' ')[0]);
  }
  return ns / 1e6;
}

export function cpuSample(pid: number): CpuSample {
  const statMs = statCpuMs(pid);
  const schedMs = schedCpuMs(pid);
  if (statMs === null || schedMs === null) throw new Error(`process ${pid} is gone`);
  return { statMs, schedMs };
}

export interface MemorySample {
  /** VmHWM: peak resident set size so far, MiB. */
  readonly peakRssMb: number;
  /** VmRSS: resident set size now, MiB. */
  readonly rssMb: number;
}

function statusKb(text: string, key: string): number {
  const match = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text);
  return match?.[1] === undefined ? Number.NaN : Number(match[1]);
}

export function memorySample(pid: number): MemorySample {
  const text = readText(`/proc/${pid}/status`);
  if (text === null) throw new Error(`process ${pid} is gone`);
  return { peakRssMb: statusKb(text, 'VmHWM') / 1024, rssMb: statusKb(text, 'VmRSS') / 1024 };
}

/** The machine, for the report. */
export function machineInfo(): { cpuModel: string; nproc: number; memoryGb: number; kernel: string } {
  const cpuinfo = readText('/proc/cpuinfo') ?? '';
  const model = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1]?.trim() ?? 'unknown';
  const nproc = (cpuinfo.match(/^processor\s*:/gm) ?? []).length;
  const meminfo = readText('/proc/meminfo') ?? '';
  const memKb = Number(/^MemTotal:\s+(\d+)/m.exec(meminfo)?.[1] ?? 0);
  const kernel = (readText('/proc/sys/kernel/osrelease') ?? '').trim();
  return { cpuModel: model, nproc, memoryGb: Math.round(memKb / 1024 / 1024), kernel };
}

/** Busy CPU time of the whole machine (all CPUs; /proc/stat minus idle and iowait), milliseconds. */
export function machineBusyMs(): number {
  const line = (readText('/proc/stat') ?? '').split('\n')[0] ?? '';
  const fields = line.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal guest guest_nice; guest time is already in user.
  const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = fields;
  return ((user + nice + system + irq + softirq + steal) * 1000) / CLOCK_TICKS_PER_SECOND;
}

/**
 * Watches how much CPU processes other than `ours` (the relay, the sinks, this process) used
 * during a window: other work on the machine that may have disturbed the measurement.
 */
export function startForeignCpuWatch(pids: () => readonly number[]): () => number {
  const own = (): number => pids().reduce((sum, pid) => sum + (statCpuMs(pid) ?? 0), 0);
  const machine0 = machineBusyMs();
  const own0 = own();
  const started = performance.now();
  return () => {
    const foreign = machineBusyMs() - machine0 - (own() - own0);
    return Math.max(0, (foreign / (performance.now() - started)) * 100);
  };
}

/** A machine, or a run, is "quiet" when other processes use at most this much of one core. */
export const QUIET_FOREIGN_PCT = 25;

/**
 * Waits (up to `maxWaitMs`) until the machine has been nearly idle for one second: the benchmark
 * shares the machine with whatever else runs, and a run started in a busy moment measures that.
 * Returns the busy percentage (of one core) of the last second looked at.
 */
export async function waitForQuietMachine(maxBusyPct: number, maxWaitMs: number): Promise<number> {
  const deadline = Date.now() + maxWaitMs;
  for (;;) {
    const before = machineBusyMs();
    const own0 = statCpuMs(process.pid) ?? 0;
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const busyPct = (machineBusyMs() - before - ((statCpuMs(process.pid) ?? 0) - own0)) / 10;
    if (busyPct <= maxBusyPct || Date.now() >= deadline) return busyPct;
  }
}
