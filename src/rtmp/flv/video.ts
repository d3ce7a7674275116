import { RtmpError } from '../errors.js';
import {
  DEFAULT_MAX_TRACKS,
  multitrackKind,
  need,
  splitTracks,
  walkModEx,
  type ModExState,
  type MultitrackKind,
  type TrackFrame,
} from './ex-header.js';
import { FOURCC_AVC, FOURCC_HEVC, FOURCC_VVC, videoFourCc, type VideoCodec } from './fourcc.js';

/** Frame type, the upper nibble of a classic tag (bits 4..6 of an enhanced one). */
export const VideoFrameType = { Key: 1, Inter: 2, Disposable: 3, GeneratedKey: 4, Command: 5 } as const;

/** Enhanced RTMP v2 VideoPacketType (low nibble of an ExVideoTagHeader). */
export const VideoPacketType = {
  SequenceStart: 0,
  CodedFrames: 1,
  SequenceEnd: 2,
  CodedFramesX: 3,
  Metadata: 4,
  Mpeg2TsSequenceStart: 5,
  Multitrack: 6,
  ModEx: 7,
} as const;

/** What a video message carries, whatever the header form. CodedFramesX is 'coded-frames' with CTS 0. */
export type VideoPacketKind =
  | 'sequence-start'
  | 'coded-frames'
  | 'sequence-end'
  | 'metadata'
  | 'mpeg2ts-sequence-start'
  | 'command';

export interface VideoTrackInfo {
  readonly trackId: number;
  readonly codec: VideoCodec;
  readonly fourCc: string;
  readonly compositionTime: number;
  /** This track's codec data (after any composition time) in the payload. */
  readonly dataOffset: number;
  readonly dataLength: number;
}

export interface VideoTagInfo {
  readonly codec: VideoCodec;
  readonly enhanced: boolean;
  /** Classic CodecID (low nibble); null for enhanced headers. */
  readonly codecId: number | null;
  /** FourCC of an enhanced header (of the first track for multitrack); null for classic. */
  readonly fourCc: string | null;
  /** Raw frame type 0..7 (see VideoFrameType). */
  readonly frameType: number;
  readonly packetType: VideoPacketKind;
  /** A coded key frame, where a player can start (sequence headers and commands are not). */
  readonly isKeyframe: boolean;
  /** Codec configuration (AVC/HEVC sequence header, E-RTMP SequenceStart or MPEG2TSSequenceStart). */
  readonly isSequenceHeader: boolean;
  readonly isSequenceEnd: boolean;
  /** Frame type 5: a video info/command frame (client-side seek markers), not media. */
  readonly isCommandFrame: boolean;
  readonly command: number | null;
  /** Composition time offset in ms (signed; 0 where the form has none). */
  readonly compositionTime: number;
  /** Codec data in the payload (of the first track for multitrack). */
  readonly dataOffset: number;
  readonly dataLength: number;
  /** ModEx TimestampOffsetNano, when present. */
  readonly timestampOffsetNano: number | null;
  readonly multitrack: MultitrackKind | null;
  /** Every track of a multitrack message, in wire order; null otherwise. */
  readonly tracks: readonly VideoTrackInfo[] | null;
}

export interface ClassifyVideoOptions {
  /** Most tracks accepted in one multitrack message (default 32). */
  readonly maxTracks?: number;
}

const CLASSIC_CODECS: readonly VideoCodec[] = [
  'unknown', // 0 reserved
  'jpeg', // 1
  'h263', // 2 Sorenson H.263
  'screen', // 3
  'vp6', // 4 On2 VP6
  'vp6a', // 5 On2 VP6 with alpha
  'screen2', // 6
  'h264', // 7 AVC
  'unknown',
  'unknown',
  'unknown',
  'unknown',
  'hevc', // 12: HEVC as Chinese CDNs, SRS and node-media-server extend classic FLV
  'av1', // 13: AV1 in the same extension
  'unknown',
  'unknown',
];

/** The codec of a classic CodecID (also used by onMetaData's videocodecid). */
export function classicVideoCodec(codecId: number): VideoCodec {
  return CLASSIC_CODECS[codecId] ?? 'unknown';
}

