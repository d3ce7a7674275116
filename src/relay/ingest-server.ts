import type { Socket } from 'node:net';
import type { Logger } from '../util/logger.js';
import { maskSecret } from '../util/mask.js';
import { listen, type Listener } from '../rtmp/net/listener.js';
import {
  ServerConnection,
  type Decision,
  type PublishRequest,
  type ServerConnectionHandler,
  type ServerConnectionLimits,
} from '../rtmp/net/server-connection.js';
import type { RtmpMessage } from '../rtmp/message/types.js';
import { BruteForceGuard } from './brute-force-guard.js';
import { appNameOf, ingestKeyOf, type IngestAuthorizer } from './ingest-authorizer.js';
import { LiveStream } from './live-stream.js';
import { Player } from './player.js';

export interface IngestServerOptions {
  rtmpHost: string;
  rtmpPort: number;
  rtmpsPort: number | null;
  tls: { cert: string | Buffer; key: string | Buffer } | null;
  maxConnections: number;
  limits: ServerConnectionLimits;
  gopCacheBytes: number;
  /** Bytes a preview player may have waiting before it is dropped. */
  playerQueueBytes: number;
  /** A live publisher silent this long may be taken over by a new one (CONTRACT §2: 3 s). */
  takeoverSilenceMs: number;
  /** The application name encoders publish to (CONTRACT §2: `live`). */
  appName: string;
  /** How long destinations stay connected after the publisher drops (CONTRACT --publish-grace). */
  publishGraceMs?: number;
  authorizer: IngestAuthorizer;
  log: Logger;
  guard?: BruteForceGuard;
}

/** One event's live ingest: its stream and the connection publishing it. */
export interface LiveIngest {
  readonly eventId: string;
  readonly ingestKey: string;
  readonly stream: LiveStream;
  publisher: ServerConnection;
  publisherStreamId: number;
  readonly since: Date;
  /** Set while the publisher is gone and the grace runs: the stream waits for it to come back. */
  graceTimer: NodeJS.Timeout | null;
  /** When the publisher left, while the grace runs (status shows the ingest offline since then). */
  leftAt: Date | null;
}

/** Hooks for the relay (issue 4/8): a live stream begins or ends. */
export interface IngestObserver {
  onLive?(ingest: LiveIngest): void;
  onOffline?(ingest: LiveIngest): void;
}

/**
 * The ingest side of rtmp-relay: RTMP and RTMPS listeners, publish authorization by ingest key,
 * one live stream per event with takeover of a silent publisher, preview players, and the
 * per-address brute-force limit.
 */
export class IngestServer implements ServerConnectionHandler {
  private readonly listeners: Listener[] = [];
  private readonly connections = new Set<ServerConnection>();
  private readonly live = new Map<string, LiveIngest>();
  private readonly publishing = new Map<ServerConnection, LiveIngest>();
  private readonly players = new Map<ServerConnection, { ingest: LiveIngest; player: Player }>();
  readonly guard: BruteForceGuard;
  private readonly observers: IngestObserver[] = [];
  private stopping = false;
  rtmpPort = 0;
  rtmpsPort: number | null = null;

  constructor(private readonly options: IngestServerOptions) {
    this.guard = options.guard ?? new BruteForceGuard();
  }

  observe(observer: IngestObserver): void {
    this.observers.push(observer);
  }

  get connectionCount(): number {
    return this.connections.size;
  }

  liveIngest(eventId: string): LiveIngest | undefined {
    return this.live.get(eventId);
  }

  async start(): Promise<void> {
    const { options } = this;
    const rtmp = await listen({
      host: options.rtmpHost,
      port: options.rtmpPort,
      admit: (socket) => this.admit(socket),
      onConnection: (socket) => this.accept(socket),
    });
    this.listeners.push(rtmp);
    this.rtmpPort = rtmp.port;
    options.log.info({ service: 'rtmp', host: options.rtmpHost, port: rtmp.port }, 'listening');
    if (options.rtmpsPort !== null && options.tls) {
      const rtmps = await listen({
        host: options.rtmpHost,
        port: options.rtmpsPort,
        tls: options.tls,
        admit: (socket) => this.admit(socket),
        onConnection: (socket) => this.accept(socket),
        onTlsError: (error, remoteAddress) => options.log.debug({ remoteAddress, err: error.message }, 'tls handshake failed'),
      });
      this.listeners.push(rtmps);
      this.rtmpsPort = rtmps.port;
      options.log.info({ service: 'rtmps', host: options.rtmpHost, port: rtmps.port }, 'listening');
    }
  }

