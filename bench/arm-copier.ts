// The bare Node copier as a reference arm (bench/copier-host.ts in its own Node process): not a
// relay anyone would run, the floor a Node.js relay cannot go under on this machine.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LOCALHOST } from '../test/helpers/ports.js';
import type { ArmOptions, RelayUnderTest, Topology } from './arms.js';
import type { CopierHostConfig } from './copier-host.js';
import { pushUrls, startNodeHost } from './node-host.js';

const HOST_SCRIPT = join(dirname(fileURLToPath(import.meta.url)), 'copier-host.js');

export async function startCopierArm(topology: Topology, options: ArmOptions): Promise<RelayUnderTest> {
  const pushes = pushUrls(topology);
  const { proc: copier, port, tmp } = await startNodeHost(HOST_SCRIPT, 'the copier', options, (rtmpPort): CopierHostConfig => ({ rtmpPort, pushes }));
  return {
    arm: 'copier',
    pid: copier.pid,
    closesPushesAtUnpublish: true,
    ingest: (event) => ({ appUrl: `rtmp://${LOCALHOST}:${port}/live`, streamName: `e${event}` }),
    tail: () => copier.tail('stderr', 20),
    stop: async () => {
      await copier.stop({ signal: 'SIGTERM', graceMs: 5000 });
      await tmp.remove();
    },
  };
}
