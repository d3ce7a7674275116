import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import type { IngestTracker } from './ingest-tracker.js';
import type { RelayPort } from './relay-port.js';
import type { Store } from './store.js';

export const METRIC_PREFIX = 'rtmp_relay_';

export interface MetricsSources {
  readonly store: Store;
  readonly tracker: IngestTracker;
  readonly relay: RelayPort;
  /** Inbound RTMP(S) connections open now, whatever they are doing. */
  inboundConnectionCount(): number;
}

/**
 * The Prometheus registry of CONTRACT §3. Every value is read from its owner when `/metrics` is
 * scraped (the `collect` hooks), so the media path never calls into prom-client per message.
 */
export function createMetrics(sources: MetricsSources): Registry {
  const registry = new Registry();
  const { store, tracker, relay } = sources;
  const registers = [registry];

  new Counter({
    name: `${METRIC_PREFIX}ingest_bytes_total`,
    help: 'Media payload bytes received from the encoder, per event, since the process started.',
    labelNames: ['event'],
    registers,
    collect() {
      this.reset();
      const events = new Set([...store.events.map((event) => event.id), ...tracker.eventIds()]);
      for (const event of events) this.inc({ event }, tracker.bytesTotal(event));
    },
  });

  new Gauge({
    name: `${METRIC_PREFIX}ingest_live`,
    help: '1 while the event has a live publisher, else 0.',
    labelNames: ['event'],
    registers,
    collect() {
      this.reset();
      // A publish in its grace (publisher gone, destinations waiting) is not live: status says offline too.
      for (const event of store.events) this.set({ event: event.id }, 0);
      for (const ingest of tracker.liveIngests()) this.set({ event: ingest.eventId }, ingest.leftAt ? 0 : 1);
    },
  });

  const destinationLabels = ['event', 'destination', 'system_name'] as const;
  /** Each stored destination with its relay status. */
  const destinations = function* () {
    for (const event of store.events) {
      const statuses = relay.status(event.id, event.destinations);
      for (const [i, destination] of event.destinations.entries()) {
        const labels = { event: event.id, destination: destination.id, system_name: destination.systemName };
        yield { labels, status: statuses[i] };
      }
    }
  };

  new Counter({
    name: `${METRIC_PREFIX}destination_bytes_total`,
    help: 'Bytes sent to the destination (all its connections).',
    labelNames: destinationLabels,
    registers,
    collect() {
      this.reset();
      for (const { labels, status } of destinations()) this.inc(labels, status?.bytesSent ?? 0);
    },
  });

  new Gauge({
    name: `${METRIC_PREFIX}destination_up`,
    help: '1 while at least one connection of the destination is live, else 0.',
    labelNames: destinationLabels,
    registers,
    collect() {
      this.reset();
      for (const { labels, status } of destinations()) this.set(labels, status?.state === 'live' ? 1 : 0);
    },
  });

  new Counter({
    name: `${METRIC_PREFIX}destination_reconnects_total`,
    help: 'Reconnects of the destination after a failure.',
    labelNames: destinationLabels,
    registers,
    collect() {
      this.reset();
      for (const { labels, status } of destinations()) this.inc(labels, status?.reconnects ?? 0);
    },
  });

  new Counter({
    name: `${METRIC_PREFIX}destination_dropped_frames_total`,
    help: 'Frames dropped for the destination because its queue was over its bound.',
    labelNames: destinationLabels,
    registers,
    collect() {
      this.reset();
      for (const { labels, status } of destinations()) this.inc(labels, status?.droppedFrames ?? 0);
    },
  });

  new Gauge({
    name: `${METRIC_PREFIX}connections`,
    help: 'Open connections: inbound RTMP(S) (encoders, players, handshakes), publishers among them, and upstream destinations.',
    labelNames: ['kind'],
    registers,
    collect() {
      this.set({ kind: 'inbound' }, sources.inboundConnectionCount());
      let publishers = 0;
      for (const ingest of tracker.liveIngests()) if (!ingest.leftAt) publishers++;
      this.set({ kind: 'publisher' }, publishers);
      this.set({ kind: 'destination' }, relay.destinationConnectionCount());
    },
  });

  collectDefaultMetrics({ register: registry, prefix: METRIC_PREFIX });
  return registry;
}
