import { RtmpError } from '../errors.js';

/**
 * Pieces shared by the Enhanced RTMP v2 audio and video tag headers: the ModEx loop that may precede
 * the real packet type, and the multitrack framing (AvMultitrackType, per-track id and size).
 */

export type MultitrackKind = 'one-track' | 'many-tracks' | 'many-tracks-many-codecs';

export const AvMultitrackType = { OneTrack: 0, ManyTracks: 1, ManyTracksManyCodecs: 2 } as const;

export function multitrackKind(value: number): MultitrackKind {
  switch (value) {
    case AvMultitrackType.OneTrack:
      return 'one-track';
    case AvMultitrackType.ManyTracks:
      return 'many-tracks';
    case AvMultitrackType.ManyTracksManyCodecs:
      return 'many-tracks-many-codecs';
    default:
      throw new RtmpError('ERR_RTMP_FLV', `reserved AvMultitrackType ${value}`);
  }
}

/** The packet-modifier type that carries a sub-millisecond timestamp offset. */
const MOD_EX_TIMESTAMP_OFFSET_NANO = 0;

export function truncated(need: number, at: number, have: number): RtmpError {
  return new RtmpError('ERR_RTMP_TRUNCATED', `need ${need} bytes at offset ${at}, have ${have - at}`);
}

/** Throws ERR_RTMP_TRUNCATED unless `n` bytes are available at `offset`. */
export function need(payload: Buffer, offset: number, n: number): void {
  if (offset + n > payload.length) throw truncated(n, offset, payload.length);
}

/** Where a ModEx walk ended (a reused scratch object: classification allocates nothing for it). */
export interface ModExState {
  packetType: number;
  offset: number;
  timestampOffsetNano: number | null;
}

/**
 * Walks ModEx entries starting at `state.offset` while `state.packetType` is ModEx: each is
 * size (UI8 + 1, or UI16 + 1 when that is 256), data, then a byte of modifier type (high nibble)
 * and the next packet type (low nibble). Every entry consumes at least two bytes, so the walk is
 * bounded by the payload.
 */
export function walkModEx(payload: Buffer, state: ModExState, modExPacketType: number): void {
  while (state.packetType === modExPacketType) {
    let at = state.offset;
    need(payload, at, 1);
    let size = payload[at]! + 1;
    at += 1;
    if (size === 256) {
      need(payload, at, 2);
      size = payload.readUInt16BE(at) + 1;
      at += 2;
    }
    need(payload, at, size + 1);
    const dataAt = at;
    at += size;
    const typeByte = payload[at]!;
    at += 1;
    if (typeByte >> 4 === MOD_EX_TIMESTAMP_OFFSET_NANO) {
      if (size < 3) throw new RtmpError('ERR_RTMP_FLV', `TimestampOffsetNano needs 3 bytes, has ${size}`);
      state.timestampOffsetNano = payload.readUIntBE(dataAt, 3);
    }
    state.packetType = typeByte & 0x0f;
    state.offset = at;
  }
}

/** One track of a multitrack message as framed on the wire (before codec-specific fields). */
export interface TrackFrame {
  readonly trackId: number;
  readonly fourCc: number;
  /** Where this track's body starts and ends in the payload. */
  readonly start: number;
  readonly end: number;
}

/** Default cap on tracks in one multitrack message (the id is a byte, so 256 distinct at most). */
export const DEFAULT_MAX_TRACKS = 32;

/**
 * Splits a multitrack body at `offset` into its tracks. `sharedFourCc` is the FourCC read before the
 * tracks (null for ManyTracksManyCodecs, where each track names its own).
 */
export function splitTracks(
  payload: Buffer,
  offset: number,
  kind: MultitrackKind,
  sharedFourCc: number | null,
  maxTracks: number,
): TrackFrame[] {
  const tracks: TrackFrame[] = [];
  let at = offset;
  do {
    if (tracks.length === maxTracks) {
      throw new RtmpError('ERR_RTMP_FLV', `more than ${maxTracks} tracks in one multitrack message`);
    }
    let fourCc = sharedFourCc ?? 0;
    if (kind === 'many-tracks-many-codecs') {
      need(payload, at, 4);
      fourCc = payload.readUInt32BE(at);
      at += 4;
    }
    need(payload, at, 1);
    const trackId = payload[at]!;
    at += 1;
    if (kind === 'one-track') {
      tracks.push({ trackId, fourCc, start: at, end: payload.length });
      return tracks;
    }
    need(payload, at, 3);
    const size = payload.readUIntBE(at, 3);
    at += 3;
    need(payload, at, size);
    tracks.push({ trackId, fourCc, start: at, end: at + size });
    at += size;
  } while (at < payload.length);
  return tracks;
}
