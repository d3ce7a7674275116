/** Checks and helpers shared by the fuzz targets. */
import { AMF_CLASS_NAME, AmfEcmaArray, type AmfValue } from '../../../src/rtmp/amf/types.js';
import { RtmpError } from '../../../src/rtmp/errors.js';
import type { RtmpMessage } from '../../../src/rtmp/message/types.js';
import { check } from '../harness.js';

/** An error a never-throw API returned must be a coded RtmpError with a message. */
export function checkRtmpError(error: unknown, where: string): asserts error is RtmpError {
  check(error instanceof RtmpError, `${where}: returned an error that is not an RtmpError`);
  check(/^ERR_RTMP_[A-Z0-9_]+$/.test(error.code), `${where}: error code ${String(error.code)} is not an ERR_RTMP_* code`);
  check(typeof error.message === 'string' && error.message.length > 0, `${where}: error without a message`);
}

export const isU32 = (n: unknown): boolean => typeof n === 'number' && Number.isInteger(n) && n >= 0 && n <= 0xffffffff;

/** The fields of a message the chunk layer delivers are 8/32-bit integers and a Buffer. */
export function checkMessage(message: RtmpMessage, maxMessageSize: number, where: string): void {
  check(Number.isInteger(message.typeId) && message.typeId >= 0 && message.typeId <= 255, `${where}: type id ${message.typeId}`);
  check(isU32(message.timestamp), `${where}: timestamp ${message.timestamp} is not a u32`);
  check(isU32(message.streamId), `${where}: stream id ${message.streamId} is not a u32`);
  check(Buffer.isBuffer(message.payload), `${where}: payload is not a Buffer`);
  check(
    message.payload.length <= maxMessageSize,
    `${where}: a message of ${message.payload.length} bytes passed maxMessageSize ${maxMessageSize}`,
  );
}

/** FNV-1a over (at most the first 4 KiB of) the input: input-derived choices stay reproducible. */
export function hash32(input: Buffer): number {
  let h = 0x811c9dc5;
  const end = Math.min(input.length, 4096);
  for (let i = 0; i < end; i++) h = Math.imul(h ^ input[i]!, 0x01000193);
  return Math.imul(h ^ input.length, 0x01000193) >>> 0;
}

/**
 * Cuts `input` into 1 to 8 pieces at points derived from its hash (sometimes 1-byte pieces at
 * the start, where headers are): parsers must give the same answer however the bytes arrive.
 */
export function pieces(input: Buffer, h = hash32(input)): Buffer[] {
  const mode = h & 7;
  if (mode === 0 || input.length < 2) return [input];
  if (mode === 1) {
    const head = Math.min(input.length, 48);
    const out: Buffer[] = [];
    for (let i = 0; i < head; i++) out.push(input.subarray(i, i + 1));
    if (head < input.length) out.push(input.subarray(head));
    return out;
  }
  const cuts = new Set<number>();
  let x = h;
  for (let i = 0; i < mode; i++) {
    x = Math.imul(x ^ (x >>> 15), 0x2c1b3c6d) >>> 0;
    cuts.add(1 + (x % (input.length - 1)));
  }
  const sorted = [...cuts].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let at = 0;
  for (const cut of sorted) {
    out.push(input.subarray(at, cut));
    at = cut;
  }
  out.push(input.subarray(at));
  return out;
}

/** log2 bucket of a count, so counts make a handful of features instead of thousands. */
export const bucket = (n: number): number => (n <= 0 ? 0 : 1 + Math.floor(Math.log2(n)));

/** Structural equality of decoded AMF values: -0 ≠ 0, NaN = NaN, invalid dates equal, class names compared. */
export function amfEqual(a: AmfValue, b: AmfValue): boolean {
  if (typeof a === 'number' || typeof b === 'number') return Object.is(a, b);
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return a === b;
  if (a instanceof Date || b instanceof Date) {
    return a instanceof Date && b instanceof Date && Object.is(a.getTime(), b.getTime());
  }
  if (a instanceof Uint8Array || b instanceof Uint8Array) {
    return a instanceof Uint8Array && b instanceof Uint8Array && Buffer.from(a).equals(Buffer.from(b));
  }
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((item, i) => amfEqual(item, b[i]));
  }
  if (a instanceof AmfEcmaArray || b instanceof AmfEcmaArray) {
    return (
      a instanceof AmfEcmaArray &&
      b instanceof AmfEcmaArray &&
      a.entries.length === b.entries.length &&
      a.entries.every(([key, value], i) => key === b.entries[i]![0] && amfEqual(value, b.entries[i]![1]))
    );
  }
  const keysA = Object.keys(a);
  const keysB = Object.keys(b);
  return (
    a[AMF_CLASS_NAME] === b[AMF_CLASS_NAME] &&
    keysA.length === keysB.length &&
    keysA.every((key, i) => key === keysB[i] && amfEqual(a[key], b[key]))
  );
}

/**
 * Size and height of decoded top-level values, counted as the decoder's budget counts them (a value
 * placed again by a reference counts again). Stops counting past `stopAt`. `replaced`: some
 * string or key holds U+FFFD (what invalid UTF-8 decodes to).
 */
export function amfShape(
  values: readonly AmfValue[],
  stopAt: number,
): { items: number; height: number; longestString: number; replaced: boolean } {
  let items = 0;
  let longestString = 0;
  let replaced = false;
  const visit = (v: AmfValue): number => {
    items++;
    if (items > stopAt) return 0;
    if (typeof v === 'string') {
      longestString = Math.max(longestString, v.length);
      if (v.includes('\ufffd')) replaced = true;
    }
    if (v instanceof Uint8Array) longestString = Math.max(longestString, v.length);
    if (v === null || typeof v !== 'object' || v instanceof Date || v instanceof Uint8Array) return 0;
    if (!Array.isArray(v) && !(v instanceof AmfEcmaArray)) {
      const className = v[AMF_CLASS_NAME];
      if (className !== undefined) {
        longestString = Math.max(longestString, className.length);
        if (className.includes('\ufffd')) replaced = true;
      }
    }
    let height = 0;
    const children: Array<[string | null, AmfValue]> = Array.isArray(v)
      ? v.map((child) => [null, child])
      : v instanceof AmfEcmaArray
        ? v.entries
        : Object.keys(v).map((key) => [key, v[key]]);
    for (const [key, child] of children) {
      if (key !== null) {
        longestString = Math.max(longestString, key.length);
        if (key.includes('\ufffd')) replaced = true;
      }
      height = Math.max(height, visit(child));
    }
    return height + 1;
  };
  let height = 0;
  for (const v of values) height = Math.max(height, visit(v));
  return { items, height, longestString, replaced };
}

/** Buffers built from readable tokens, for the mutator's dictionary. */
export const tokens = (...items: Array<string | number[]>): Buffer[] =>
  items.map((item) => (typeof item === 'string' ? Buffer.from(item, 'latin1') : Buffer.from(item)));

/** AMF0 framing of a string (marker, u16 length, bytes): command names as they appear on the wire. */
export const amf0String = (text: string): Buffer =>
  Buffer.concat([Buffer.from([0x02, text.length >> 8, text.length & 0xff]), Buffer.from(text, 'latin1')]);
