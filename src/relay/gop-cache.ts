import { SHARED_HEADER_ROOM } from '../rtmp/chunk/header.js';
import type { RtmpMessage } from '../rtmp/message/types.js';

const INITIAL_ENTRIES = 256;
const INITIAL_ARENA_BYTES = 256 * 1024;

/**
 * The messages since the last video keyframe, kept for subscribers that join mid-stream.
 *
 * The payloads are copied into one buffer that is reused from keyframe to keyframe, and the
 * messages' other fields into typed arrays, so the cache holds no published Buffer and no
 * per-message object. Holding the published messages themselves kept each payload alive until the
 * next keyframe, long enough for V8 to promote it; promoted Buffers are freed only by full
 * collections, and V8 (11.x, Node 20) counts the external memory allocated since the last full
 * collection against the old generation's limit, so the GOP cache alone brought a full collection
 * about every second at 10x real time. A copy costs a memcpy per message.
 *
 * What a joiner gets is a copy too (see replay()), so reusing the buffer can never change bytes
 * that a subscriber still has to send.
 */
export class GopCache<Item> {
  private arena = Buffer.alloc(0);
  private usedBytes = 0;
  private count = 0;
  private offsets = new Uint32Array(INITIAL_ENTRIES);
  private lengths = new Uint32Array(INITIAL_ENTRIES);
  private timestamps = new Float64Array(INITIAL_ENTRIES);
  private streamIds = new Float64Array(INITIAL_ENTRIES);
  private typeIds = new Uint8Array(INITIAL_ENTRIES);
  /** Copies made for joiners since the last keyframe, shared by every joiner of this GOP. */
  private copies: Item[] = [];
  /** False until a keyframe starts a GOP, and after a GOP outgrew the cache. */
  private valid = false;

  constructor(
    private readonly limitBytes: number,
    /** Makes what joiners get from a copied message (the live stream serializes it). */
    private readonly toItem: (message: RtmpMessage) => Item,
  ) {}

  /** Payload bytes cached. */
  get bytes(): number {
    return this.usedBytes;
  }

  /** Bytes of the reused buffer (it grows to the largest recent GOP, up to the limit). */
  get capacityBytes(): number {
    return this.arena.length;
  }

  get length(): number {
    return this.valid ? this.count : 0;
  }

  /** A video keyframe: it starts the GOP that joiners get. */
  startGop(): void {
    // A buffer grown for one big GOP (a scene change, a long keyframe interval) is not kept for
    // good: when the GOP that just ended used less than a quarter of it, it is given back.
    if (this.arena.length > INITIAL_ARENA_BYTES && this.usedBytes * 4 < this.arena.length) this.arena = Buffer.alloc(0);
    this.clear();
    this.valid = this.limitBytes > 0;
  }

  /** Forgets the GOP; nothing is cached until the next startGop(). */
  invalidate(): void {
    this.clear();
    this.valid = false;
  }

  /** Caches a copy of `message` if a GOP is being cached; a GOP larger than the limit is dropped whole. */
  add(message: RtmpMessage): void {
    if (!this.valid) return;
    const length = message.payload.length;
    if (this.usedBytes + length > this.limitBytes) {
      // Joiners wait for the next keyframe instead of getting part of a GOP.
      this.invalidate();
      return;
    }
    if (this.count === this.offsets.length) this.growEntries();
    if (this.usedBytes + length > this.arena.length) this.growArena(this.usedBytes + length);
    const at = this.count++;
    this.offsets[at] = this.usedBytes;
    this.lengths[at] = length;
    this.timestamps[at] = message.timestamp;
    this.streamIds[at] = message.streamId;
    this.typeIds[at] = message.typeId;
    message.payload.copy(this.arena, this.usedBytes);
    this.usedBytes += length;
  }

  /**
   * The cached GOP for a joiner: each payload copied out of the cache once per GOP, with
   * SHARED_HEADER_ROOM in front of it (so prepareMessage need not copy it again), made into an
   * item by `toItem`; every joiner of the same GOP gets the same items.
   */
  replay(): readonly Item[] {
    if (!this.valid) return [];
    for (let i = this.copies.length; i < this.count; i++) {
      const offset = this.offsets[i]!;
      const length = this.lengths[i]!;
      const payload = Buffer.allocUnsafe(SHARED_HEADER_ROOM + length).subarray(SHARED_HEADER_ROOM);
      this.arena.copy(payload, 0, offset, offset + length);
      const message: RtmpMessage = {
        typeId: this.typeIds[i]!,
        timestamp: this.timestamps[i]!,
        streamId: this.streamIds[i]!,
        payload,
        headroom: SHARED_HEADER_ROOM,
      };
      this.copies.push(this.toItem(message));
    }
    return this.copies;
  }

  /** Forgets everything and gives the buffer back (the publish ended). */
  release(): void {
    this.invalidate();
    this.arena = Buffer.alloc(0);
  }

  private clear(): void {
    this.count = 0;
    this.usedBytes = 0;
    this.copies = [];
  }

  private growEntries(): void {
    const capacity = this.offsets.length * 2;
    const grow = <T extends Uint32Array | Float64Array | Uint8Array>(from: T, to: T): T => {
      to.set(from);
      return to;
    };
    this.offsets = grow(this.offsets, new Uint32Array(capacity));
    this.lengths = grow(this.lengths, new Uint32Array(capacity));
    this.timestamps = grow(this.timestamps, new Float64Array(capacity));
    this.streamIds = grow(this.streamIds, new Float64Array(capacity));
    this.typeIds = grow(this.typeIds, new Uint8Array(capacity));
  }

  /** Room for `needed` bytes: doubling, never beyond the limit (so it settles at the largest GOP). */
  private growArena(needed: number): void {
    const size = Math.min(this.limitBytes, Math.max(needed, INITIAL_ARENA_BYTES, this.arena.length * 2));
    const arena = Buffer.allocUnsafeSlow(size);
    this.arena.copy(arena, 0, 0, this.usedBytes);
    this.arena = arena;
  }
}
