/**
 * Seeded randomness and byte mutations for the fuzz harness (AFL "havoc"-style, no native fuzzer):
 * bit flips, random and "interesting" values at every width and both byte orders, small
 * arithmetic, inserts, deletes, block copies, splices between corpus entries, dictionary tokens.
 * Everything is a pure function of the seed, so a run is reproducible from the printed seed.
 */

/** sfc32: small, fast, and good enough to drive mutations; seeded through splitmix32. */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number) {
    let s = seed >>> 0;
    const next = (): number => {
      s = (s + 0x9e3779b9) >>> 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = next();
    this.b = next();
    this.c = next();
    this.d = next();
    for (let i = 0; i < 12; i++) this.u32();
  }

  u32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** An integer in [0, n) (n ≥ 1). */
  below(n: number): number {
    return n <= 1 ? 0 : Math.floor((this.u32() / 0x100000000) * n);
  }

  chance(probability: number): boolean {
    return this.u32() / 0x100000000 < probability;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.below(items.length)]!;
  }

  bytes(n: number): Buffer {
    const out = Buffer.allocUnsafe(n);
    for (let i = 0; i < n; i++) out[i] = this.u32() & 0xff;
    return out;
  }
}

/** FNV-1a of a string: derives a per-target seed from the run seed and the target's name. */
export function deriveSeed(seed: number, name: string): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

/** Parses a seed given as decimal or 0x-hex; null if it is not one. */
export function parseSeed(text: string): number | null {
  const value = /^0x[0-9a-f]{1,8}$/i.test(text) ? Number.parseInt(text.slice(2), 16) : /^\d{1,10}$/.test(text) ? Number(text) : Number.NaN;
  return Number.isInteger(value) && value >= 0 && value <= 0xffffffff ? value : null;
}

const INTERESTING_8 = [0, 1, 2, 3, 9, 0x10, 0x11, 0x3f, 0x40, 0x7f, 0x80, 0x81, 0xc0, 0xfe, 0xff];
const INTERESTING_16 = [0, 1, 0x7f, 0x80, 0xff, 0x100, 0x3fff, 0x4000, 0x7fff, 0x8000, 0xfffe, 0xffff];
/** 0xFFFFFF is the extended-timestamp marker and the largest message length a chunk header can declare. */
const INTERESTING_24 = [0, 1, 0x7f, 0x80, 0x1000, 0x7fffff, 0x800000, 0xfffffe, 0xffffff];
const INTERESTING_32 = [
  0, 1, 0x7f, 0x80, 0x1000, 0xffff, 0x10000, 0xffffff, 0x1000000, 0x7ffffffe, 0x7fffffff, 0x80000000, 0xfffffffe,
  0xffffffff,
];
const INTERESTING_F64 = [0, -0, 1, -1, 0.5, Number.NaN, Infinity, -Infinity, 2 ** 31, 2 ** 32, 2 ** 53, -(2 ** 53), 1e308, 5e-324];

export interface MutatorOptions {
  /** Inputs never grow beyond this many bytes. */
  readonly maxLength: number;
  /** Tokens worth inserting whole (command names, FourCCs, AMF markers with their framing). */
  readonly dictionary?: readonly Buffer[];
}

/**
 * Produces mutated copies of corpus entries. The corpus itself is never modified.
 */
export class Mutator {
  private readonly maxLength: number;
  private readonly dictionary: readonly Buffer[];

  constructor(
    private readonly rng: Rng,
    options: MutatorOptions,
  ) {
    this.maxLength = options.maxLength;
    this.dictionary = options.dictionary ?? [];
  }

  /**
   * A new input: a corpus entry (or random bytes) with 1 to 16 stacked mutations. The first
   * `seedCount` entries are the committed seeds: they are picked a third of the time, however
   * large the working corpus has grown.
   */
  next(corpus: readonly Buffer[], seedCount = 0): Buffer {
    const rng = this.rng;
    let data: Buffer;
    if (corpus.length === 0 || rng.chance(0.03)) {
      data = rng.bytes(rng.chance(0.8) ? rng.below(64) : rng.below(Math.min(this.maxLength, 4096) + 1));
    } else if (seedCount > 0 && rng.chance(0.33)) {
      data = Buffer.from(corpus[rng.below(Math.min(seedCount, corpus.length))]!);
    } else {
      data = Buffer.from(rng.pick(corpus));
    }
    const rounds = 1 + rng.below(1 << rng.below(5));
    for (let i = 0; i < rounds; i++) data = this.mutateOnce(data, corpus);
    return data.length > this.maxLength ? data.subarray(0, this.maxLength) : data;
  }

