import { RtmpError } from '../errors.js';

/**
 * The value model shared by the AMF0 and AMF3 codecs.
 *
 * - Objects are null-prototype records, so a key such as `__proto__` is stored as plain data
 *   and decoding can never reach Object.prototype. A typed object (AMF0 0x10, AMF3 traits
 *   with a class name) carries its class name under the AMF_CLASS_NAME symbol.
 * - ECMA arrays are AmfEcmaArray instances: an ordered entry list, so they stay distinct
 *   from objects and re-encode byte for byte (a record would move integer-like keys first).
 * - Strict arrays are JS arrays; AMF3 ByteArrays are Buffers.
 */
export const AMF_CLASS_NAME: unique symbol = Symbol('amf.className');

export interface AmfObject {
  [key: string]: AmfValue;
  [AMF_CLASS_NAME]?: string;
}

export type AmfValue =
  | number
  | boolean
  | string
  | null
  | undefined
  | Date
  | Uint8Array
  | AmfObject
  | AmfEcmaArray
  | AmfValue[];

/** An associative (ECMA) array: entries in wire order; a repeated key keeps every entry. */
export class AmfEcmaArray {
  readonly entries: Array<[string, AmfValue]>;

  constructor(entries: Iterable<readonly [string, AmfValue]> = []) {
    this.entries = [];
    for (const [key, value] of entries) this.entries.push([key, value]);
  }

  static fromObject(source: Readonly<Record<string, AmfValue>>): AmfEcmaArray {
    return new AmfEcmaArray(Object.entries(source));
  }

  /** The value of the last entry named `key` (a later duplicate wins, as in an object). */
  get(key: string): AmfValue {
    for (let i = this.entries.length - 1; i >= 0; i--) {
      const entry = this.entries[i]!;
      if (entry[0] === key) return entry[1];
    }
    return undefined;
  }

  toObject(): AmfObject {
    const out = createAmfObject();
    for (const [key, value] of this.entries) out[key] = value;
    return out;
  }
}

/** A null-prototype object holding `properties` (in their iteration order). */
export function createAmfObject(properties?: Readonly<Record<string, AmfValue>>): AmfObject {
  const out = Object.create(null) as AmfObject;
  if (properties) for (const key of Object.keys(properties)) out[key] = properties[key];
  return out;
}

/** True for an object value (not null, an array, a Date, bytes or an ECMA array). */
export function isAmfObject(value: AmfValue): value is AmfObject {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    !(value instanceof Date) &&
    !(value instanceof Uint8Array) &&
    !(value instanceof AmfEcmaArray)
  );
}

/** Bounds on what one decode may build from untrusted bytes. */
export interface AmfLimits {
  /** Containers (objects, arrays) nested inside each other; a top-level object is depth 1. */
  readonly maxDepth: number;
  /** Values decoded in one call, at every depth; a reference counts the subtree it re-uses. */
  readonly maxItems: number;
  /** Bytes of one string, long string, XML document or byte array. */
  readonly maxStringLength: number;
}

export const DEFAULT_AMF_LIMITS: AmfLimits = Object.freeze({
  maxDepth: 64,
  maxItems: 65536,
  maxStringLength: 1024 * 1024,
});

/** maxDepth is clamped here so the recursive decoders can never exhaust the call stack. */
export const AMF_DEPTH_CEILING = 1000;

/** Fills in defaults; a limit that is not a number >= 0 (NaN, say) takes its default, never "no limit". */
export function resolveAmfLimits(limits?: Partial<AmfLimits>): AmfLimits {
  const pick = (value: number | undefined, fallback: number): number =>
    typeof value === 'number' && value >= 0 ? value : fallback;
  return {
    maxDepth: Math.min(pick(limits?.maxDepth, DEFAULT_AMF_LIMITS.maxDepth), AMF_DEPTH_CEILING),
    maxItems: pick(limits?.maxItems, DEFAULT_AMF_LIMITS.maxItems),
    maxStringLength: pick(limits?.maxStringLength, DEFAULT_AMF_LIMITS.maxStringLength),
  };
}

/**
 * Counts what a decode has built so far against its limits. Decoders call it as they go and
 * it throws a coded RtmpError that the public entry point turns into a returned value.
 */
export class DecodeBudget {
  readonly limits: AmfLimits;
  private items = 0;
  private depth = 0;
  /** The deepest level reached inside the container being decoded (to know its height). */
  private deepest = 0;

  constructor(limits?: Partial<AmfLimits>) {
    this.limits = resolveAmfLimits(limits);
  }

