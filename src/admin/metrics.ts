import type { DestinationStatus, DestinationTotals } from '../relay/destination.js';
import type { IngestTracker } from './ingest-tracker.js';
import { MetricsRegistry, type Sample } from './prometheus.js';
import { processMetricFamilies } from './process-metrics.js';
import type { RelayPort } from './relay-port.js';
import type { Store } from './store.js';

export const METRIC_PREFIX = 'rtmp_relay_';

const destinationLabels = (event: string, destination: { id: string; systemName: string }) => ({
  event,
  destination: destination.id,
  system_name: destination.systemName,
});

export interface MetricsSources {
  readonly store: Store;
  readonly tracker: IngestTracker;
  readonly relay: RelayPort;
  /** Inbound RTMP(S) connections open now, whatever they are doing. */
  inboundConnectionCount(): number;
}

/**
 * The metrics of CONTRACT §3. Every value is read from its owner when `/metrics` is scraped, so
 * the media path never calls into the metrics per message.
 */
export function createMetrics(sources: MetricsSources): MetricsRegistry {
  const registry = new MetricsRegistry();
  const { store, tracker, relay } = sources;

  registry.register({
    name: `${METRIC_PREFIX}ingest_bytes_total`,
    help: 'Media payload bytes received from the encoder, per event, since the process started.',
    type: 'counter',
    collect() {
      const events = new Set([...store.events.map((event) => event.id), ...tracker.eventIds()]);
      return [...events].map((event) => ({ labels: { event }, value: tracker.bytesTotal(event) }));
    },
  });

  registry.register({
    name: `${METRIC_PREFIX}ingest_live`,
    help: '1 while the event has a live publisher, else 0.',
    type: 'gauge',
    collect() {
      // A publish in its grace (publisher gone, destinations waiting) is not live: status says offline too.
      const live = new Map<string, number>(store.events.map((event) => [event.id, 0]));
      for (const ingest of tracker.liveIngests()) live.set(ingest.eventId, ingest.leftAt ? 0 : 1);
      return [...live].map(([event, value]) => ({ labels: { event }, value }));
    },
  });

  /** One sample per stored destination, from its relay status. */
  const perDestination = (read: (status: DestinationStatus | undefined) => number) => (): Sample[] => {
    const samples: Sample[] = [];
    for (const event of store.events) {
      const statuses = relay.status(event.id, event.destinations);
      for (const [i, destination] of event.destinations.entries()) {
        samples.push({ labels: destinationLabels(event.id, destination), value: read(statuses[i]) });
      }
    }
    return samples;
  };
  /** One sample per stored destination, from its totals since the process started (never going back). */
  const totalPerDestination = (read: (totals: DestinationTotals) => number) => (): Sample[] => {
    const samples: Sample[] = [];
    for (const event of store.events) {
      for (const destination of event.destinations) {
        samples.push({ labels: destinationLabels(event.id, destination), value: read(relay.totals(event.id, destination.id)) });
      }
    }
    return samples;
  };

  registry.register({
    name: `${METRIC_PREFIX}destination_bytes_total`,
    help: 'Bytes sent to the destination (all its connections).',
    type: 'counter',
    collect: totalPerDestination((totals) => totals.bytesSent),
  });

  registry.register({
    name: `${METRIC_PREFIX}destination_up`,
    help: '1 while at least one connection of the destination is live, else 0.',
    type: 'gauge',
    collect: perDestination((status) => (status?.state === 'live' ? 1 : 0)),
  });

  registry.register({
    name: `${METRIC_PREFIX}destination_reconnects_total`,
    help: 'Reconnects of the destination after a failure.',
    type: 'counter',
    collect: totalPerDestination((totals) => totals.reconnects),
  });

  registry.register({
    name: `${METRIC_PREFIX}destination_dropped_frames_total`,
    help: 'Frames dropped for the destination because its queue was over its bound.',
    type: 'counter',
    collect: totalPerDestination((totals) => totals.droppedFrames),
  });

  registry.register({
    name: `${METRIC_PREFIX}connections`,
    help: 'Open connections: inbound RTMP(S) (encoders, players, handshakes), publishers among them, and upstream destinations.',
    type: 'gauge',
    collect() {
      let publishers = 0;
      for (const ingest of tracker.liveIngests()) if (!ingest.leftAt) publishers++;
      return [
        { labels: { kind: 'inbound' }, value: sources.inboundConnectionCount() },
        { labels: { kind: 'publisher' }, value: publishers },
        { labels: { kind: 'destination' }, value: relay.destinationConnectionCount() },
      ];
    },
  });

  for (const family of processMetricFamilies(METRIC_PREFIX)) registry.register(family);
  return registry;
}
