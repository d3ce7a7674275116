import type { Socket } from 'node:net';
import type { Logger } from '../util/logger.js';
import { maskIn } from '../util/mask.js';
import { dial } from '../rtmp/net/dialer.js';
import { SocketWriter } from '../rtmp/net/socket-writer.js';
import { ClientSession } from '../rtmp/session/client-session.js';
import type { PublishTarget } from '../rtmp/session/publish-target.js';
import type { ClientSessionEvent } from '../rtmp/session/events.js';
import { RetryPlan } from './retry-plan.js';
import { BitrateMeter } from './bitrate.js';
import { DestinationQueue, type DestinationQueueLimits } from './destination-queue.js';
import type { LiveStream, StreamMessage, StreamSubscriber } from './live-stream.js';

export type PushState = 'connecting' | 'live' | 'retrying' | 'stopped';
export type UrlRole = 'primary' | 'secondary';

export interface PushTarget {
  role: UrlRole;
  target: PublishTarget;
}

export interface PushConnectionOptions {
  /**
   * One target, or (failover mode) the primary then the secondary: a failure moves to the other
   * target, so the push stays on whichever works and returns to the primary only when the
   * secondary fails (CONTRACT §4).
   */
  targets: readonly PushTarget[];
  stream: LiveStream;
  queue: DestinationQueueLimits;
  /** No acknowledgement (or, from a server that never acknowledges, no writable socket) this long → retry. */
  stallTimeoutMs: number;
  extraCaPem: string | null;
  log: Logger;
  /** Called whenever state changes (status, metrics). */
  onStateChange?: (connection: PushConnection) => void;
}

/**
 * Bounds of the acknowledgement window we ask destinations for (librtmp and SRS ask for 2.5 MB).
 * Every push starts at the minimum, so the first acknowledgement comes early: until it does, a
 * destination that stopped reading cannot be told from one that never acknowledges (judged by
 * backpressure alone); after it, the push asks for its queue's window.
 */
export const MIN_DESTINATION_ACK_WINDOW = 256 * 1024;
export const MAX_DESTINATION_ACK_WINDOW = 2_500_000;

/**
 * The acknowledgement window for a destination queue once the first acknowledgement came:
 * unacknowledged bytes count toward the queue's byte bound, so the window is an eighth of it (1 MiB
 * for the default 8 MiB), which keeps that estimate within 1/8 of the bound. Not smaller: every
 * acknowledgement wakes the relay to read it, and at 256 KiB they were a tenth of its CPU at 16
 * destinations.
 */
export function destinationAckWindow(maxQueueBytes: number): number {
  return Math.min(MAX_DESTINATION_ACK_WINDOW, Math.max(MIN_DESTINATION_ACK_WINDOW, Math.floor(maxQueueBytes / 8)));
}

/**
 * One push of a live stream to one URL: dial, publish with the client session, send metadata,
 * sequence headers and the GOP from its last keyframe, then follow live through a bounded queue.
 * Timestamps are rebased to start near 0 on every connect and never go backwards. A failure is
 * retried with backoff until stop().
 */
export class PushConnection implements StreamSubscriber {
  state: PushState = 'connecting';
  since = new Date();
  bytesSent = 0;
  reconnects = 0;
  lastError: string | null = null;
  readonly meter = new BitrateMeter();
  private readonly plan: RetryPlan;
  private readonly queue: DestinationQueue;
  private droppedBefore = 0;
  private socket: Socket | null = null;
  private writer: SocketWriter | null = null;
  private session: ClientSession | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  private stallTimer: NodeJS.Timeout | null = null;
  private publishTimer: NodeJS.Timeout | null = null;
  private subscribed = false;
  /** Publisher timestamp that maps to 0 on this connection; null until the first media. */
  private base: number | null = null;
  /** The last timestamp sent per track (audio, video, data): each track never goes back. */
  private readonly lastTimestamps = new Float64Array(3);
  private lastProgressAt = 0;
  private attempt = 0;
  /** The acknowledgement window asked for once the first acknowledgement came (destinationAckWindow). */
  private readonly ackWindow: number;

  constructor(private readonly options: PushConnectionOptions) {
    this.plan = new RetryPlan(options.targets.length);
    this.queue = new DestinationQueue(options.queue);
    this.ackWindow = destinationAckWindow(options.queue.maxBytes);
  }

  /** The URL this push uses now. */
  get role(): UrlRole {
    return this.current.role;
  }

  private get current(): PushTarget {
    return this.options.targets[this.plan.current]!;
  }

  get droppedFrames(): number {
    return this.droppedBefore + this.queue.droppedFrames;
  }

  start(): void {
    if (this.state === 'stopped') return;
    void this.connect();
  }

