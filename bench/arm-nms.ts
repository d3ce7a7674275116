// node-media-server 4.x as the relay (bench/nms-host.ts in its own Node process): publishes go to
// /live/e<K>, and each publish starts one push task per destination.
import { writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, LOCALHOST, waitForPort } from '../test/helpers/ports.js';
import { spawnPeer } from '../test/helpers/processes.js';
import { makeTmpDir } from '../test/helpers/tmp.js';
import type { ArmOptions, RelayUnderTest, Topology } from './arms.js';
import type { NmsHostConfig } from './nms-host.js';
import { nodeArgs } from './arm-ours.js';

const HOST_SCRIPT = join(dirname(fileURLToPath(import.meta.url)), 'nms-host.js');

export async function startNmsArm(topology: Topology, options: ArmOptions): Promise<RelayUnderTest> {
  const tmp = await makeTmpDir('rtmp-relay-bench-nms-');
  const port = await freePort();
  const pushes: string[][] = [];
  for (let e = 0; e < topology.events; e++) {
    const urls: string[] = [];
    for (let d = 0; d < topology.destinationsPerEvent; d++) {
      const target = topology.target(e, d);
      urls.push(`${target.appUrl}/${target.streamName}`);
    }
    pushes.push(urls);
  }
  const config: NmsHostConfig = { rtmpPort: port, storeDir: join(tmp.path, 'store'), pushes };
  const configPath = join(tmp.path, 'config.json');
  await writeFile(configPath, JSON.stringify(config));
  const nms = spawnPeer(process.execPath, [...nodeArgs(options), HOST_SCRIPT, configPath], { cwd: tmp.path });
  try {
    await waitForPort(port, { timeoutMs: 15_000, signal: nms.exitSignal });
  } catch (error) {
    await nms.stop();
    await tmp.remove();
    throw new Error(`node-media-server did not start: ${(error as Error).message}\n${nms.tail('stdout')}\n${nms.tail('stderr')}`);
  }
  return {
    arm: 'nms',
    pid: nms.pid,
    closesPushesAtUnpublish: false,
    ingest: (event) => ({ appUrl: `rtmp://${LOCALHOST}:${port}/live`, streamName: `e${event}` }),
    tail: () => `${nms.tail('stdout', 20)}\n${nms.tail('stderr', 20)}`,
    stop: async () => {
      await nms.stop({ signal: 'SIGTERM', graceMs: 5000 });
      await tmp.remove();
    },
  };
}
