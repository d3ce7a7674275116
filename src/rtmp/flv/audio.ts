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
import { audioFourCc, type AudioCodec } from './fourcc.js';

/** Classic SoundFormat, the upper nibble of an audio tag; 9 switches to the Enhanced RTMP header. */
export const SoundFormat = { Mp3: 2, ExHeader: 9, Aac: 10, Speex: 11, Mp3_8k: 14 } as const;

/** Enhanced RTMP v2 AudioPacketType (low nibble when SoundFormat is ExHeader). */
export const AudioPacketType = {
  SequenceStart: 0,
  CodedFrames: 1,
  SequenceEnd: 2,
  MultichannelConfig: 4,
  Multitrack: 5,
  ModEx: 7,
} as const;

/** 'silence' is the empty audio message the E-RTMP spec documents (no header at all). */
export type AudioPacketKind = 'sequence-start' | 'coded-frames' | 'sequence-end' | 'multichannel-config' | 'silence';

export interface AudioTrackInfo {
  readonly trackId: number;
  readonly codec: AudioCodec;
  readonly fourCc: string;
  readonly dataOffset: number;
  readonly dataLength: number;
}

export interface AudioTagInfo {
  readonly codec: AudioCodec;
  readonly enhanced: boolean;
  /** Classic SoundFormat (upper nibble); null for enhanced headers and silence. */
  readonly soundFormat: number | null;
  /** FourCC of an enhanced header (of the first track for multitrack). */
  readonly fourCc: string | null;
  readonly packetType: AudioPacketKind;
  /** AAC sequence header, or E-RTMP SequenceStart (AudioSpecificConfig, OpusHead, FLAC STREAMINFO...). */
  readonly isSequenceHeader: boolean;
  readonly isSequenceEnd: boolean;
  /**
   * What a classic header's rate/size/type bits say (Hz, bits, channels), with the fixed rates of
   * Nellymoser, Speex and MP3-8k applied; null for enhanced. For AAC the real values are in the
   * AudioSpecificConfig: FLV fixes these bits at 44 kHz stereo.
   */
  readonly soundRate: number | null;
  readonly soundSize: 8 | 16 | null;
  readonly soundChannels: 1 | 2 | null;
  readonly dataOffset: number;
  readonly dataLength: number;
  readonly timestampOffsetNano: number | null;
  readonly multitrack: MultitrackKind | null;
  readonly tracks: readonly AudioTrackInfo[] | null;
}

export interface ClassifyAudioOptions {
  /** Most tracks accepted in one multitrack message (default 32). */
  readonly maxTracks?: number;
}

const CLASSIC_CODECS: readonly AudioCodec[] = [
  'pcm', // 0 linear PCM, platform endian
  'adpcm', // 1
  'mp3', // 2
  'pcm', // 3 linear PCM, little endian
  'nellymoser', // 4 16 kHz mono
  'nellymoser', // 5 8 kHz mono
  'nellymoser', // 6
  'g711a', // 7
  'g711u', // 8
  'unknown', // 9 ExHeader (handled before this table)
  'aac', // 10
  'speex', // 11
  'unknown', // 12 reserved
  'unknown', // 13 reserved
  'mp3', // 14 MP3 8 kHz
  'device', // 15 device-specific
];

/** The codec of a classic SoundFormat (also used by onMetaData's audiocodecid). */
export function classicAudioCodec(soundFormat: number): AudioCodec {
  return CLASSIC_CODECS[soundFormat] ?? 'unknown';
}

const RATE_BITS = [5512, 11025, 22050, 44100] as const;
const FIXED_RATES: Partial<Record<number, number>> = { 4: 16000, 5: 8000, 11: 16000, 14: 8000 };

const modEx: ModExState = { packetType: 0, offset: 0, timestampOffsetNano: null };

/**
 * Classifies an RTMP audio message (an FLV audio tag body) from its first bytes: classic and
 * Enhanced RTMP v2 (ModEx, Multitrack) headers. Never throws.
 */