  get itemCount(): number {
    return this.items;
  }

  countItem(): void {
    this.addItems(1);
  }

  /** Refuses up front a declared element count that could never fit, before any allocation. */
  checkDeclaredCount(count: number, bytesLeft: number): void {
    if (count > this.limits.maxItems - this.items) {
      const why = `declared ${count} elements, over the limit of ${this.limits.maxItems}`;
      throw new RtmpError('ERR_RTMP_AMF_LIMIT', why);
    }
    // Every element takes at least one byte, so a count beyond the bytes left is a lie.
    if (count > bytesLeft) {
      throw new RtmpError('ERR_RTMP_TRUNCATED', `declared ${count} elements with ${bytesLeft} bytes left`);
    }
  }

  checkStringLength(length: number): void {
    if (length > this.limits.maxStringLength) {
      const why = `string of ${length} bytes, over the limit of ${this.limits.maxStringLength}`;
      throw new RtmpError('ERR_RTMP_AMF_LIMIT', why);
    }
  }

  /** Enters a container; returns a token for leave(). */
  enter(): number {
    const saved = this.deepest;
    this.depth++;
    if (this.depth > this.limits.maxDepth) {
      throw new RtmpError('ERR_RTMP_AMF_DEPTH', `nesting deeper than ${this.limits.maxDepth}`);
    }
    this.deepest = this.depth;
    return saved;
  }

  /** Leaves the innermost container; returns its height (1 when it holds no container). */
  leave(token: number): number {
    const height = this.deepest - this.depth + 1;
    this.deepest = Math.max(token, this.deepest);
    this.depth--;
    return height;
  }

  /** A reference places a finished subtree again: its size and height count again here. */
  reuse(entry: Readonly<ReferenceEntry>): void {
    const reaches = this.depth + entry.height;
    if (reaches > this.limits.maxDepth) {
      throw new RtmpError('ERR_RTMP_AMF_DEPTH', `reference nests deeper than ${this.limits.maxDepth}`);
    }
    this.deepest = Math.max(this.deepest, reaches);
    this.addItems(entry.weight);
  }

  private addItems(n: number): void {
    this.items += n;
    if (this.items > this.limits.maxItems) {
      throw new RtmpError('ERR_RTMP_AMF_LIMIT', `more than ${this.limits.maxItems} values`);
    }
  }
}

export interface ReferenceEntry {
  value: AmfValue;
  /** Values inside it (not counting itself), charged again by each reference. */
  weight: number;
  /** Container levels it spans; 0 for a leaf such as an AMF3 Date or ByteArray. */
  height: number;
  /** Still being decoded: a reference to it would build a cycle, so it is refused. */
  open: boolean;
}

/** The table of complex values a reference marker points into (AMF0 0x07, AMF3 U29O-ref). */
export class ReferenceTable {
  private readonly entries: ReferenceEntry[] = [];

  /** Registers a value as it starts (references count from the start of a value). */
  open(value: AmfValue, budget: DecodeBudget): ReferenceEntry {
    const entry: ReferenceEntry = { value, weight: budget.itemCount, height: 0, open: true };
    this.entries.push(entry);
    return entry;
  }

  close(entry: ReferenceEntry, budget: DecodeBudget, height: number): void {
    entry.weight = budget.itemCount - entry.weight;
    entry.height = height;
    entry.open = false;
  }

  addLeaf(value: AmfValue): void {
    this.entries.push({ value, weight: 0, height: 0, open: false });
  }

  resolve(index: number, budget: DecodeBudget): AmfValue {
    const entry = this.entries[index];
    if (entry === undefined) {
      const why = `reference ${index} with ${this.entries.length} values in the table`;
      throw new RtmpError('ERR_RTMP_AMF_REFERENCE', why);
    }
    if (entry.open) {
      throw new RtmpError('ERR_RTMP_AMF_REFERENCE', `reference ${index} points into itself (a cycle)`);
    }
    budget.reuse(entry);
    return entry.value;
  }
}

/** Runs a decoder and turns the RtmpError it throws into a returned value; bugs still throw. */
export function catchRtmpError<T>(decode: () => T): T | RtmpError {
  try {
    return decode();
  } catch (error) {
    if (error instanceof RtmpError) return error;
    throw error;
  }
}

/** Encoders refuse values nested past this: a cyclic value is a programming error. */
export function checkEncodeDepth(depth: number): void {
  if (depth > AMF_DEPTH_CEILING) throw new RangeError(`AMF value nests deeper than ${AMF_DEPTH_CEILING} (a cycle?)`);
}
