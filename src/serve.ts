import { readFileSync } from 'node:fs';
import type { RelayConfig } from './config/options.js';
import { createLogger } from './util/logger.js';
import { IngestServer } from './relay/ingest-server.js';
import { StaticIngestAuthorizer } from './relay/ingest-authorizer.js';

/** How long a clean shutdown may take before the process exits anyway (CONTRACT §1: 5 s). */
const SHUTDOWN_DEADLINE_MS = 4500;

/**
 * The composition root of `rtmp-relay serve`: builds the ingest (and, as they land, the relay and
 * the admin API) from the config, and runs until SIGTERM/SIGINT.
 */
export async function serve(config: RelayConfig): Promise<void> {
  const log = createLogger({ level: config.logLevel, format: config.logFormat });
  const tls =
    config.rtmpsPort !== null && config.tlsCert && config.tlsKey
      ? { cert: readFileSync(config.tlsCert), key: readFileSync(config.tlsKey) }
      : null;
  const ingest = new IngestServer({
    rtmpHost: config.rtmpHost,
    rtmpPort: config.rtmpPort,
    rtmpsPort: config.rtmpsPort,
    tls,
    maxConnections: config.maxConnections,
    limits: {
      maxMessageSize: config.maxMessageSize,
      handshakeTimeoutMs: config.handshakeTimeoutMs,
      idleTimeoutMs: config.idleTimeoutMs,
    },
    gopCacheBytes: config.gopCacheBytes,
    playerQueueBytes: config.destinationQueueMaxBytes,
    takeoverSilenceMs: 3000,
    appName: 'live',
    publishGraceMs: config.publishGraceMs,
    authorizer: new StaticIngestAuthorizer(config.ingestKeys),
    log,
  });
  await ingest.start();

  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
  log.info({ signal }, 'shutting down');
  const deadline = setTimeout(() => {
    log.warn('shutdown deadline passed; exiting');
    process.exit(0);
  }, SHUTDOWN_DEADLINE_MS);
  deadline.unref();
  await ingest.stop();
  log.info('stopped');
  log.flush();
}
