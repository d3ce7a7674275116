import { RtmpError } from '../errors.js';

/**
 * An MSB-first bit cursor for codec headers (H.264/H.265 RBSP, AV1 OBUs, AAC AudioSpecificConfig),
 * with Exp-Golomb (ue/se) and AV1 uvlc. Reads past the end throw ERR_RTMP_TRUNCATED; the parsers
 * catch at their public boundary. Only used on sequence headers, never per frame.
 */
export class BitReader {
  private bit: number;
  private readonly endBit: number;

  constructor(
    private readonly data: Buffer,
    start = 0,
    end = data.length,
  ) {
    this.bit = start * 8;
    this.endBit = end * 8;
  }

  get bitsLeft(): number {
    return this.endBit - this.bit;
  }

  /** Byte offset of the cursor (rounded down). */
  get byteOffset(): number {
    return this.bit >> 3;
  }

  private ensure(n: number): void {
    if (this.bit + n > this.endBit) {
      throw new RtmpError('ERR_RTMP_TRUNCATED', `need ${n} bits at bit ${this.bit}, have ${this.endBit - this.bit}`);
    }
  }

  /** An unsigned field of n bits (n <= 32), built arithmetically so 32-bit values stay positive. */
  u(n: number): number {
    this.ensure(n);
    let value = 0;
    for (let i = 0; i < n; i++) {
      const bit = this.bit++;
      value = value * 2 + ((this.data[bit >> 3]! >> (7 - (bit & 7))) & 1);
    }
    return value;
  }

  flag(): boolean {
    return this.u(1) === 1;
  }

  skip(n: number): void {
    this.ensure(n);
    this.bit += n;
  }

  /** Unsigned Exp-Golomb; more than 31 leading zeros cannot fit a spec value and is refused. */
  ue(): number {
    let zeros = 0;
    while (this.u(1) === 0) {
      zeros++;
      if (zeros > 31) throw new RtmpError('ERR_RTMP_CODEC_CONFIG', 'Exp-Golomb code longer than 32 bits');
    }
    return 2 ** zeros - 1 + this.u(zeros);
  }

  /** Signed Exp-Golomb. */
  se(): number {
    const k = this.ue();
    return k % 2 === 1 ? (k + 1) / 2 : -(k / 2);
  }

  /** AV1 uvlc(): 32 or more leading zeros mean 2^32 - 1. */
  uvlc(): number {
    let zeros = 0;
    while (this.u(1) === 0) {
      zeros++;
      if (zeros >= 32) return 2 ** 32 - 1;
    }
    return 2 ** zeros - 1 + this.u(zeros);
  }
}

/**
 * The RBSP of a NAL unit: drops each emulation-prevention byte (0x03 after two zero bytes) that
 * H.264/H.265 insert so start codes cannot appear inside a NAL unit. Copies only when needed.
 */
export function unescapeRbsp(nal: Buffer): Buffer {
  let zeros = 0;
  let first = -1;
  for (let i = 0; i < nal.length; i++) {
    const byte = nal[i]!;
    if (zeros >= 2 && byte === 0x03) {
      first = i;
      break;
    }
    zeros = byte === 0 ? zeros + 1 : 0;
  }
  if (first < 0) return nal;
  const out = Buffer.allocUnsafe(nal.length);
  nal.copy(out, 0, 0, first);
  let length = first;
  zeros = 0;
  for (let i = first + 1; i < nal.length; i++) {
    const byte = nal[i]!;
    if (zeros >= 2 && byte === 0x03) {
      zeros = 0;
      continue;
    }
    out[length++] = byte;
    zeros = byte === 0 ? zeros + 1 : 0;
  }
  return out.subarray(0, length);
}
