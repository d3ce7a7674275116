import { classicAudioCodec } from './audio.js';
import { audioFourCc, fourCcNumber, videoFourCc, type AudioCodec, type VideoCodec } from './fourcc.js';
import { classicVideoCodec } from './video.js';

/** What an encoder announces in @setDataFrame onMetaData (values as the AMF decoder gives them). */
export interface MetadataFacts {
  readonly width: number | null;
  readonly height: number | null;
  readonly frameRate: number | null;
  readonly videoCodec: VideoCodec | null;
  readonly videoDataRateKbps: number | null;
  readonly audioCodec: AudioCodec | null;
  readonly audioSampleRate: number | null;
  readonly audioChannels: number | null;
  readonly audioDataRateKbps: number | null;
}


/** A finite positive number, or null: metadata comes from the encoder and is not trusted. */
function positive(value: unknown, max = 1e9): number | null {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 && value <= max ? value : null;
}

/**
 * Codec ids in metadata are classic numbers (7 = AVC), E-RTMP FourCCs as a number
 * ('hvc1' packed big-endian), or FourCC strings.
 */
function codecFrom<C extends string>(
  value: unknown,
  classic: (id: number) => C | 'unknown',
  fourCc: (n: number) => { codec: C | 'unknown' },
): C | null {
  let codec: C | 'unknown' = 'unknown';
  if (typeof value === 'string' && value.length === 4) {
    codec = fourCc(fourCcNumber(value)).codec;
  } else if (typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 0xffffffff) {
    // Classic ids fit a nibble; anything larger is a packed FourCC.
    codec = value < 16 ? classic(value) : fourCc(value).codec;
  }
  return codec === 'unknown' ? null : codec;
}

/**
 * Reads the facts the status API shows from an onMetaData object (a plain record of AMF values).
 * Missing, mistyped or absurd values become null; this never throws.
 */
export function metadataFacts(meta: Readonly<Record<string, unknown>>): MetadataFacts {
  const stereo = meta['stereo'];
  const channels = positive(meta['audiochannels'], 64) ?? (typeof stereo === 'boolean' ? (stereo ? 2 : 1) : null);
  return {
    width: positive(meta['width'], 65535),
    height: positive(meta['height'], 65535),
    frameRate: positive(meta['framerate'], 1000) ?? positive(meta['fps'], 1000),
    videoCodec: codecFrom(meta['videocodecid'], classicVideoCodec, videoFourCc),
    videoDataRateKbps: positive(meta['videodatarate']),
    audioCodec: codecFrom(meta['audiocodecid'], classicAudioCodec, audioFourCc),
    audioSampleRate: positive(meta['audiosamplerate'], 768000),
    audioChannels: channels,
    audioDataRateKbps: positive(meta['audiodatarate']),
  };
}
