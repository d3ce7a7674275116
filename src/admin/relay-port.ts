import type { DestinationConfig, DestinationStatus } from '../relay/destination.js';

/**
 * What the admin API tells the relay and asks of it: the same three calls `Relay` (src/relay/relay.ts)
 * offers, so the relay plugs in as it is. Until it is wired in, `IdleRelayPort` reports every
 * destination idle (or disabled) and nothing is pushed. An event's deletion needs no call: the
 * ingest disconnects its publisher, and the relay, an ingest observer, ends its pushes.
 */
export interface RelayPort {
  /** Status of each of the event's destinations, in order (CONTRACT "Status"). */
  status(eventId: string, destinations: readonly DestinationConfig[], now?: number): DestinationStatus[];
  /** A destination was added or edited (the stored record). */
  destinationChanged(eventId: string, destination: DestinationConfig): void;
  destinationRemoved(eventId: string, destinationId: string): void;
  /** Upstream connections open now (`connections{kind="destination"}`); 0 when not known. */
  destinationConnectionCount?(): number;
}

export class IdleRelayPort implements RelayPort {
  constructor(private readonly since: Date = new Date()) {}

  status(_eventId: string, destinations: readonly DestinationConfig[]): DestinationStatus[] {
    return destinations.map((destination) => ({
      id: destination.id,
      systemName: destination.systemName,
      state: destination.enabled ? 'idle' : 'disabled',
      activeUrl: null,
      since: this.since.toISOString(),
      bytesSent: 0,
      bitrateKbps: 0,
      droppedFrames: 0,
      reconnects: 0,
      lastError: null,
      connections: [],
    }));
  }

  destinationChanged(): void {}

  destinationRemoved(): void {}

  destinationConnectionCount(): number {
    return 0;
  }
}
