// node-media-server 4.x as the relay (bench/nms-host.ts in its own Node process): publishes go to
// /live/e<K>, and each publish starts one push task per destination.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LOCALHOST } from '../test/helpers/ports.js';
import type { ArmOptions, RelayUnderTest, Topology } from './arms.js';
import type { NmsHostConfig } from './nms-host.js';
import { pushUrls, startNodeHost } from './node-host.js';

const HOST_SCRIPT = join(dirname(fileURLToPath(import.meta.url)), 'nms-host.js');

export async function startNmsArm(topology: Topology, options: ArmOptions): Promise<RelayUnderTest> {
  const pushes = pushUrls(topology);
  const { proc: nms, port, tmp } = await startNodeHost(HOST_SCRIPT, 'node-media-server', options, (rtmpPort, dir): NmsHostConfig => ({ rtmpPort, storeDir: join(dir, 'store'), pushes }));
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
