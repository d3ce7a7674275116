import type { IngestObserver, LiveIngest } from '../relay/ingest-server.js';

/**
 * Follows the ingest's live/offline transitions (an IngestObserver: called once per publish start
 * and end, never per message) so status can say since when an event is offline and the byte
 * counter of an event survives its publishes.
 */
export class IngestTracker implements IngestObserver {
  private readonly live = new Map<string, LiveIngest>();
  private readonly bytesOfEndedPublishes = new Map<string, number>();
  private readonly offlineAt = new Map<string, Date>();
  private readonly forgotten = new Set<string>();

  onLive(ingest: LiveIngest): void {
    this.live.set(ingest.eventId, ingest);
    this.forgotten.delete(ingest.eventId);
  }

  onOffline(ingest: LiveIngest): void {
    this.live.delete(ingest.eventId);
    if (this.forgotten.delete(ingest.eventId)) return;
    this.bytesOfEndedPublishes.set(ingest.eventId, (this.bytesOfEndedPublishes.get(ingest.eventId) ?? 0) + ingest.stream.meter.total);
    this.offlineAt.set(ingest.eventId, new Date());
  }

  /** The event was deleted: drop what is known about it (its publish, if live, is ending). */
  forget(eventId: string): void {
    if (this.live.has(eventId)) this.forgotten.add(eventId);
    this.bytesOfEndedPublishes.delete(eventId);
    this.offlineAt.delete(eventId);
  }

  liveIngests(): IterableIterator<LiveIngest> {
    return this.live.values();
  }

  isLive(eventId: string): boolean {
    return this.live.has(eventId);
  }

  /** When the event's last publish in this process ended, if one did. */
  offlineSince(eventId: string): Date | undefined {
    return this.offlineAt.get(eventId);
  }

  /** Ingest payload bytes of the event since the process started (ended publishes and the live one). */
  bytesTotal(eventId: string): number {
    return (this.bytesOfEndedPublishes.get(eventId) ?? 0) + (this.live.get(eventId)?.stream.meter.total ?? 0);
  }

  /** Every event id with a byte count (live now or published earlier). */
  eventIds(): Set<string> {
    return new Set([...this.live.keys(), ...this.bytesOfEndedPublishes.keys()]);
  }
}
