// A relay arm that is a Node script of ours (bench/nms-host.ts, bench/copier-host.ts): its config
// written to a temp dir, the script started with the bench's Node flags, ready once its port listens.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { freePort, waitForPort } from '../test/helpers/ports.js';
import { spawnPeer, type PeerProcess } from '../test/helpers/processes.js';
import { makeTmpDir, type TmpDir } from '../test/helpers/tmp.js';
import type { ArmOptions, Topology } from './arms.js';
import { nodeArgs } from './arm-ours.js';

/** Push URLs (`rtmp://host:port/app/name`) per event index. */
export function pushUrls(topology: Topology): string[][] {
  return Array.from({ length: topology.events }, (_, e) =>
    Array.from({ length: topology.destinationsPerEvent }, (_, d) => {
      const target = topology.target(e, d);
      return `${target.appUrl}/${target.streamName}`;
    }),
  );
}

export interface NodeHost {
  readonly proc: PeerProcess;
  readonly port: number;
  readonly tmp: TmpDir;
}

/** Starts `node [flags] script CONFIG.json` with `configFor(port, tmpDir)`; `label` names it in errors. */
export async function startNodeHost(script: string, label: string, options: ArmOptions, configFor: (port: number, dir: string) => object): Promise<NodeHost> {
  const tmp = await makeTmpDir(`rtmp-relay-bench-${label.replace(/\W+/g, '-')}-`);
  const port = await freePort();
  const configPath = join(tmp.path, 'config.json');
  await writeFile(configPath, JSON.stringify(configFor(port, tmp.path)));
  const proc = spawnPeer(process.execPath, [...nodeArgs(options), script, configPath], { cwd: tmp.path });
  try {
    await waitForPort(port, { timeoutMs: 15_000, signal: proc.exitSignal });
  } catch (error) {
    await proc.stop();
    await tmp.remove();
    throw new Error(`${label} did not start: ${(error as Error).message}\n${proc.tail('stdout')}\n${proc.tail('stderr')}`);
  }
  return { proc, port, tmp };
}
