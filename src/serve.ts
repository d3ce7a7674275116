import type { RelayConfig } from './config/options.js';
import { createLogger } from './util/logger.js';

/**
 * Runs the server until SIGTERM/SIGINT. The listeners (ingest, admin) are wired here as they land.
 */
export async function serve(config: RelayConfig): Promise<void> {
  const log = createLogger({ level: config.logLevel, format: config.logFormat });
  log.info(
    {
      rtmp: `${config.rtmpHost}:${config.rtmpPort}`,
      rtmps: config.rtmpsPort,
      admin: `${config.adminHost}:${config.adminPort}`,
      dataDir: config.dataDir,
    },
    'configuration loaded',
  );
  await new Promise<void>((resolve) => {
    const stop = (signal: NodeJS.Signals): void => {
      log.info({ signal }, 'shutting down');
      resolve();
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
}