  private mutateOnce(data: Buffer, corpus: readonly Buffer[]): Buffer {
    const rng = this.rng;
    const length = data.length;
    if (length === 0) return this.insert(data, 0, rng.bytes(1 + rng.below(16)));
    const at = rng.below(length);
    switch (rng.below(17)) {
      case 0: // flip one bit
        data[at] = data[at]! ^ (1 << rng.below(8));
        return data;
      case 1: // a random byte
        data[at] = rng.u32() & 0xff;
        return data;
      case 2:
        data[at] = rng.pick(INTERESTING_8);
        return data;
      case 3:
        return this.writeUint(data, at, 2, rng.pick(INTERESTING_16));
      case 4:
        return this.writeUint(data, at, 3, rng.pick(INTERESTING_24));
      case 5:
        return this.writeUint(data, at, 4, rng.pick(INTERESTING_32));
      case 6: {
        if (at + 8 > length) return data;
        const f64 = rng.pick(INTERESTING_F64);
        if (rng.chance(0.5)) data.writeDoubleBE(f64, at);
        else data.writeDoubleLE(f64, at);
        return data;
      }
      case 7: // small arithmetic on a byte, a u16 or a u32 (lengths and counts off by a few)
        return this.arithmetic(data, at);
      case 8: // insert random bytes, or one byte repeated
        return this.insert(
          data,
          at,
          rng.chance(0.5) ? rng.bytes(1 + rng.below(16)) : Buffer.alloc(1 + rng.below(64), rng.pick(INTERESTING_8)),
        );
      case 9: // delete a range
        return this.remove(data, at, 1 + rng.below(Math.min(length - at, rng.chance(0.8) ? 16 : length)));
      case 10: // duplicate a block (a repeated chunk, header or value)
      {
        const size = 1 + rng.below(Math.min(length - at, 256));
        return this.insert(data, rng.below(length + 1), Buffer.from(data.subarray(at, at + size)));
      }
      case 11: // overwrite with a block from elsewhere in the input
      {
        const from = rng.below(length);
        const size = 1 + rng.below(Math.min(length - from, length - at, 64));
        data.copyWithin(at, from, from + size);
        return data;
      }
      case 12: // splice: our prefix, another entry's suffix
      {
        if (corpus.length === 0) return data;
        const other = rng.pick(corpus);
        if (other.length === 0) return data;
        return Buffer.concat([data.subarray(0, at), other.subarray(rng.below(other.length))]);
      }
      case 13: // insert a block of another entry
      {
        if (corpus.length === 0) return data;
        const other = rng.pick(corpus);
        if (other.length === 0) return data;
        const from = rng.below(other.length);
        return this.insert(data, at, other.subarray(from, from + 1 + rng.below(Math.min(other.length - from, 512))));
      }
      case 14: // truncate
        return data.subarray(0, at);
      case 15: // a dictionary token, inserted or overwriting
      {
        if (this.dictionary.length === 0) return data;
        const token = rng.pick(this.dictionary);
        if (rng.chance(0.5)) return this.insert(data, at, token);
        token.copy(data, at, 0, Math.min(token.length, length - at));
        return data;
      }
      default: // append random bytes
        return this.insert(data, length, rng.bytes(1 + rng.below(32)));
    }
  }

  private writeUint(data: Buffer, at: number, width: 2 | 3 | 4, value: number): Buffer {
    if (at + width > data.length) return data;
    const littleEndian = this.rng.chance(0.25);
    for (let i = 0; i < width; i++) {
      const shift = 8 * (littleEndian ? i : width - 1 - i);
      data[at + i] = Math.floor(value / 2 ** shift) & 0xff;
    }
    return data;
  }

  private arithmetic(data: Buffer, at: number): Buffer {
    const rng = this.rng;
    const delta = (1 + rng.below(35)) * (rng.chance(0.5) ? 1 : -1);
    const width = rng.pick([1, 2, 4] as const);
    if (at + width > data.length) return data;
    const value = data.readUIntBE(at, width);
    const wrapped = (((value + delta) % 2 ** (8 * width)) + 2 ** (8 * width)) % 2 ** (8 * width);
    data.writeUIntBE(wrapped, at, width);
    return data;
  }

  private insert(data: Buffer, at: number, bytes: Buffer): Buffer {
    if (data.length + bytes.length > this.maxLength) return data;
    return Buffer.concat([data.subarray(0, at), bytes, data.subarray(at)]);
  }

  private remove(data: Buffer, at: number, count: number): Buffer {
    return Buffer.concat([data.subarray(0, at), data.subarray(at + count)]);
  }
}
