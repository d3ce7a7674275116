import type { Logger } from '../util/logger.js';
import { DestinationPush, type DestinationConfig, type DestinationStatus, type RelaySettings } from './destination.js';
import type { IngestObserver, LiveIngest } from './ingest-server.js';

/** Where the relay reads an event's destinations (the store, or a fixed list in tests). */
export interface DestinationSource {
  destinationsOf(eventId: string): readonly DestinationConfig[];
}

/** Fields whose change makes a live destination reconnect (CONTRACT §3 PATCH). */
function needsReconnect(before: DestinationConfig, after: DestinationConfig): boolean {
  return (
    before.primaryUrl !== after.primaryUrl ||
    before.secondaryUrl !== after.secondaryUrl ||
    before.secondaryMode !== after.secondaryMode ||
    before.streamKey !== after.streamKey
  );
}

interface LiveEvent {
  readonly ingest: LiveIngest;
  readonly pushes: Map<string, DestinationPush>;
}

/**
 * Re-streams every live event to its enabled destinations, and applies live edits: an added
 * destination starts at once from the GOP cache, an edit of URL, mode or key reconnects only that
 * destination, disabling or deleting ends it cleanly, and the others never notice.
 */
export class Relay implements IngestObserver {
  private readonly live = new Map<string, LiveEvent>();

  constructor(
    private readonly source: DestinationSource,
    private readonly settings: RelaySettings,
    private readonly log: Logger,
  ) {}

  onLive(ingest: LiveIngest): void {
    const event: LiveEvent = { ingest, pushes: new Map() };
    this.live.set(ingest.eventId, event);
    for (const config of this.source.destinationsOf(ingest.eventId)) {
      if (config.enabled) this.startPush(event, config);
    }
  }

  onOffline(ingest: LiveIngest): void {
    const event = this.live.get(ingest.eventId);
    if (!event || event.ingest !== ingest) return;
    this.live.delete(ingest.eventId);
    for (const push of event.pushes.values()) push.stop();
  }

  /** A destination was added or edited. */
  destinationChanged(eventId: string, config: DestinationConfig): void {
    const event = this.live.get(eventId);
    if (!event) return;
    const running = event.pushes.get(config.id);
    if (!config.enabled) {
      if (running) {
        running.stop();
        event.pushes.delete(config.id);
      }
      return;
    }
    if (running && !needsReconnect(running.config, config)) {
      // A rename or nothing the wire sees: keep the connection, show the new name.
      event.pushes.set(config.id, running.withConfig(config));
      return;
    }
    if (running) running.stop();
    this.startPush(event, config);
  }

  destinationRemoved(eventId: string, destinationId: string): void {
    const event = this.live.get(eventId);
    const running = event?.pushes.get(destinationId);
    if (!event || !running) return;
    running.stop();
    event.pushes.delete(destinationId);
  }

  /** Status of every destination of an event, running or not (CONTRACT "Status"). */
  status(eventId: string, configs: readonly DestinationConfig[], now = Date.now()): DestinationStatus[] {
    const event = this.live.get(eventId);
    return configs.map((config) => {
      const running = event?.pushes.get(config.id);
      if (running) return running.status(now);
      return {
        id: config.id,
        systemName: config.systemName,
        state: config.enabled ? 'idle' : 'disabled',
        activeUrl: null,
        since: (event?.ingest.since ?? new Date(now)).toISOString(),
        bytesSent: 0,
        bitrateKbps: 0,
        droppedFrames: 0,
        reconnects: 0,
        lastError: null,
        connections: [],
      };
    });
  }

  /** Upstream connections open now (`connections{kind="destination"}`). */
  destinationConnectionCount(): number {
    let open = 0;
    for (const event of this.live.values()) for (const push of event.pushes.values()) open += push.openConnections;
    return open;
  }

  /** Ends every push cleanly (shutdown). */
  stopAll(): void {
    for (const event of this.live.values()) for (const push of event.pushes.values()) push.stop();
    this.live.clear();
  }

  private startPush(event: LiveEvent, config: DestinationConfig): void {
    const push = new DestinationPush(config, event.ingest.stream, this.settings, this.log.child({ event: event.ingest.eventId }));
    event.pushes.set(config.id, push);
    push.start();
  }
}
