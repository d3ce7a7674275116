import type { Socket } from 'node:net';
import type { RtmpMessage } from '../message/types.js';
import type { PreparedMessage } from '../chunk/encoder.js';
import { ServerSession } from '../session/server-session.js';
import type { ServerSessionEvent } from '../session/events.js';
import { SocketWriter } from './socket-writer.js';

export interface ServerConnectionLimits {
  maxMessageSize: number;
  handshakeTimeoutMs: number;
  idleTimeoutMs: number;
}

export interface PublishRequest {
  streamId: number;
  app: string;
  /** The publish name as sent, query included. */
  streamName: string;
  publishType: string;
}

export type Decision = { accept: true } | { accept: false; code: string; description: string };

/** What the ingest application does with a connection's requests and media. */
export interface ServerConnectionHandler {
  onPublishRequest(connection: ServerConnection, request: PublishRequest): Decision;
  onPlayRequest(connection: ServerConnection, request: PublishRequest): Decision;
  onMedia(connection: ServerConnection, message: RtmpMessage): void;
  onUnpublish(connection: ServerConnection, streamId: number): void;
  onStopPlay(connection: ServerConnection, streamId: number): void;
  onClose(connection: ServerConnection, reason: string): void;
  /** Every message of one socket read has been handed on (a batch boundary for fan-out). */
  onReadComplete?(connection: ServerConnection): void;
}

let nextConnectionId = 1;

/**
 * The socket adapter for one accepted RTMP(S) connection: feeds bytes to the sans-IO server
 * session, writes its output, enforces the handshake and idle timeouts, and closes with a reason.
 */
export class ServerConnection {
  readonly id = nextConnectionId++;
  readonly remoteAddress: string;
  readonly session: ServerSession;
  readonly writer: SocketWriter;
  private closedReason: string | null = null;
  private lastReadAt = Date.now();
  private handshakeTimer: NodeJS.Timeout | null;
  private idleTimer: NodeJS.Timeout | null = null;
  private readPaused = false;
  bytesReceived = 0;

  constructor(
    private readonly socket: Socket,
    private readonly handler: ServerConnectionHandler,
    private readonly limits: ServerConnectionLimits,
  ) {
    this.remoteAddress = socket.remoteAddress ?? 'unknown';
    this.session = new ServerSession({ maxMessageSize: limits.maxMessageSize });
    this.writer = new SocketWriter(socket);
    socket.setNoDelay(true);
    this.handshakeTimer = setTimeout(() => this.close('handshake timeout'), limits.handshakeTimeoutMs);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (error: Error) => this.close(`socket error: ${error.message}`));
    socket.on('close', () => this.close('peer closed'));
  }

  get isClosed(): boolean {
    return this.closedReason !== null;
  }

  /** Sends a message serialized once for many players. */
  sendPrepared(prepared: PreparedMessage, typeId: number, timestamp: number, streamId: number): boolean {
    return this.writer.writeMedia(this.session.chunkConnection.sendPrepared(prepared, typeId, timestamp, streamId));
  }

  sendMessage(message: RtmpMessage, csid: number): boolean {
    return this.writer.writeMedia(this.session.chunkConnection.sendMessage(message, csid));
  }

  /** Closes once; the reason is handed to the handler for the log. */
  close(reason: string, flush = false): void {
    if (this.closedReason !== null) return;
    this.closedReason = reason;
    if (this.handshakeTimer) clearTimeout(this.handshakeTimer);
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.handshakeTimer = this.idleTimer = null;
    if (flush) this.writer.end();
    else this.writer.destroy();
    this.handler.onClose(this, reason);
  }

  private onData(chunk: Buffer): void {
    if (this.closedReason !== null) return;
    this.bytesReceived += chunk.length;
    this.lastReadAt = Date.now();
    const out = this.session.handle(chunk);
    this.writer.write(out.send);
    if (!this.readPaused && this.writer.bufferedBytes > this.writer.highWaterMark) this.pauseReading();
    for (const event of out.events) {
      this.onEvent(event);
      if (this.closedReason !== null) return;
    }
    this.handler.onReadComplete?.(this);
  }

  private onEvent(event: ServerSessionEvent): void {
    switch (event.type) {
      case 'media':
        this.handler.onMedia(this, event.message);
        return;
      case 'publish-request': {
        const decision = this.handler.onPublishRequest(this, event);
        if (decision.accept) {
          const accepted = this.session.acceptPublish(event.streamId, event.streamName);
          this.writer.write(accepted.send);
          this.clearHandshakeTimer();
          this.armIdleTimer();
          for (const held of accepted.events) this.onEvent(held);
        } else {
          this.writer.write(this.session.rejectPublish(event.streamId, decision.code, decision.description));
          this.close(`publish refused: ${decision.code}`, true);
        }
        return;
      }
      case 'play-request': {
        const decision = this.handler.onPlayRequest(this, { ...event, publishType: 'play' });
        if (decision.accept) {
          this.clearHandshakeTimer();
        } else {
          this.writer.write(this.session.rejectPlay(event.streamId, decision.code, decision.description));
          this.close(`play refused: ${decision.code}`, true);
        }
        return;
      }
      case 'unpublish':
        this.handler.onUnpublish(this, event.streamId);
        return;
      case 'stop-play':
        this.handler.onStopPlay(this, event.streamId);
        return;
      case 'error':
        this.close(`protocol error ${event.error.code}: ${event.error.message}`);
        return;
      default:
        return;
    }
  }

  /**
   * A peer that does not read what we answer (a Ping Request flood, say) would make us buffer the
   * answers without bound: stop reading it until its socket drains, so it stalls at its own TCP
   * window, and the idle timeout deals with it if it never reads.
   */
  private pauseReading(): void {
    this.readPaused = true;
    this.socket.pause();
    this.socket.once('drain', () => {
      this.readPaused = false;
      if (this.closedReason === null) this.socket.resume();
    });
  }

  private clearHandshakeTimer(): void {
    if (this.handshakeTimer) clearTimeout(this.handshakeTimer);
    this.handshakeTimer = null;
  }

  /** One timer per idle period, re-armed for the time left, instead of a reset on every read. */
  private armIdleTimer(): void {
    const timeout = this.limits.idleTimeoutMs;
    const check = (): void => {
      const silentFor = Date.now() - this.lastReadAt;
      if (silentFor >= timeout) this.close(`idle timeout: nothing received for ${silentFor} ms`);
      else this.idleTimer = setTimeout(check, timeout - silentFor);
    };
    this.idleTimer = setTimeout(check, timeout);
  }

  /** Milliseconds since the peer last sent anything (for the half-open takeover rule). */
  silentForMs(now = Date.now()): number {
    return now - this.lastReadAt;
  }
}
