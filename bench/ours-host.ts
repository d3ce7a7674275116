// The relay core without the admin API, in its own process: `node ours-host.js CONFIG.json`.
// IngestServer + Relay exactly as serve.ts composes them, with the events and destinations given in
// the config instead of the store. For profiling and for runs before the admin API is wired
// (`--ours-harness`); the default arm runs the real CLI.
import { readFileSync } from 'node:fs';
import { createLogger } from '../src/util/logger.js';
import { IngestServer } from '../src/relay/ingest-server.js';
import { StaticIngestAuthorizer } from '../src/relay/ingest-authorizer.js';
import { Relay } from '../src/relay/relay.js';
import type { DestinationConfig } from '../src/relay/destination.js';

export interface OursHostConfig {
  readonly rtmpPort: number;
  readonly queueMediaMs: number;
  readonly queueBytes: number;
  readonly events: readonly { readonly ingestKey: string; readonly destinations: readonly { readonly url: string; readonly streamKey: string }[] }[];
}

async function main(): Promise<void> {
  const configPath = process.argv[2];
  if (configPath === undefined) throw new Error('usage: ours-host.js CONFIG.json');
  const config = JSON.parse(readFileSync(configPath, 'utf8')) as OursHostConfig;
  const log = createLogger({ level: 'warn', format: 'json' });
  const keys = config.events.map((event) => event.ingestKey);
  // StaticIngestAuthorizer names the event of the i-th key `key_<i+1>`.
  const byEvent = new Map<string, DestinationConfig[]>();
  config.events.forEach((event, index) => {
    byEvent.set(
      `key_${index + 1}`,
      event.destinations.map((destination, d) => ({
        id: `dst_${index}_${d}`,
        systemName: `sink ${d}`,
        primaryUrl: destination.url,
        secondaryUrl: null,
        secondaryMode: 'redundant',
        streamKey: destination.streamKey,
        enabled: true,
      })),
    );
  });
  const relay = new Relay(
    { destinationsOf: (eventId) => byEvent.get(eventId) ?? [] },
    { queue: { maxMediaMs: config.queueMediaMs, maxBytes: config.queueBytes }, stallTimeoutMs: 10_000, extraCaPem: null },
    log,
  );
  const ingest = new IngestServer({
    rtmpHost: '127.0.0.1',
    rtmpPort: config.rtmpPort,
    rtmpsPort: null,
    tls: null,
    maxConnections: 1000,
    limits: { maxMessageSize: 8 * 1024 * 1024, handshakeTimeoutMs: 10_000, idleTimeoutMs: 10_000 },
    gopCacheBytes: 16 * 1024 * 1024,
    playerQueueBytes: 8 * 1024 * 1024,
    takeoverSilenceMs: 3000,
    publishGraceMs: 500,
    appName: 'live',
    authorizer: new StaticIngestAuthorizer(keys),
    log,
  });
  ingest.observe(relay);
  await ingest.start();
  const stop = (): void => {
    relay.stopAll();
    void ingest.stop().finally(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`ours-host: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