/** Classic codec ids whose body starts with AVCPacketType and a SI24 composition time. */
function hasAvcLayout(codecId: number): boolean {
  return codecId === 7 || codecId === 12 || codecId === 13;
}

const modEx: ModExState = { packetType: 0, offset: 0, timestampOffsetNano: null };

/**
 * Classifies an RTMP video message (an FLV video tag body) from its first bytes, without decoding
 * media. Classic and Enhanced RTMP v2 (ModEx, Multitrack) headers. Never throws.
 */
export function classifyVideo(payload: Buffer, options: ClassifyVideoOptions = {}): VideoTagInfo | RtmpError {
  try {
    need(payload, 0, 1);
    const first = payload[0]!;
    return (first & 0x80) !== 0
      ? classifyEnhanced(payload, (first >> 4) & 0x07, first & 0x0f, options.maxTracks ?? DEFAULT_MAX_TRACKS)
      : classifyClassic(payload, first >> 4, first & 0x0f);
  } catch (error) {
    if (error instanceof RtmpError) return error;
    throw error;
  }
}

/**
 * The composition time offset (presentation − decode time, ms) of a video message's coded frame:
 * a frame with B-frames after it in decode order is shown that much later than its timestamp.
 * 0 when the message has none (headers, codecs without one) or cannot be read.
 */
export function videoCompositionTime(payload: Buffer): number {
  const first = payload[0];
  if (first === undefined) return 0;
  if ((first & 0x80) === 0) {
    // Classic: read in place (the common case, per frame), as classifyClassic does.
    const codedFrames = first >> 4 !== VideoFrameType.Command && hasAvcLayout(first & 0x0f) && payload.length >= 5 && payload[1] === 1;
    return codedFrames ? payload.readIntBE(2, 3) : 0;
  }
  const info = classifyVideo(payload);
  return info instanceof RtmpError ? 0 : info.compositionTime;
}

function classifyClassic(payload: Buffer, frameType: number, codecId: number): VideoTagInfo {
  const codec = CLASSIC_CODECS[codecId]!;
  if (frameType === VideoFrameType.Command) {
    need(payload, 1, 1);
    return videoInfo(codec, codecId, null, frameType, 'command', payload[1]!, 0, 2, payload.length, null, null, null);
  }
  if (!hasAvcLayout(codecId)) {
    return videoInfo(codec, codecId, null, frameType, 'coded-frames', null, 0, 1, payload.length, null, null, null);
  }
  need(payload, 1, 4);
  const avcPacketType = payload[1]!;
  const kind: VideoPacketKind =
    avcPacketType === 0
      ? 'sequence-start'
      : avcPacketType === 1
        ? 'coded-frames'
        : avcPacketType === 2
          ? 'sequence-end'
          : invalid(`AVCPacketType ${avcPacketType}`);
  const compositionTime = kind === 'coded-frames' ? payload.readIntBE(2, 3) : 0;
  return videoInfo(codec, codecId, null, frameType, kind, null, compositionTime, 5, payload.length, null, null, null);
}

