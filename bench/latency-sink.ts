// Starts and reads bench/latency-sink-host.ts (the realtime benchmark's sink, in its own process).
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LOCALHOST } from '../test/helpers/ports.js';
import { spawnPeer } from '../test/helpers/processes.js';
import { makeTmpDir } from '../test/helpers/tmp.js';
import type { LatencyArrivals } from './latency-sink-host.js';

const HOST_SCRIPT = join(dirname(fileURLToPath(import.meta.url)), 'latency-sink-host.js');

/** Milliseconds on the clock the sink uses (CLOCK_MONOTONIC, the same in every process). */
export function monotonicMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

export interface LatencySink {
  readonly appUrl: string;
  readonly pid: number;
  /** Names that have published so far. */
  readonly live: ReadonlySet<string>;
  /** Stops the sink and returns every tagged frame it received. */
  stop(): Promise<LatencyArrivals>;
}

export async function startLatencySink(): Promise<LatencySink> {
  const tmp = await makeTmpDir('rtmp-relay-bench-latency-');
  const outPath = join(tmp.path, 'arrivals.json');
  const proc = spawnPeer(process.execPath, [HOST_SCRIPT, outPath], { cwd: tmp.path });
  const live = new Set<string>();
  proc.onLine((line, stream) => {
    if (stream !== 'stdout' || !line.startsWith('{"live"')) return;
    live.add((JSON.parse(line) as { live: string }).live);
  });
  let port: number;
  try {
    port = (JSON.parse(await proc.waitForLine(/^\{"port"/, 10_000, 'stdout')) as { port: number }).port;
  } catch (error) {
    await proc.stop();
    await tmp.remove();
    throw error;
  }
  return {
    appUrl: `rtmp://${LOCALHOST}:${port}/sink`,
    pid: proc.pid,
    live,
    stop: async () => {
      await proc.stop({ signal: 'SIGTERM', graceMs: 10_000 });
      try {
        return JSON.parse(await readFile(outPath, 'utf8')) as LatencyArrivals;
      } finally {
        await tmp.remove();
      }
    },
  };
}
