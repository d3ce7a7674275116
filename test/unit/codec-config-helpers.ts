import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * A file of test/fixtures/codec (made by its make-fixtures.sh), found from the compiled test's
 * directory upwards, so the suite runs from build-test/ or any other build directory.
 */
export function codecFixture(name: string): Buffer {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, 'test', 'fixtures', 'codec', name);
    if (existsSync(candidate)) return readFileSync(candidate);
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`codec fixture ${name} not found above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
}

// An independent MSB-first bit writer for building codec headers in tests (not the src BitReader's
// mirror image: it is written from the H.264/H.265/AV1 syntax tables, so the two cannot share a bug).

export class TestBitWriter {
  private readonly bits: number[] = [];

  /** n-bit unsigned field (n <= 32). */
  u(n: number, value: number): this {
    for (let i = n - 1; i >= 0; i--) this.bits.push(Math.floor(value / 2 ** i) % 2);
    return this;
  }

  flag(value: boolean): this {
    return this.u(1, value ? 1 : 0);
  }

  /** Exp-Golomb: (leading zeros) 1 (info bits) for value + 1. */
  ue(value: number): this {
    const code = value + 1;
    const length = Math.floor(Math.log2(code));
    this.u(length, 0);
    return this.u(length + 1, code);
  }

  se(value: number): this {
    return this.ue(value > 0 ? 2 * value - 1 : -2 * value);
  }

  /** rbsp_trailing_bits: a 1 then zeros to the byte boundary. */
  trailing(): this {
    this.bits.push(1);
    while (this.bits.length % 8 !== 0) this.bits.push(0);
    return this;
  }

  /** Pads with zeros to a byte boundary. */
  align(): this {
    while (this.bits.length % 8 !== 0) this.bits.push(0);
    return this;
  }

  bytes(): Buffer {
    const out = Buffer.alloc(Math.ceil(this.bits.length / 8));
    this.bits.forEach((bit, i) => {
      if (bit === 1) out[i >> 3] = out[i >> 3]! | (0x80 >> (i & 7));
    });
    return out;
  }
}

/** Inserts emulation-prevention bytes: after 00 00, a byte <= 03 gets a 03 before it. */
export function escapeRbsp(rbsp: Buffer): Buffer {
  const out: number[] = [];
  let zeros = 0;
  for (const byte of rbsp) {
    if (zeros === 2 && byte <= 3) {
      out.push(3);
      zeros = 0;
    }
    out.push(byte);
    zeros = byte === 0 ? zeros + 1 : 0;
  }
  return Buffer.from(out);
}

/** An AVCDecoderConfigurationRecord around one SPS and one PPS. */
export function avcC(sps: Buffer, profile: number, level: number): Buffer {
  const pps = Buffer.from([0x68, 0xce, 0x3c, 0x80]);
  return Buffer.concat([
    Buffer.from([1, profile, 0x00, level, 0xff, 0xe1]), // version, profile, compat, level, 4-byte NAL lengths, 1 SPS
    Buffer.from([sps.length >> 8, sps.length & 0xff]),
    sps,
    Buffer.from([1, 0, pps.length]),
    pps,
  ]);
}

/** An HEVCDecoderConfigurationRecord with one array holding the SPS (NAL type 33). */
export function hvcC(sps: Buffer, avgFrameRate = 0): Buffer {
  const head = Buffer.alloc(23);
  head[0] = 1; // configurationVersion
  head[1] = 0x01; // profile space 0, main tier, Main profile
  head[12] = 93; // general_level_idc
  head.writeUInt16BE(avgFrameRate, 19);
  head[21] = 0x0f; // lengthSizeMinusOne 3
  head[22] = 1; // numOfArrays
  return Buffer.concat([head, Buffer.from([0x80 | 33, 0x00, 0x01, sps.length >> 8, sps.length & 0xff]), sps]);
}
