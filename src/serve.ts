import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import type { RelayConfig } from './config/options.js';
import { createLogger, type Logger } from './util/logger.js';
import { packageVersion } from './util/version.js';
import { IngestServer } from './relay/ingest-server.js';
import { StaticIngestAuthorizer } from './relay/ingest-authorizer.js';
import { resolveAdminToken } from './admin/admin-token.js';
import { IngestTracker } from './admin/ingest-tracker.js';
import { createMetrics } from './admin/metrics.js';
import { Relay } from './relay/relay.js';
import { loadExtraCa } from './rtmp/net/dialer.js';
import { AdminServer } from './admin/server.js';
import { Store } from './admin/store.js';
import { lockDataDir } from './admin/data-dir-lock.js';
import { StoreIngestAuthorizer } from './admin/store-ingest-authorizer.js';
import { heapPolicy } from './util/heap-policy-init.js';

/** How long a clean shutdown may take before the process exits anyway (the promise is 5 s). */
const SHUTDOWN_DEADLINE_MS = 4500;

/**
 * The composition root of `rtmp-relay serve`: takes the data dir (one process per store), opens
 * the store (a damaged store stops the start, untouched), then builds the ingest, the relay and
 * the admin API from the config, and runs until SIGTERM/SIGINT, or until the data dir's lock is
 * lost (another relay may be writing the store: this one stops, with exit code 1).
 */
export async function serve(config: RelayConfig): Promise<void> {
  const startedAt = new Date();
  const log = createLogger({ level: config.logLevel, format: config.logFormat });
  log.debug({ heapPolicy }, 'V8 heap policy');
  const lock = await lockDataDir(config.dataDir, {
    onWait: (holder) => log.warn({ dataDir: config.dataDir, holder }, 'the data dir is locked; waiting for it to be released or to go stale'),
  });
  try {
    const lostLock = lock.lost.then((error) => {
      log.error({ err: error.message }, 'data dir lock lost; stopping');
      process.exitCode = 1;
      return 'lock lost' as const;
    });
    await run(config, log, startedAt, lostLock);
  } finally {
    await lock.release();
  }
}

async function run(config: RelayConfig, log: Logger, startedAt: Date, lostLock: Promise<'lock lost'>): Promise<void> {
  const store = await Store.open(config.dataDir, log);
  const adminToken = await resolveAdminToken(config.adminToken, config.dataDir, log);
  const tls =
    config.rtmpsPort !== null && config.tlsCert && config.tlsKey
      ? { cert: readFileSync(config.tlsCert), key: readFileSync(config.tlsKey) }
      : null;
  const manualKeys = config.ingestKeys.length > 0 ? new StaticIngestAuthorizer(config.ingestKeys) : null;
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
    authorizer: new StoreIngestAuthorizer(store, manualKeys),
    log,
  });
  const tracker = new IngestTracker();
  ingest.observe(tracker);
  const relay = new Relay(
    { destinationsOf: (eventId) => store.event(eventId)?.destinations ?? [] },
    {
      queue: { maxMediaMs: config.destinationQueueMs, maxBytes: config.destinationQueueMaxBytes },
      stallTimeoutMs: config.stallTimeoutMs,
      extraCaPem: loadExtraCa(config.caFile),
    },
    log,
  );
  ingest.observe(relay);
  await ingest.start();

  const admin = new AdminServer({
    host: config.adminHost,
    port: config.adminPort,
    token: adminToken.token,
    context: {
      store,
      ingest,
      tracker,
      relay,
      metrics: createMetrics({ store, tracker, relay, inboundConnectionCount: () => ingest.connectionCount }),
      ingestUrl: config.publicUrl ?? `rtmp://${hostname()}:${ingest.rtmpPort}/live`,
      version: packageVersion(),
      startedAt,
      log,
    },
  });
  try {
    await admin.start();
  } catch (error) {
    await ingest.stop();
    throw new Error(`admin API on ${config.adminHost}:${config.adminPort}: ${(error as Error).message}`);
  }

  const signal = await Promise.race([
    new Promise<NodeJS.Signals>((resolve) => {
      process.once('SIGTERM', resolve);
      process.once('SIGINT', resolve);
    }),
    lostLock,
  ]);
  log.info({ signal }, 'shutting down');
  const deadline = setTimeout(() => {
    log.warn('shutdown deadline passed; exiting');
    process.exit(); // with the exit code set so far (1 after a lost lock)
  }, SHUTDOWN_DEADLINE_MS);
  deadline.unref();
  // The admin API first (requests in flight finish), then the ingest (which ends every push
  // cleanly through the relay), then the last store write.
  await admin.stop();
  await ingest.stop();
  relay.stopAll();
  await store.idle();
  log.info('stopped');
  log.flush();
}
