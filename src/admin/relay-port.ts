import type { DestinationConfig, DestinationStatus, DestinationTotals } from '../relay/destination.js';

/**
 * What the admin API tells the relay and asks of it: the calls `Relay` (src/relay/relay.ts) offers,
 * so the admin side depends on this port, not on the relay's internals. An event's deletion ends its
 * pushes without a call here (the ingest disconnects its publisher, and the relay, an ingest
 * observer, ends them); eventRemoved() then lets the relay forget the event's totals.
 */
export interface RelayPort {
  /** Status of each of the event's destinations, in order (CONTRACT "Status"). */
  status(eventId: string, destinations: readonly DestinationConfig[], now?: number): DestinationStatus[];
  /** A destination was added or edited (the stored record). */
  destinationChanged(eventId: string, destination: DestinationConfig): void;
  destinationRemoved(eventId: string, destinationId: string): void;
  /** The event was deleted (after the ingest disconnected it). */
  eventRemoved(eventId: string): void;
  /** Bytes, reconnects and dropped frames of a destination since the process started (metrics). */
  totals(eventId: string, destinationId: string): DestinationTotals;
  /** Upstream connections open now (`connections{kind="destination"}`). */
  destinationConnectionCount(): number;
}