  /** Ends the push: cleanly (FCUnpublish, deleteStream, close) when it is live. */
  stop(): void {
    if (this.state === 'stopped') return;
    this.unsubscribe();
    this.clearTimers();
    if (this.session && this.writer && this.session.isPublishing) {
      this.pump(true); // what the publisher sent last still goes out before the clean end
      this.writer.write(this.session.finish());
      this.writer.end();
      this.options.log.info({ role: this.current.role, host: this.current.target.host }, 'destination push ended');
    } else {
      this.writer?.destroy();
      this.socket?.destroy();
    }
    this.setState('stopped');
  }

  /** Queues a message; it is written at the next flush() (the end of the publisher's read). */
  deliver(item: StreamMessage): void {
    if (this.state !== 'live') return;
    const timestamp = this.rebase(item);
    const acks = this.session!.chunkConnection.acks;
    // A server that never acknowledges is judged by backpressure alone (see checkStall): counting
    // everything ever sent as unacknowledged would drop its video for good after the byte cap.
    this.queue.push(item, timestamp, acks.lastAckAt === undefined ? 0 : acks.unacknowledgedBytes);
  }

  /** Writes what is queued, as one batch of socket writes, while the socket takes it. */
  flush(): void {
    if (this.writer?.canWrite) this.pump();
  }

  /** The publish ended for good: this push ends cleanly too. */
  end(): void {
    this.stop();
  }

  private async connect(): Promise<void> {
    const attempt = ++this.attempt;
    this.setState('connecting');
    const { log } = this.options;
    const { target, role } = this.current;
    let socket: Socket;
    try {
      socket = await dial(target, { extraCaPem: this.options.extraCaPem, connectTimeoutMs: this.options.stallTimeoutMs });
    } catch (error) {
      if (attempt === this.attempt) this.fail(`connect failed: ${(error as Error).message}`);
      return;
    }
    if (attempt !== this.attempt || this.state === 'stopped') {
      socket.destroy();
      return;
    }
    this.socket = socket;
    this.writer = new SocketWriter(socket);
    const fourCcList = this.options.stream.enhancedFourCcs();
    this.session = new ClientSession({ target, windowAckSize: MIN_DESTINATION_ACK_WINDOW, ...(fourCcList.length > 0 ? { fourCcList } : {}) });
    // Events of a socket this push has already left behind are ignored.
    socket.on('data', (bytes: Buffer) => {
      if (this.socket === socket) this.onData(bytes);
    });
    socket.on('error', (error: Error) => {
      if (this.socket === socket) this.fail(`socket error: ${error.message}`);
    });
    socket.on('close', () => {
      if (this.socket === socket) this.fail('connection closed by the destination');
    });
    this.writer.onDrain(() => this.pump());
    this.writer.write(this.session.start());
    // A destination that accepts TCP but never completes the publish (hung, or stopped) is
    // judged like a stalled one.
    this.publishTimer = setTimeout(() => {
      this.publishTimer = null;
      if (this.socket === socket && this.state === 'connecting') {
        this.fail(`publish not confirmed within ${Math.round(this.options.stallTimeoutMs / 1000)} s`);
      }
    }, this.options.stallTimeoutMs);
    log.debug({ role, host: target.host, port: target.port }, 'destination connected, publishing');
  }

  private onData(bytes: Buffer): void {
    const session = this.session;
    if (!session || this.state === 'stopped') return;
    const out = session.handle(bytes);
    this.writer!.write(out.send);
    for (const event of out.events) this.onSessionEvent(event);
  }

  private onSessionEvent(event: ClientSessionEvent): void {
    switch (event.type) {
      case 'publishing':
        this.goLive();
        return;
      case 'rejected':
        this.fail(`${event.stage} refused: ${event.code}${event.description ? ` (${event.description})` : ''}`);
        return;
      case 'error':
        this.fail(`protocol error ${event.error.code}: ${event.error.message}`);
        return;
      case 'acknowledged': {
        this.lastProgressAt = Date.now();
        // An event earlier in the same read may have failed the connection.
        if (!this.session || !this.writer) return;
        const chunks = this.session.chunkConnection;
        if (chunks.windowAckSize !== this.ackWindow) this.writer.write(chunks.changeWindowAckSize(this.ackWindow));
        return;
      }
      default:
        return;
    }
  }

  private goLive(): void {
    const now = Date.now();
    if (this.publishTimer) clearTimeout(this.publishTimer);
    this.publishTimer = null;
    this.setState('live');
    this.plan.live(now);
    this.lastProgressAt = now;
    this.base = null;
    this.lastTimestamps.fill(0);
    this.queue.clear();
    this.options.stream.subscribe(this);
    this.subscribed = true;
    this.armStallCheck();
  }

