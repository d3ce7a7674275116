// nginx-rtmp as the relay: one application per event, `live on`, one `push` directive per
// destination; a single process (master_process off), like the sinks, logging only warnings.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { nginxExecutable, NGINX_RTMP_MODULE } from '../test/helpers/peer-files.js';
import { freePort, LOCALHOST, waitForPort } from '../test/helpers/ports.js';
import { spawnPeer } from '../test/helpers/processes.js';
import { makeTmpDir } from '../test/helpers/tmp.js';
import type { RelayUnderTest, Topology } from './arms.js';

export const NGINX_STREAM_NAME = 'src';

function renderConfig(dir: string, port: number, topology: Topology): string {
  const apps: string[] = [];
  for (let e = 0; e < topology.events; e++) {
    apps.push(`    application ev${e} {`, '      live on;');
    for (let d = 0; d < topology.destinationsPerEvent; d++) {
      const target = topology.target(e, d);
      apps.push(`      push ${target.appUrl}/${target.streamName};`);
    }
    apps.push('    }');
  }
  return [
    `load_module ${NGINX_RTMP_MODULE};`,
    'daemon off;',
    'master_process off;',
    `pid ${join(dir, 'nginx.pid')};`,
    `error_log ${join(dir, 'error.log')} warn;`,
    'events { worker_connections 4096; }',
    'rtmp {',
    '  server {',
    `    listen ${LOCALHOST}:${port};`,
    '    access_log off;',
    '    chunk_size 4096;',
    ...apps,
    '  }',
    '}',
    '',
  ].join('\n');
}

export async function startNginxArm(topology: Topology): Promise<RelayUnderTest> {
  const tmp = await makeTmpDir('rtmp-relay-bench-nginx-');
  const port = await freePort();
  const confPath = join(tmp.path, 'nginx.conf');
  await writeFile(confPath, renderConfig(tmp.path, port, topology));
  const nginx = spawnPeer(nginxExecutable(), ['-p', tmp.path, '-c', confPath, '-e', join(tmp.path, 'error.log')], { cwd: tmp.path });
  try {
    await waitForPort(port, { timeoutMs: 10_000, signal: nginx.exitSignal });
  } catch (error) {
    await nginx.stop();
    await tmp.remove();
    throw error;
  }
  return {
    arm: 'nginx',
    pid: nginx.pid,
    closesPushesAtUnpublish: true,
    ingest: (event) => ({ appUrl: `rtmp://${LOCALHOST}:${port}/ev${event}`, streamName: NGINX_STREAM_NAME }),
    tail: () => nginx.tail('stderr', 20),
    stop: async () => {
      await nginx.stop({ signal: 'SIGTERM', graceMs: 3000 });
      await tmp.remove();
    },
  };
}