export function classifyAudio(payload: Buffer, options: ClassifyAudioOptions = {}): AudioTagInfo | RtmpError {
  try {
    if (payload.length === 0) {
      return audioInfo('unknown', false, null, null, 'silence', null, null, null, 0, 0, null, null, null);
    }
    const first = payload[0]!;
    const format = first >> 4;
    if (format === SoundFormat.ExHeader) {
      return classifyEnhanced(payload, first & 0x0f, options.maxTracks ?? DEFAULT_MAX_TRACKS);
    }
    const codec = CLASSIC_CODECS[format]!;
    const rate = FIXED_RATES[format] ?? RATE_BITS[(first >> 2) & 0x03]!;
    const size = (first & 0x02) !== 0 ? 16 : 8;
    const channels = (first & 0x01) !== 0 ? 2 : 1;
    if (format !== SoundFormat.Aac) {
      const kind = 'coded-frames';
      return audioInfo(codec, false, format, null, kind, rate, size, channels, 1, payload.length, null, null, null);
    }
    need(payload, 1, 1);
    const aacPacketType = payload[1]!;
    if (aacPacketType > 1) throw new RtmpError('ERR_RTMP_FLV', `invalid AACPacketType ${aacPacketType}`);
    const kind = aacPacketType === 0 ? 'sequence-start' : 'coded-frames';
    return audioInfo(codec, false, format, null, kind, rate, size, channels, 2, payload.length, null, null, null);
  } catch (error) {
    if (error instanceof RtmpError) return error;
    throw error;
  }
}

function classifyEnhanced(payload: Buffer, firstPacketType: number, maxTracks: number): AudioTagInfo {
  modEx.packetType = firstPacketType;
  modEx.offset = 1;
  modEx.timestampOffsetNano = null;
  walkModEx(payload, modEx, AudioPacketType.ModEx);
  let at = modEx.offset;
  const nano = modEx.timestampOffsetNano;

  if (modEx.packetType === AudioPacketType.Multitrack) {
    need(payload, at, 1);
    const kind = multitrackKind(payload[at]! >> 4);
    const packetKind = enhancedKind(payload[at]! & 0x0f, true);
    at += 1;
    let shared: number | null = null;
    if (kind !== 'many-tracks-many-codecs') {
      need(payload, at, 4);
      shared = payload.readUInt32BE(at);
      at += 4;
    }
    const tracks = splitTracks(payload, at, kind, shared, maxTracks).map(audioTrack);
    const head = tracks[0]!;
    const { dataOffset, dataLength } = head;
    const end = dataOffset + dataLength;
    const { codec, fourCc } = head;
    return audioInfo(codec, true, null, fourCc, packetKind, null, null, null, dataOffset, end, nano, kind, tracks);
  }

  const packetKind = enhancedKind(modEx.packetType, false);
  need(payload, at, 4);
  const entry = audioFourCc(payload.readUInt32BE(at));
  at += 4;
  const end = payload.length;
  return audioInfo(entry.codec, true, null, entry.text, packetKind, null, null, null, at, end, nano, null, null);
}

function audioTrack(frame: TrackFrame): AudioTrackInfo {
  const entry = audioFourCc(frame.fourCc);
  return {
    trackId: frame.trackId,
    codec: entry.codec,
    fourCc: entry.text,
    dataOffset: frame.start,
    dataLength: frame.end - frame.start,
  };
}

function enhancedKind(packetType: number, insideMultitrack: boolean): AudioPacketKind {
  switch (packetType) {
    case AudioPacketType.SequenceStart:
      return 'sequence-start';
    case AudioPacketType.CodedFrames:
      return 'coded-frames';
    case AudioPacketType.SequenceEnd:
      return 'sequence-end';
    case AudioPacketType.MultichannelConfig:
      return 'multichannel-config';
    default:
      throw new RtmpError(
        'ERR_RTMP_FLV',
        `invalid AudioPacketType ${packetType}${insideMultitrack ? ' inside a multitrack message' : ''}`,
      );
  }
}

/** One allocation with one shape per message; `dataEnd` ends the (first track's) codec data. */
function audioInfo(
  codec: AudioCodec,
  enhanced: boolean,
  soundFormat: number | null,
  fourCc: string | null,
  packetType: AudioPacketKind,
  soundRate: number | null,
  soundSize: 8 | 16 | null,
  soundChannels: 1 | 2 | null,
  dataOffset: number,
  dataEnd: number,
  timestampOffsetNano: number | null,
  multitrack: MultitrackKind | null,
  tracks: readonly AudioTrackInfo[] | null,
): AudioTagInfo {
  return {
    codec,
    enhanced,
    soundFormat,
    fourCc,
    packetType,
    isSequenceHeader: packetType === 'sequence-start',
    isSequenceEnd: packetType === 'sequence-end',
    soundRate,
    soundSize,
    soundChannels,
    dataOffset,
    dataLength: dataEnd - dataOffset,
    timestampOffsetNano,
    multitrack,
    tracks,
  };
}