  /** Writes queued messages while the socket takes them (or all of them, bounded by the queue, at the end). */
  private pump(all = false): void {
    const writer = this.writer;
    const session = this.session;
    if (!writer || !session || this.state !== 'live') return;
    if (this.queue.length === 0) return;
    // The chunk layer already counts what it encodes (for acknowledgements): the batch's size is
    // the difference, not a second sum over the buffers.
    const acks = session.chunkConnection.acks;
    const sentBefore = acks.bytesSent;
    // One cork for a batch of several messages: the kernel gets one writev. A lone message is
    // usually one buffer (see ChunkEncoder.encodePrepared), written as it is.
    const batch = this.queue.length > 1;
    if (batch) writer.cork();
    while (this.queue.length > 0 && (all || writer.canWrite)) {
      const item = this.queue.peek()!;
      writer.write(session.sendPrepared(item.prepared, item.message.typeId, this.queue.peekTimestamp()));
      this.queue.shift();
    }
    if (batch) writer.uncork();
    const size = acks.bytesSent - sentBefore;
    this.bytesSent += size;
    this.meter.add(size, Date.now());
  }

  /**
   * This connection's timestamp for a message: from 0 at the first media, the same shift for every
   * track (so audio and video stay in sync), and never going back within a track. Tracks are not
   * clamped against each other: a publisher's own interleaving (GStreamer's flvmux sends audio a
   * few ms ahead) is kept rather than turned into duplicate timestamps.
   */
  private rebase(item: StreamMessage): number {
    const media = item.media;
    const track = media.kind === 'audio' ? 0 : media.kind === 'video' ? 1 : 2;
    const isHeader = media.kind === 'metadata' || ((media.kind === 'audio' || media.kind === 'video') && media.isSequenceHeader);
    if (this.base === null) {
      if (isHeader) return this.lastTimestamps[track]!;
      this.base = item.message.timestamp;
    }
    const rebased = item.message.timestamp - this.base;
    const last = this.lastTimestamps[track]!;
    if (rebased <= last) return last;
    this.lastTimestamps[track] = rebased;
    return rebased;
  }

  private armStallCheck(): void {
    const interval = Math.max(100, Math.min(1000, this.options.stallTimeoutMs / 4));
    this.stallTimer = setInterval(() => this.checkStall(), interval);
    this.stallTimer.unref();
  }

  /**
   * A destination that acknowledges nothing for the stall timeout is cut. One that never
   * acknowledges at all is judged by backpressure: a socket that stays unwritable as long.
   */
  private checkStall(): void {
    if (this.state !== 'live' || !this.session || !this.writer) return;
    const now = Date.now();
    const acks = this.session.chunkConnection.acks;
    if (acks.lastAckAt === undefined && this.writer.canWrite) this.lastProgressAt = now;
    const waitingFor = acks.unacknowledgedBytes > this.session.chunkConnection.windowAckSize || !this.writer.canWrite;
    if (!waitingFor) {
      this.lastProgressAt = Math.max(this.lastProgressAt, now - 1);
      return;
    }
    if (now - this.lastProgressAt >= this.options.stallTimeoutMs) {
      this.fail(`stalled: no acknowledgement for ${Math.round((now - this.lastProgressAt) / 1000)} s`);
    }
  }

  private fail(reason: string): void {
    if (this.state === 'stopped' || this.state === 'retrying') return;
    this.unsubscribe();
    this.clearTimers();
    this.writer?.destroy();
    this.socket?.destroy();
    this.socket = null;
    this.writer = null;
    this.session = null;
    this.droppedBefore += this.queue.droppedFrames;
    this.queue.droppedFrames = 0;
    this.queue.clear();
    const { role, target } = this.current;
    this.lastError = maskIn(reason, target.streamName);
    const next = this.plan.failed(Date.now());
    const delay = next.delayMs;
    this.options.log.warn(
      { role, host: target.host, error: this.lastError, retryInMs: delay, next: this.options.targets[next.target]!.role },
      'destination connection failed',
    );
    this.setState('retrying');
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      if (this.state !== 'retrying') return;
      this.reconnects++;
      void this.connect();
    }, delay);
  }

  private unsubscribe(): void {
    if (this.subscribed) this.options.stream.unsubscribe(this);
    this.subscribed = false;
  }

  private clearTimers(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    if (this.stallTimer) clearInterval(this.stallTimer);
    if (this.publishTimer) clearTimeout(this.publishTimer);
    this.retryTimer = this.stallTimer = this.publishTimer = null;
  }

  private setState(state: PushState): void {
    if (this.state === state && state !== 'connecting') return;
    this.state = state;
    this.since = new Date();
    this.options.onStateChange?.(this);
  }
}
