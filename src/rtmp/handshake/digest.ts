import { createHmac } from 'node:crypto';

/**
 * Adobe's "complex" (Flash Player 9) handshake digest, as implemented by librtmp (handshake.h),
 * nginx-rtmp (ngx_rtmp_handshake.c), SRS (srs_rtmp_handshake.cpp) and ffmpeg (rtmpproto.c).
 *
 * A 1536-byte C1/S1 hides a 32-byte HMAC-SHA256 digest at a position derived from four of its own
 * bytes. Two layouts ("schemas", named as in SRS) exist:
 * - schema 0 (key block first): offset field at bytes 772..775, digest at sum % 728 + 776;
 * - schema 1 (digest block first): offset field at bytes 8..11, digest at sum % 728 + 12.
 * The digest covers the packet without its own 32 bytes. C2/S2 in this form carry random bytes
 * followed by an HMAC over them, keyed by an HMAC of the peer's digest.
 */

export const HANDSHAKE_PACKET_SIZE = 1536;
export const DIGEST_SIZE = 32;

export type DigestSchema = 0 | 1;

const KEY_TAIL = [
  0xf0, 0xee, 0xc2, 0x4a, 0x80, 0x68, 0xbe, 0xe8, 0x2e, 0x00, 0xd0, 0xd1, 0x02, 0x9e, 0x7e, 0x57, 0x6e, 0xec, 0x5d,
  0x2d, 0x29, 0x80, 0x6f, 0xab, 0x93, 0xb8, 0xe6, 0x36, 0xcf, 0xeb, 0x31, 0xae,
];

/** "Genuine Adobe Flash Player 001" (30 bytes) + 32 constant bytes. */
export const FP_KEY_FULL = Buffer.concat([
  Buffer.from('Genuine Adobe Flash Player 001', 'latin1'),
  Buffer.from(KEY_TAIL),
]);
/** The part that keys a client's C1 digest. */
export const FP_KEY_OPEN = FP_KEY_FULL.subarray(0, 30);
/** "Genuine Adobe Flash Media Server 001" (36 bytes) + the same 32 constant bytes. */
export const FMS_KEY_FULL = Buffer.concat([
  Buffer.from('Genuine Adobe Flash Media Server 001', 'latin1'),
  Buffer.from(KEY_TAIL),
]);
/** The part that keys a server's S1 digest. */
export const FMS_KEY_OPEN = FMS_KEY_FULL.subarray(0, 36);

/** Position of the digest inside a 1536-byte C1/S1 for the given schema. */
export function digestOffset(packet: Buffer, schema: DigestSchema): number {
  const base = schema === 1 ? 8 : 772;
  const sum = packet[base]! + packet[base + 1]! + packet[base + 2]! + packet[base + 3]!;
  return (sum % 728) + base + 4;
}

/** HMAC-SHA256 over the packet minus the 32 bytes at `offset`. */
export function computeDigest(packet: Buffer, offset: number, key: Buffer): Buffer {
  return createHmac('sha256', key)
    .update(packet.subarray(0, offset))
    .update(packet.subarray(offset + DIGEST_SIZE, HANDSHAKE_PACKET_SIZE))
    .digest();
}

export interface FoundDigest {
  readonly schema: DigestSchema;
  readonly digest: Buffer;
}

/**
 * The valid digest of a C1/S1, trying schema 1 first (what ffmpeg, librtmp and OBS send unencrypted),
 * then schema 0; null when neither validates.
 */
export function findDigest(packet: Buffer, key: Buffer): FoundDigest | null {
  for (const schema of [1, 0] as const) {
    const offset = digestOffset(packet, schema);
    const expected = computeDigest(packet, offset, key);
    const digest = packet.subarray(offset, offset + DIGEST_SIZE);
    if (expected.equals(digest)) return { schema, digest: Buffer.from(digest) };
  }
  return null;
}

/** Writes the digest of a 1536-byte packet into it, in place, and returns a copy of it. */
export function imprintDigest(packet: Buffer, schema: DigestSchema, key: Buffer): Buffer {
  const offset = digestOffset(packet, schema);
  const digest = computeDigest(packet, offset, key);
  digest.copy(packet, offset);
  return digest;
}

/**
 * The 32 bytes that end a digest-form C2/S2: HMAC(HMAC(fullKey, peerDigest), packet[0..1504]).
 * Servers use the full FMS key, clients the full FP key.
 */
export function responseSignature(packet: Buffer, peerDigest: Buffer, fullKey: Buffer): Buffer {
  const responseKey = createHmac('sha256', fullKey).update(peerDigest).digest();
  return createHmac('sha256', responseKey)
    .update(packet.subarray(0, HANDSHAKE_PACKET_SIZE - DIGEST_SIZE))
    .digest();
}

/** Builds a digest-form C2/S2: `random` (1504 bytes used) followed by the response signature. */
export function buildDigestResponse(random: Buffer, peerDigest: Buffer, fullKey: Buffer): Buffer {
  const packet = Buffer.alloc(HANDSHAKE_PACKET_SIZE);
  random.copy(packet, 0, 0, HANDSHAKE_PACKET_SIZE - DIGEST_SIZE);
  responseSignature(packet, peerDigest, fullKey).copy(packet, HANDSHAKE_PACKET_SIZE - DIGEST_SIZE);
  return packet;
}

/** True when a C2/S2 ends with the response signature for `peerDigest`. */
export function verifyDigestResponse(packet: Buffer, peerDigest: Buffer, fullKey: Buffer): boolean {
  const expected = responseSignature(packet, peerDigest, fullKey);
  return expected.equals(packet.subarray(HANDSHAKE_PACKET_SIZE - DIGEST_SIZE, HANDSHAKE_PACKET_SIZE));
}
