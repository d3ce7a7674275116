import type { PreparedMessage } from '../rtmp/chunk/encoder.js';
import { prepareMessage } from '../rtmp/chunk/encoder.js';
import { RECOMMENDED_OUTBOUND_CHUNK_SIZE } from '../rtmp/chunk/header.js';
import { ChunkStreamId, MessageType, type RtmpMessage } from '../rtmp/message/types.js';
import { videoCompositionTime } from '../rtmp/flv/video.js';
import { BitrateMeter } from './bitrate.js';
import { classifyMedia, type MediaClass } from './media-class.js';
import { CodecFacts } from './codec-facts.js';
import { GopCache } from './gop-cache.js';

/** The gap left between the last message of a publisher and the first of the one that replaces it. */
const FRAME_GAP_MS = 33;

/** Our outbound chunk size on every connection, so one serialization serves them all. */
export const OUT_CHUNK_SIZE = RECOMMENDED_OUTBOUND_CHUNK_SIZE;

/** One message as it is fanned out: serialized once, with what a queue needs to judge it. */
export interface StreamMessage {
  readonly message: RtmpMessage;
  readonly prepared: PreparedMessage;
  readonly csid: number;
  readonly media: MediaClass;
}

/** A player or destination attached to a live stream. */
export interface StreamSubscriber {
  deliver(item: StreamMessage): void;
  /** Messages delivered since the last flush may be written now (subscribers that batch). */
  flush?(): void;
  /** The publish ended (for good: the grace, if any, is over). */
  end(): void;
}

export interface LiveStreamOptions {
  /** Bytes of the current GOP kept for late joiners (0 = off). */
  gopCacheBytes: number;
}

/**
 * The broadcast of one live event: keeps metadata, the sequence headers of every track and the
 * GOP since the last video keyframe, serializes each message once and hands the same buffers to
 * every subscriber. A subscriber that joins gets metadata, headers and the GOP first, so it never
 * starts mid-GOP.
 */
export class LiveStream {
  private metadata: StreamMessage | null = null;
  private readonly sequenceHeaders = new Map<string, StreamMessage>();
  private readonly gop: GopCache<StreamMessage>;
  private readonly subscribers = new Set<StreamSubscriber>();
  readonly meter = new BitrateMeter();
  readonly facts = new CodecFacts();
  messagesIn = 0;
  /** Added to every publisher timestamp, so a publisher that comes back continues the timeline. */
  private timestampOffset = 0;
  /** The next message starts a new publisher's timeline (after a grace reconnect or a takeover). */
  private continuing = false;
  private lastTimestamp = 0;
  /** The latest presentation time (timestamp + composition offset) of a video frame forwarded. */
  private lastPresentation = 0;

  constructor(options: LiveStreamOptions) {
    // A copy classifies as its original did (only cacheable media is cached).
    this.gop = new GopCache(options.gopCacheBytes, (message) => this.serialize(message, classifyMedia(message)));
  }

  get subscriberCount(): number {
    return this.subscribers.size;
  }

  /** A message from the publisher. `now` in ms, for the bitrate. */
  publish(message: RtmpMessage, now: number): void {
    this.messagesIn++;
    this.meter.add(message.payload.length, now);
    const media = classifyMedia(message);
    if (media.kind === 'ignore') return;
    if (this.continuing) {
      // The new publisher's clock starts wherever it likes: continue one frame after the last
      // message we forwarded and after the last frame shown (with B-frames a frame decoded earlier
      // is shown later: a new keyframe before it would make presentation go back), the same shift
      // for audio and video so they stay in sync.
      this.continuing = false;
      const end = Math.max(this.lastTimestamp, this.lastPresentation);
      this.timestampOffset = (end + FRAME_GAP_MS - message.timestamp) >>> 0;
    }
    if (this.timestampOffset !== 0) message.timestamp = (message.timestamp + this.timestampOffset) >>> 0;
    this.lastTimestamp = message.timestamp;
    if (media.kind === 'video' && !media.isSequenceHeader) {
      const shownAt = message.timestamp + videoCompositionTime(message.payload);
      if (shownAt > this.lastPresentation) this.lastPresentation = shownAt;
    }
    const item = this.serialize(message, media);
    if (media.kind === 'metadata') {
      this.metadata = item;
      this.facts.fromMetadata(message);
    } else if (media.kind !== 'data' && media.isSequenceHeader) {
      const previous = this.sequenceHeaders.get(media.trackKey);
      this.sequenceHeaders.set(media.trackKey, item);
      this.facts.fromSequenceHeader(message);
      // A returning publisher repeats its headers: forward them only when they changed.
      if (previous && previous.message.payload.equals(message.payload)) return;
    } else {
      if (media.kind === 'video' && media.isKeyframe) this.gop.startGop();
      this.gop.add(message);
    }
    for (const subscriber of this.subscribers) subscriber.deliver(item);
  }

  /** The message serialized once for every subscriber. */
  private serialize(message: RtmpMessage, media: StreamMessage['media']): StreamMessage {
    const csid = message.typeId === MessageType.Audio ? ChunkStreamId.Audio : message.typeId === MessageType.Video ? ChunkStreamId.Video : ChunkStreamId.Data;
    const prepared = prepareMessage(message.payload, OUT_CHUNK_SIZE, csid, message.headroom);
    // The same bytes, and for a one-chunk message the very same memory as the body: keep one copy.
    message.payload = prepared.payload;
    return { message, prepared, csid, media };
  }

  /**
   * A new publisher takes over this stream (a reconnect within the grace, or a takeover of a
   * silent one): its timestamps are shifted to continue the timeline, and the GOP of the old
   * publisher is not replayed to joiners any more.
   */
  continueWithNewPublisher(): void {
    this.continuing = true;
    this.gop.invalidate();
  }

  /** Attaches a subscriber and replays metadata, sequence headers and the GOP to it. */
  subscribe(subscriber: StreamSubscriber): void {
    for (const item of this.startupMessages()) subscriber.deliver(item);
    subscriber.flush?.();
    this.subscribers.add(subscriber);
  }

  /**
   * The end of a batch of published messages (one read from the publisher's socket): subscribers
   * that batch write what they were delivered, so each destination gets one write per read.
   */
  flush(): void {
    for (const subscriber of this.subscribers) subscriber.flush?.();
  }

  unsubscribe(subscriber: StreamSubscriber): void {
    this.subscribers.delete(subscriber);
  }

  /**
   * The Enhanced RTMP FourCCs of the stream's tracks (e.g. hvc1, av01, Opus): a push advertises
   * them in its connect so the destination knows to expect them. Empty for classic FLV codecs.
   */
  enhancedFourCcs(): string[] {
    const fourCcs = new Set<string>();
    for (const header of this.sequenceHeaders.values()) {
      const media = header.media;
      if ((media.kind === 'video' || media.kind === 'audio') && media.fourCc) fourCcs.add(media.fourCc);
    }
    return [...fourCcs];
  }

  /** What a joiner needs before live messages: metadata, every sequence header, the GOP. */
  startupMessages(): StreamMessage[] {
    const items: StreamMessage[] = [];
    if (this.metadata) items.push(this.metadata);
    for (const header of this.sequenceHeaders.values()) items.push(header);
    items.push(...this.gop.replay());
    return items;
  }

  /** The publish is over: every subscriber is told, then forgotten. */
  end(): void {
    for (const subscriber of this.subscribers) {
      subscriber.flush?.();
      subscriber.end();
    }
    this.subscribers.clear();
    this.gop.release();
  }
}
