import type { Logger } from '../util/logger.js';
import { DestinationPush, NO_TOTALS, addTotals, type DestinationConfig, type DestinationStatus, type DestinationTotals, type RelaySettings } from './destination.js';
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
  /**
   * Counters of pushes that ended (a new publish, a key change, a disable), per event and
   * destination, so a destination's totals never go back while the process runs. Deleting the
   * destination or its event deletes them.
   */
  private readonly ended = new Map<string, Map<string, DestinationTotals>>();

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
    for (const push of event.pushes.values()) this.end(ingest.eventId, push);
  }

  /** A destination was added or edited. */
  destinationChanged(eventId: string, config: DestinationConfig): void {
    const event = this.live.get(eventId);
    if (!event) return;
    const running = event.pushes.get(config.id);
    if (!config.enabled) {
      if (running) {
        this.end(eventId, running);
        event.pushes.delete(config.id);
      }
      return;
    }
    if (running && !needsReconnect(running.config, config)) {
      // A rename or nothing the wire sees: keep the connection, show the new name.
      event.pushes.set(config.id, running.withConfig(config));
      return;
    }
    if (running) this.end(eventId, running);
    this.startPush(event, config);
  }

  destinationRemoved(eventId: string, destinationId: string): void {
    this.ended.get(eventId)?.delete(destinationId); // gone: its series ends with it
    const event = this.live.get(eventId);
    const running = event?.pushes.get(destinationId);
    if (!event || !running) return;
    running.stop();
    event.pushes.delete(destinationId);
  }

  /**
   * An event was deleted. Its publish, and so its pushes, ended first (the ingest disconnects it);
   * the totals of its destinations go now, as they would one by one with destinationRemoved().
   */
  eventRemoved(eventId: string): void {
    this.ended.delete(eventId);
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

  /** Bytes, reconnects and dropped frames of a destination since the process started. */
  totals(eventId: string, destinationId: string): DestinationTotals {
    const ended = this.ended.get(eventId)?.get(destinationId) ?? NO_TOTALS;
    const running = this.live.get(eventId)?.pushes.get(destinationId)?.totals() ?? NO_TOTALS;
    return addTotals(ended, running);
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

  /** Stops a destination's push and keeps its counters for totals(). */
  private end(eventId: string, push: DestinationPush): void {
    push.stop(); // its last writes count too
    let ofEvent = this.ended.get(eventId);
    if (!ofEvent) this.ended.set(eventId, (ofEvent = new Map()));
    const id = push.config.id;
    ofEvent.set(id, addTotals(ofEvent.get(id) ?? NO_TOTALS, push.totals()));
  }

  private startPush(event: LiveEvent, config: DestinationConfig): void {
    const push = new DestinationPush(config, event.ingest.stream, this.settings, this.log.child({ event: event.ingest.eventId }));
    event.pushes.set(config.id, push);
    push.start();
  }
}
