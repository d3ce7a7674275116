// node-media-server 4.x as a relay, in its own process: `node nms-host.js CONFIG.json`. It serves
// RTMP on the given port (no HTTP, no web admin, no recording) and, when a stream is published on
// /live/e<K>, adds one push task (its relay feature) per destination of that event.
// Used only by the benchmark; nothing in src/ imports node-media-server.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

export interface NmsHostConfig {
  readonly rtmpPort: number;
  readonly storeDir: string;
  /** Push URLs (`rtmp://host:port/app/name`) per event index. */
  readonly pushes: readonly (readonly string[])[];
}

interface NmsSession {
  readonly streamPath: string;
}

interface NodeMediaServer {
  on(event: 'postPublish', listener: (session: NmsSession) => void): void;
  run(): Promise<void>;
  stop(): Promise<void>;
  readonly relayServer: { addTask(config: { url: string; mode: 'push'; streamPath: string }): unknown };
}

const require = createRequire(import.meta.url);

async function main(): Promise<void> {
  const configPath = process.argv[2];
  if (configPath === undefined) throw new Error('usage: nms-host.js CONFIG.json');
  const config = JSON.parse(readFileSync(configPath, 'utf8')) as NmsHostConfig;
  const NodeMediaServerClass = require('node-media-server') as new (config: unknown, path: string) => NodeMediaServer;
  const logger = require('node-media-server/src/core/logger.js') as { level: string };
  const nms = new NodeMediaServerClass(
    {
      bind: '127.0.0.1',
      rtmp: { port: config.rtmpPort },
      store: { path: config.storeDir },
      record: { auto: false, path: config.storeDir },
      notify: { url: '' },
      auth: { play: false, publish: false, secret: '' },
      webadmin: { enable: false },
    },
    configPath,
  );
  logger.level = 'warn'; // its constructor sets debug; a benchmark must not pay for logging
  nms.on('postPublish', (session) => {
    const match = /^\/live\/e(\d+)$/.exec(session.streamPath);
    const urls = match?.[1] === undefined ? undefined : config.pushes[Number(match[1])];
    for (const url of urls ?? []) nms.relayServer.addTask({ url, mode: 'push', streamPath: session.streamPath });
  });
  await nms.run();
  const stop = (): void => {
    void nms.stop().finally(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`nms-host: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
