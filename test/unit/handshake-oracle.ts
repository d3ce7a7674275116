// An independent model of the FP9 "digest" handshake for tests, written from ffmpeg's rtmpproto.c
// and nginx-rtmp's ngx_rtmp_handshake.c, NOT importing src/rtmp/handshake: if the code under test
// gets an offset or a key wrong, these two disagree.
import { createHmac } from 'node:crypto';

const tail = Buffer.from('f0eec24a8068bee82e00d0d1029e7e576eec5d2d29806fab93b8e636cfeb31ae', 'hex');
/** "Genuine Adobe Flash Player 001" + tail (62 bytes). */
export const PLAYER_KEY = Buffer.concat([Buffer.from('Genuine Adobe Flash Player 001'), tail]);
/** "Genuine Adobe Flash Media Server 001" + tail (68 bytes). */
export const SERVER_KEY = Buffer.concat([Buffer.from('Genuine Adobe Flash Media Server 001'), tail]);

const hmac = (key: Buffer, ...parts: Buffer[]): Buffer => {
  const h = createHmac('sha256', key);
  for (const part of parts) h.update(part);
  return h.digest();
};

/** ffmpeg's ff_rtmp_calc_digest_pos(buf, off, 728, add): offset field at `off`. */
export function oracleDigestPos(packet: Buffer, fieldAt: 8 | 772): number {
  const sum = packet[fieldAt]! + packet[fieldAt + 1]! + packet[fieldAt + 2]! + packet[fieldAt + 3]!;
  return (sum % 728) + fieldAt + 4;
}

function digestAt(packet: Buffer, pos: number, key: Buffer): Buffer {
  return hmac(key, packet.subarray(0, pos), packet.subarray(pos + 32, 1536));
}

/** Writes a digest into a 1536-byte packet in place, keyed by the open part of `fullKey`. */
export function oracleImprint(packet: Buffer, fieldAt: 8 | 772, openKeyLength: 30 | 36, fullKey: Buffer): Buffer {
  const pos = oracleDigestPos(packet, fieldAt);
  const digest = digestAt(packet, pos, fullKey.subarray(0, openKeyLength));
  digest.copy(packet, pos);
  return digest;
}

/** Where a valid digest sits (field offset 8 or 772), or null. */
export function oracleFindDigest(
  packet: Buffer,
  openKeyLength: 30 | 36,
  fullKey: Buffer,
): { fieldAt: 8 | 772; digest: Buffer } | null {
  for (const fieldAt of [8, 772] as const) {
    const pos = oracleDigestPos(packet, fieldAt);
    const digest = packet.subarray(pos, pos + 32);
    if (digestAt(packet, pos, fullKey.subarray(0, openKeyLength)).equals(digest)) return { fieldAt, digest };
  }
  return null;
}

/** The last 32 bytes a digest-form C2/S2 must carry for the peer's digest. */
export function oracleSignature(packet: Buffer, peerDigest: Buffer, fullKey: Buffer): Buffer {
  return hmac(hmac(fullKey, peerDigest), packet.subarray(0, 1504));
}

/** A deterministic byte source so fixtures are reproducible. */
export function counterBytes(seed: number): (n: number) => Buffer {
  let state = seed >>> 0;
  return (n) => {
    const out = Buffer.alloc(n);
    for (let i = 0; i < n; i++) {
      state = (Math.imul(state, 1103515245) + 12345) >>> 0;
      out[i] = state >>> 24;
    }
    return out;
  };
}

/** A C0+C1 as a given client would send it. */
export function buildC0C1(opts: {
  time?: number;
  version: readonly [number, number, number, number];
  digestFieldAt?: 8 | 772;
  seed: number;
}): { c0c1: Buffer; digest: Buffer | null } {
  const c0c1 = Buffer.alloc(1537);
  c0c1[0] = 3; // C0: RTMP version 3
  const c1 = c0c1.subarray(1);
  c1.writeUInt32BE(opts.time ?? 0, 0); // time
  Buffer.from(opts.version).copy(c1, 4); // Flash Player version, or zero for the simple form
  counterBytes(opts.seed)(1528).copy(c1, 8); // random
  const digest = opts.digestFieldAt === undefined ? null : oracleImprint(c1, opts.digestFieldAt, 30, PLAYER_KEY);
  return { c0c1, digest };
}
