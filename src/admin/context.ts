import type { IngestServer } from '../relay/ingest-server.js';
import type { Logger } from '../util/logger.js';
import type { IngestTracker } from './ingest-tracker.js';
import type { MetricsRegistry } from './prometheus.js';
import type { RelayPort } from './relay-port.js';
import type { Store } from './store.js';

/** What the admin routes work with. */
export interface AdminContext {
  readonly store: Store;
  readonly ingest: Pick<IngestServer, 'liveIngest' | 'disconnect'>;
  readonly tracker: IngestTracker;
  readonly relay: RelayPort;
  readonly metrics: MetricsRegistry;
  /** The ingest URL shown to admins (`--public-url`, or rtmp://<hostname>:<rtmp-port>/live). */
  readonly ingestUrl: string;
  readonly version: string;
  readonly startedAt: Date;
  readonly log: Logger;
}
