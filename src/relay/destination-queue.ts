import type { StreamMessage } from './live-stream.js';

export interface DestinationQueueLimits {
  /** Media time the queue may span (CONTRACT --destination-queue). */
  maxMediaMs: number;
  /** Bytes queued plus bytes sent but not acknowledged (--destination-queue-bytes; CONTRACT: 8 MiB by default). */
  maxBytes: number;
}

/**
 * The bounded queue between a live stream and one destination connection, with nginx-rtmp's
 * drop policy: when the destination falls behind the bound, video is dropped up to the next
 * keyframe that finds the queue back under the bound; audio, metadata and sequence headers are
 * always kept, so the destination never decodes a broken GOP and sound never skips. A ring of
 * parallel arrays: pushing a message allocates nothing per message.
 */
export class DestinationQueue {
  private items: Array<StreamMessage | undefined>;
  private timestamps: Float64Array;
  private head = 0;
  private count = 0;
  private bytes = 0;
  private droppingVideo = false;
  droppedFrames = 0;

  constructor(
    private readonly limits: DestinationQueueLimits,
    initialCapacity = 256,
  ) {
    this.items = new Array(initialCapacity);
    this.timestamps = new Float64Array(initialCapacity);
  }

  get length(): number {
    return this.count;
  }

  get queuedBytes(): number {
    return this.bytes;
  }

  /** Media time between the oldest and the newest queued message. */
  get spanMs(): number {
    if (this.count < 2) return 0;
    const last = this.timestamps[(this.head + this.count - 1) % this.timestamps.length]!;
    return last - this.timestamps[this.head]!;
  }

  isOverBound(unacknowledgedBytes: number): boolean {
    return this.spanMs > this.limits.maxMediaMs || this.bytes + unacknowledgedBytes > this.limits.maxBytes;
  }

  /**
   * Queues a message with the timestamp it will carry on this connection, or drops it by the
   * policy above. Returns false when it was dropped.
   */
  push(item: StreamMessage, timestamp: number, unacknowledgedBytes: number): boolean {
    const media = item.media;
    if (media.kind === 'video' && !media.isSequenceHeader) {
      if (this.droppingVideo || this.isOverBound(unacknowledgedBytes)) {
        if (media.isKeyframe && !this.isOverBound(unacknowledgedBytes)) {
          this.droppingVideo = false;
        } else {
          this.droppingVideo = true;
          this.droppedFrames++;
          return false;
        }
      }
    }
    if (this.count === this.items.length) this.grow();
    const at = (this.head + this.count) % this.items.length;
    this.items[at] = item;
    this.timestamps[at] = timestamp;
    this.count++;
    this.bytes += item.message.payload.length;
    return true;
  }

  /** The oldest message and its timestamp, without removing it. */
  peek(): StreamMessage | undefined {
    return this.count === 0 ? undefined : this.items[this.head];
  }

  peekTimestamp(): number {
    return this.timestamps[this.head]!;
  }

  shift(): void {
    if (this.count === 0) return;
    const item = this.items[this.head]!;
    this.items[this.head] = undefined;
    this.bytes -= item.message.payload.length;
    this.head = (this.head + 1) % this.items.length;
    this.count--;
  }

  clear(): void {
    this.items.fill(undefined);
    this.head = 0;
    this.count = 0;
    this.bytes = 0;
    this.droppingVideo = false;
  }

  private grow(): void {
    const capacity = this.items.length * 2;
    const items = new Array<StreamMessage | undefined>(capacity);
    const timestamps = new Float64Array(capacity);
    for (let i = 0; i < this.count; i++) {
      const from = (this.head + i) % this.items.length;
      items[i] = this.items[from];
      timestamps[i] = this.timestamps[from]!;
    }
    this.items = items;
    this.timestamps = timestamps;
    this.head = 0;
  }
}