  /** Stops accepting, ends every publish and play, and closes every connection. */
  async stop(): Promise<void> {
    this.stopping = true;
    const closing = Promise.all(this.listeners.map((listener) => listener.close()));
    for (const ingest of [...this.live.values()]) this.endIngest(ingest, 'server shutting down');
    for (const connection of [...this.connections]) connection.close('server shutting down', true);
    await closing;
  }

  /** Disconnects an event's publisher (its event was deleted). */
  disconnect(eventId: string, reason: string): void {
    const ingest = this.live.get(eventId);
    if (!ingest) return;
    this.publishing.delete(ingest.publisher);
    ingest.publisher.close(reason, true);
    this.endIngest(ingest, reason);
  }

  /** True while the event's publisher is gone and its grace runs. */
  inGrace(eventId: string): boolean {
    return this.live.get(eventId)?.graceTimer != null;
  }

  private admit(socket: Socket): boolean {
    const address = socket.remoteAddress ?? 'unknown';
    if (this.stopping) return false;
    if (this.connections.size >= this.options.maxConnections) {
      this.options.log.warn({ remoteAddress: address, maxConnections: this.options.maxConnections }, 'connection refused: too many connections');
      return false;
    }
    if (this.guard.isBanned(address, Date.now())) return false;
    return true;
  }

  private accept(socket: Socket): void {
    const connection = new ServerConnection(socket, this, this.options.limits);
    this.connections.add(connection);
    this.options.log.debug({ connection: connection.id, remoteAddress: connection.remoteAddress }, 'connection accepted');
  }

  onPublishRequest(connection: ServerConnection, request: PublishRequest): Decision {
    const key = ingestKeyOf(request.streamName);
    const masked = maskSecret(key);
    const eventId = appNameOf(request.app) === this.options.appName ? this.options.authorizer.eventForKey(key) : null;
    if (eventId === null) {
      const banned = this.guard.recordFailure(connection.remoteAddress, Date.now());
      this.options.log.warn({ connection: connection.id, remoteAddress: connection.remoteAddress, app: request.app, key: masked }, 'publish refused: unknown key or app');
      if (banned) this.options.log.warn({ remoteAddress: connection.remoteAddress, banS: this.guard.options.banMs / 1000 }, 'address throttled: too many refused publishes');
      return { accept: false, code: 'NetStream.Publish.BadName', description: 'Unknown stream key or application.' };
    }
    const current = this.live.get(eventId);
    if (current && current.graceTimer) {
      // The encoder is back within the grace: same stream, same destinations, timeline continued.
      clearTimeout(current.graceTimer);
      current.graceTimer = null;
      current.leftAt = null;
      current.publisher = connection;
      current.publisherStreamId = request.streamId;
      current.stream.continueWithNewPublisher();
      this.publishing.set(connection, current);
      this.options.log.info({ event: eventId, connection: connection.id, key: masked }, 'publisher returned within the grace');
      return { accept: true };
    }
    if (current) {
      const silentFor = current.publisher.silentForMs();
      if (silentFor < this.options.takeoverSilenceMs) {
        this.options.log.warn({ connection: connection.id, event: eventId }, 'publish refused: event already has a live publisher');
        return { accept: false, code: 'NetStream.Publish.BadName', description: 'Stream is already being published.' };
      }
      // A half-open connection (the encoder's network dropped): the new publisher takes over.
      this.options.log.info({ event: eventId, connection: connection.id, previous: current.publisher.id, silentForMs: silentFor }, 'publisher takeover');
      const previous = current.publisher;
      this.publishing.delete(previous);
      current.publisher = connection;
      current.publisherStreamId = request.streamId;
      current.stream.continueWithNewPublisher();
      this.publishing.set(connection, current);
      previous.close('taken over by a new publisher');
      return { accept: true };
    }
    const ingest: LiveIngest = {
      eventId,
      ingestKey: key,
      stream: new LiveStream({ gopCacheBytes: this.options.gopCacheBytes }),
      publisher: connection,
      publisherStreamId: request.streamId,
      since: new Date(),
      graceTimer: null,
      leftAt: null,
    };
    this.live.set(eventId, ingest);
    this.publishing.set(connection, ingest);
    this.options.log.info({ event: eventId, connection: connection.id, remoteAddress: connection.remoteAddress, key: masked }, 'publish started');
    for (const observer of this.observers) observer.onLive?.(ingest);
    return { accept: true };
  }

