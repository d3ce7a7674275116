// What the long campaigns measure of the server process, read from /proc (Linux), and the
// machine they ran on (for the README's figures).
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { cpus } from 'node:os';

function statusField(pid: number, name: string): number {
  try {
    const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith(`${name}:`));
    return Number(/(\d+) kB/.exec(line ?? '')?.[1] ?? NaN);
  } catch {
    return NaN;
  }
}

/** Resident set size now, in MB (NaN when the process is gone). */
export const rssMb = (pid: number): number => statusField(pid, 'VmRSS') / 1024;
/** Peak resident set size so far (VmHWM), in MB. */
export const peakRssMb = (pid: number): number => statusField(pid, 'VmHWM') / 1024;

/** Open file descriptors of the process (NaN when the process is gone). */
export function fdCount(pid: number): number {
  try {
    return readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    return NaN;
  }
}

/** Open descriptors by kind (socket, pipe, anon_inode:[eventpoll], /dev/null, a file path…). */
export function fdKinds(pid: number): Record<string, number> {
  const kinds: Record<string, number> = {};
  try {
    for (const fd of readdirSync(`/proc/${pid}/fd`)) {
      let target: string;
      try {
        target = readlinkSync(`/proc/${pid}/fd/${fd}`);
      } catch {
        continue; // closed meanwhile
      }
      const kind = target.replace(/:\[\d+\]$/, '');
      kinds[kind] = (kinds[kind] ?? 0) + 1;
    }
  } catch {
    // the process is gone
  }
  return kinds;
}

export interface Machine {
  readonly nproc: number;
  readonly cpuModel: string;
  readonly node: string;
  readonly loadAverage1m: number;
}

export function machine(): Machine {
  const load = Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]);
  return { nproc: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', node: process.version, loadAverage1m: load };
}

/** The median of `values` (NaN for none). */
export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Least-squares slope of y over x. */
export function slope(points: ReadonlyArray<readonly [number, number]>): number {
  const n = points.length;
  if (n < 2) return NaN;
  const mx = points.reduce((s, [x]) => s + x, 0) / n;
  const my = points.reduce((s, [, y]) => s + y, 0) / n;
  let num = 0;
  let den = 0;
  for (const [x, y] of points) {
    num += (x - mx) * (y - my);
    den += (x - mx) ** 2;
  }
  return den === 0 ? NaN : num / den;
}

/** `--name value` from argv, parsed by `parse`, or the default. */
export function argOf<T>(name: string, fallback: T, parse: (text: string) => T): T {
  const at = process.argv.indexOf(`--${name}`);
  const text = at === -1 ? undefined : process.argv[at + 1];
  return text === undefined ? fallback : parse(text);
}