function classifyEnhanced(
  payload: Buffer,
  frameType: number,
  firstPacketType: number,
  maxTracks: number,
): VideoTagInfo {
  modEx.packetType = firstPacketType;
  modEx.offset = 1;
  modEx.timestampOffsetNano = null;
  walkModEx(payload, modEx, VideoPacketType.ModEx);
  let at = modEx.offset;
  const packetType = modEx.packetType;
  const nano = modEx.timestampOffsetNano;

  if (packetType !== VideoPacketType.Metadata && frameType === VideoFrameType.Command) {
    need(payload, at, 1);
    const command = payload[at]!;
    return videoInfo('unknown', null, null, frameType, 'command', command, 0, at + 1, payload.length, nano, null, null);
  }

  if (packetType === VideoPacketType.Multitrack) {
    need(payload, at, 1);
    const kind = multitrackKind(payload[at]! >> 4);
    const innerType = payload[at]! & 0x0f;
    at += 1;
    const packetKind = enhancedKind(innerType, true);
    let shared: number | null = null;
    if (kind !== 'many-tracks-many-codecs') {
      need(payload, at, 4);
      shared = payload.readUInt32BE(at);
      at += 4;
    }
    const frames = splitTracks(payload, at, kind, shared, maxTracks);
    const tracks = frames.map((frame) => videoTrack(payload, frame, innerType));
    const { codec, fourCc, compositionTime, dataOffset, dataLength } = tracks[0]!;
    const end = dataOffset + dataLength;
    const cts = compositionTime;
    return videoInfo(codec, null, fourCc, frameType, packetKind, null, cts, dataOffset, end, nano, kind, tracks);
  }

  const packetKind = enhancedKind(packetType, false);
  need(payload, at, 4);
  const fourCc = payload.readUInt32BE(at);
  at += 4;
  const entry = videoFourCc(fourCc);
  let compositionTime = 0;
  if (packetType === VideoPacketType.CodedFrames && carriesCompositionTime(fourCc)) {
    need(payload, at, 3);
    compositionTime = payload.readIntBE(at, 3);
    at += 3;
  }
  const { codec, text } = entry;
  const end = payload.length;
  return videoInfo(codec, null, text, frameType, packetKind, null, compositionTime, at, end, nano, null, null);
}

/**
 * Builds the result in one allocation with one shape (the relay calls this per message).
 * `dataEnd` is where the (first track's) codec data ends.
 */
function videoInfo(
  codec: VideoCodec,
  codecId: number | null,
  fourCc: string | null,
  frameType: number,
  packetType: VideoPacketKind,
  command: number | null,
  compositionTime: number,
  dataOffset: number,
  dataEnd: number,
  timestampOffsetNano: number | null,
  multitrack: MultitrackKind | null,
  tracks: readonly VideoTrackInfo[] | null,
): VideoTagInfo {
  return {
    codec,
    enhanced: codecId === null,
    codecId,
    fourCc,
    frameType,
    packetType,
    isKeyframe: packetType === 'coded-frames' && frameType === VideoFrameType.Key,
    isSequenceHeader: packetType === 'sequence-start' || packetType === 'mpeg2ts-sequence-start',
    isSequenceEnd: packetType === 'sequence-end',
    isCommandFrame: packetType === 'command',
    command,
    compositionTime,
    dataOffset,
    dataLength: dataEnd - dataOffset,
    timestampOffsetNano,
    multitrack,
    tracks,
  };
}

function videoTrack(payload: Buffer, frame: TrackFrame, packetType: number): VideoTrackInfo {
  const entry = videoFourCc(frame.fourCc);
  let at = frame.start;
  let compositionTime = 0;
  if (packetType === VideoPacketType.CodedFrames && carriesCompositionTime(frame.fourCc)) {
    if (at + 3 > frame.end) throw new RtmpError('ERR_RTMP_TRUNCATED', `track ${frame.trackId} too short for its CTS`);
    compositionTime = payload.readIntBE(at, 3);
    at += 3;
  }
  const { trackId, end } = frame;
  return { trackId, codec: entry.codec, fourCc: entry.text, compositionTime, dataOffset: at, dataLength: end - at };
}

function carriesCompositionTime(fourCc: number): boolean {
  return fourCc === FOURCC_AVC || fourCc === FOURCC_HEVC || fourCc === FOURCC_VVC;
}

function enhancedKind(packetType: number, insideMultitrack: boolean): VideoPacketKind {
  switch (packetType) {
    case VideoPacketType.SequenceStart:
      return 'sequence-start';
    case VideoPacketType.CodedFrames:
    case VideoPacketType.CodedFramesX:
      return 'coded-frames';
    case VideoPacketType.SequenceEnd:
      return 'sequence-end';
    case VideoPacketType.Metadata:
      return 'metadata';
    case VideoPacketType.Mpeg2TsSequenceStart:
      return 'mpeg2ts-sequence-start';
    default:
      return invalid(`VideoPacketType ${packetType}${insideMultitrack ? ' inside a multitrack message' : ''}`);
  }
}

function invalid(what: string): never {
  throw new RtmpError('ERR_RTMP_FLV', `invalid ${what}`);
}
