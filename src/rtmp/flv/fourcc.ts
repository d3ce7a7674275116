/**
 * FourCC codec identifiers of Enhanced RTMP (veovera enhanced-rtmp v2), compared as big-endian
 * 32-bit numbers so classifying a message allocates no string.
 */
export function fourCcNumber(text: string): number {
  return (
    ((text.charCodeAt(0) << 24) | (text.charCodeAt(1) << 16) | (text.charCodeAt(2) << 8) | text.charCodeAt(3)) >>> 0
  );
}

export type VideoCodec =
  | 'h264'
  | 'hevc'
  | 'av1'
  | 'vp9'
  | 'vp8'
  | 'vvc'
  | 'h263'
  | 'screen'
  | 'vp6'
  | 'vp6a'
  | 'screen2'
  | 'jpeg'
  | 'unknown';

export type AudioCodec =
  | 'aac'
  | 'mp3'
  | 'opus'
  | 'flac'
  | 'ac3'
  | 'eac3'
  | 'speex'
  | 'pcm'
  | 'adpcm'
  | 'nellymoser'
  | 'g711a'
  | 'g711u'
  | 'device'
  | 'unknown';

interface FourCcEntry<C> {
  readonly text: string;
  readonly codec: C;
}

const VIDEO_FOURCCS = new Map<number, FourCcEntry<VideoCodec>>(
  (
    [
      ['avc1', 'h264'],
      ['hvc1', 'hevc'],
      ['av01', 'av1'],
      ['vp09', 'vp9'],
      ['vp08', 'vp8'],
      ['vvc1', 'vvc'],
    ] as const
  ).map(([text, codec]) => [fourCcNumber(text), { text, codec }]),
);

const AUDIO_FOURCCS = new Map<number, FourCcEntry<AudioCodec>>(
  (
    [
      ['mp4a', 'aac'],
      ['Opus', 'opus'],
      ['.mp3', 'mp3'],
      ['fLaC', 'flac'],
      ['ac-3', 'ac3'],
      ['ec-3', 'eac3'],
    ] as const
  ).map(([text, codec]) => [fourCcNumber(text), { text, codec }]),
);

/** Printable form of an unknown FourCC (only built when one is met, which is rare). */
function fourCcText(value: number): string {
  return String.fromCharCode(value >>> 24, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff);
}

export function videoFourCc(value: number): FourCcEntry<VideoCodec> {
  return VIDEO_FOURCCS.get(value) ?? { text: fourCcText(value), codec: 'unknown' };
}

export function audioFourCc(value: number): FourCcEntry<AudioCodec> {
  return AUDIO_FOURCCS.get(value) ?? { text: fourCcText(value), codec: 'unknown' };
}

/** Codecs whose CodedFrames carry a 24-bit composition time offset before the data. */
export const FOURCC_AVC = fourCcNumber('avc1');
export const FOURCC_HEVC = fourCcNumber('hvc1');
export const FOURCC_VVC = fourCcNumber('vvc1');