  onPlayRequest(connection: ServerConnection, request: PublishRequest): Decision {
    const key = ingestKeyOf(request.streamName);
    const eventId = appNameOf(request.app) === this.options.appName ? this.options.authorizer.eventForKey(key) : null;
    const ingest = eventId === null ? undefined : this.live.get(eventId);
    if (!ingest) {
      return { accept: false, code: 'NetStream.Play.StreamNotFound', description: 'No live stream with this key.' };
    }
    connection.writer.write(connection.session.acceptPlay(request.streamId, request.streamName));
    const player = new Player(connection, request.streamId, request.streamName, this.options.playerQueueBytes);
    this.players.set(connection, { ingest, player });
    ingest.stream.subscribe(player);
    this.options.log.info({ event: ingest.eventId, connection: connection.id, remoteAddress: connection.remoteAddress }, 'play started');
    return { accept: true };
  }

  onMedia(connection: ServerConnection, message: RtmpMessage): void {
    const ingest = this.publishing.get(connection);
    if (ingest) ingest.stream.publish(message, Date.now());
  }

  onReadComplete(connection: ServerConnection): void {
    this.publishing.get(connection)?.stream.flush();
  }

  onUnpublish(connection: ServerConnection): void {
    const ingest = this.publishing.get(connection);
    // The client closes its connection after FCUnpublish/deleteStream (GStreamer's rtmp2sink reports
    // an error if we close first); one that lingers is closed by the idle timeout.
    if (ingest) this.publisherGone(ingest, 'publisher unpublished', false);
  }

  onStopPlay(connection: ServerConnection): void {
    this.dropPlayer(connection);
    connection.close('player stopped', true);
  }

  onClose(connection: ServerConnection, reason: string): void {
    this.connections.delete(connection);
    this.options.log.info({ connection: connection.id, remoteAddress: connection.remoteAddress, reason }, 'connection closed');
    const ingest = this.publishing.get(connection);
    if (ingest) this.publisherGone(ingest, reason);
    this.dropPlayer(connection);
  }

  /**
   * The publisher left. Destinations stay connected for the grace, waiting for the encoder to come
   * back (CONTRACT §4); without a grace, or when it runs out, the publish ends for good.
   */
  private publisherGone(ingest: LiveIngest, reason: string, closeConnection = true): void {
    const connection = ingest.publisher;
    this.publishing.delete(connection);
    if (closeConnection && !connection.isClosed) connection.close(reason, true);
    const grace = this.options.publishGraceMs ?? 0;
    if (grace <= 0 || this.stopping) {
      this.endIngest(ingest, reason);
      return;
    }
    this.options.log.info({ event: ingest.eventId, reason, graceMs: grace }, 'publisher gone; destinations wait for the grace');
    ingest.leftAt = new Date();
    ingest.graceTimer = setTimeout(() => {
      ingest.graceTimer = null;
      this.endIngest(ingest, `publisher did not return within ${grace} ms (${reason})`);
    }, grace);
  }

  private dropPlayer(connection: ServerConnection): void {
    const entry = this.players.get(connection);
    if (!entry) return;
    this.players.delete(connection);
    entry.ingest.stream.unsubscribe(entry.player);
  }

  private endIngest(ingest: LiveIngest, reason: string): void {
    if (this.live.get(ingest.eventId) !== ingest) return;
    if (ingest.graceTimer) clearTimeout(ingest.graceTimer);
    ingest.graceTimer = null;
    this.live.delete(ingest.eventId);
    this.publishing.delete(ingest.publisher);
    this.options.log.info({ event: ingest.eventId, reason, bytes: ingest.stream.meter.total }, 'publish ended');
    ingest.stream.end();
    for (const observer of this.observers) observer.onOffline?.(ingest);
  }
}
