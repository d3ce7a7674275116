// The ingest and the relay in the test process (not a black box), for relay tests that need
// to hand the relay a destination list directly, before the admin API exists in the test.
import { Writable } from 'node:stream';
import type { ExecutionContext } from 'ava';
import { createLogger } from '../../src/util/logger.js';
import { IngestServer } from '../../src/relay/ingest-server.js';
import { StaticIngestAuthorizer } from '../../src/relay/ingest-authorizer.js';
import { Relay, type DestinationSource } from '../../src/relay/relay.js';
import type { DestinationConfig } from '../../src/relay/destination.js';
import { avcSequenceHeader } from './media-fixtures.js';
import { connectPublisher, type RtmpPublisher } from './rtmp-publisher.js';
import type { RtmpSink, SinkPublish } from './rtmp-sink.js';

export interface InProcessRelay {
  readonly ingest: IngestServer;
  readonly relay: Relay;
  readonly rtmpPort: number;
  /** Destinations per event id (mutable: edit, then call relay.destinationChanged). */
  readonly destinations: Map<string, DestinationConfig[]>;
  /** JSON log lines so far (kept in memory, never on the TAP stream). */
  readonly logs: Array<Record<string, unknown>>;
}

export interface InProcessRelayOptions {
  ingestKeys: string[];
  stallTimeoutMs?: number;
  queueMs?: number;
  /** The byte cap of each destination queue (default 8 MiB). */
  queueBytes?: number;
  extraCaPem?: string | null;
  gopCacheBytes?: number;
  publishGraceMs?: number;
}

export async function startInProcessRelay(t: ExecutionContext, options: InProcessRelayOptions): Promise<InProcessRelay> {
  const logs: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line) logs.push(JSON.parse(line) as Record<string, unknown>);
      }
      callback();
    },
  });
  const log = createLogger({ level: 'debug', format: 'json', destination: sink });
  const destinations = new Map<string, DestinationConfig[]>();
  const source: DestinationSource = { destinationsOf: (eventId) => destinations.get(eventId) ?? [] };
  const relay = new Relay(
    source,
    {
      queue: { maxMediaMs: options.queueMs ?? 2000, maxBytes: options.queueBytes ?? 8 * 1024 * 1024 },
      stallTimeoutMs: options.stallTimeoutMs ?? 10_000,
      extraCaPem: options.extraCaPem ?? null,
    },
    log,
  );
  const ingest = new IngestServer({
    rtmpHost: '127.0.0.1',
    rtmpPort: 0,
    rtmpsPort: null,
    tls: null,
    maxConnections: 100,
    limits: { maxMessageSize: 8 * 1024 * 1024, handshakeTimeoutMs: 10_000, idleTimeoutMs: 10_000 },
    gopCacheBytes: options.gopCacheBytes ?? 16 * 1024 * 1024,
    playerQueueBytes: 8 * 1024 * 1024,
    takeoverSilenceMs: 3000,
    appName: 'live',
    publishGraceMs: options.publishGraceMs ?? 0,
    authorizer: new StaticIngestAuthorizer(options.ingestKeys),
    log,
  });
  ingest.observe(relay);
  await ingest.start();
  t.teardown(async () => {
    relay.stopAll();
    await ingest.stop();
  });
  return { ingest, relay, rtmpPort: ingest.rtmpPort, destinations, logs };
}

/** Polls `check` (cheap, in-process state) until it is true; fails after `timeoutMs`. */
export async function eventually(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export interface OneDestinationPublish {
  readonly publisher: RtmpPublisher;
  /** The publish as `sink` received it from the relay. */
  readonly publish: SinkPublish;
}

/**
 * The relay's event `eventId` gets one destination, `sink` (stream key `streamKey`); a publisher
 * publishes on `ingestKey` and sends an AVC sequence header. Resolves once the sink saw the publish.
 */
export async function publishToOneDestination(
  t: ExecutionContext,
  relay: InProcessRelay,
  sink: RtmpSink,
  keys: { readonly ingestKey: string; readonly eventId: string; readonly streamKey: string },
): Promise<OneDestinationPublish> {
  relay.destinations.set(keys.eventId, [
    { id: `dst_${keys.streamKey}`, systemName: keys.streamKey, primaryUrl: sink.url('live'), secondaryUrl: null, secondaryMode: 'redundant', streamKey: keys.streamKey, enabled: true },
  ]);
  const publisher = connectPublisher({ url: `rtmp://127.0.0.1:${relay.rtmpPort}/live`, streamName: keys.ingestKey });
  t.teardown(() => publisher.destroy());
  t.like(await publisher.outcome, { kind: 'publishing' });
  publisher.send(avcSequenceHeader());
  const publish = await sink.waitForPublish(undefined, 10_000);
  return { publisher, publish };
}
