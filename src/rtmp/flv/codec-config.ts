import type { RtmpError } from '../errors.js';
import { parseAudioSpecificConfig, parseFlacStreamInfo, parseOpusHead } from './audio-config.js';
import type { AacFacts, FlacFacts, OpusFacts } from './audio-config.js';
import type { AudioTagInfo } from './audio.js';
import { parseAv1CodecConfig, type Av1Facts } from './av1-config.js';
import { parseAvcDecoderConfig, type AvcFacts } from './avc-config.js';
import type { AudioCodec } from './fourcc.js';
import { parseHevcDecoderConfig, type HevcFacts } from './hevc-config.js';
import type { VideoTagInfo } from './video.js';

/** Facts from a video sequence header, for the status API: codec, size, frame rate. */
export type VideoCodecFacts = AvcFacts | HevcFacts | Av1Facts;

/** Facts about a classic non-AAC stream, which has no configuration record: its header bits say it all. */
export interface HeaderAudioFacts {
  readonly codec: AudioCodec;
  readonly sampleRate: number;
  readonly channels: number;
}

export type AudioCodecFacts = AacFacts | OpusFacts | FlacFacts | HeaderAudioFacts;

/**
 * Reads the codec configuration in a video sequence header message (of the first track when the
 * message is multitrack). Null when the message is not a sequence header or carries a configuration
 * this module does not read (VP8/VP9/VVC, MPEG-2 TS descriptors); an RtmpError when it is malformed.
 */
export function videoCodecFacts(payload: Buffer, info: VideoTagInfo): VideoCodecFacts | RtmpError | null {
  if (info.packetType !== 'sequence-start') return null;
  const record = payload.subarray(info.dataOffset, info.dataOffset + info.dataLength);
  switch (info.codec) {
    case 'h264':
      return parseAvcDecoderConfig(record);
    case 'hevc':
      return parseHevcDecoderConfig(record);
    case 'av1':
      return parseAv1CodecConfig(record);
    default:
      return null;
  }
}

/**
 * Reads what an audio message tells about its stream: the AudioSpecificConfig of an AAC sequence
 * header, an OpusHead or FLAC STREAMINFO of an E-RTMP SequenceStart, or the header bits of a classic
 * non-AAC frame. Null when the message says nothing (AAC raw frames, other E-RTMP packets).
 */
export function audioCodecFacts(payload: Buffer, info: AudioTagInfo): AudioCodecFacts | RtmpError | null {
  if (!info.enhanced && info.codec !== 'aac' && info.packetType === 'coded-frames') {
    return { codec: info.codec, sampleRate: info.soundRate!, channels: info.soundChannels! };
  }
  if (info.packetType !== 'sequence-start') return null;
  const config = payload.subarray(info.dataOffset, info.dataOffset + info.dataLength);
  switch (info.codec) {
    case 'aac':
      return parseAudioSpecificConfig(config);
    case 'opus':
      return parseOpusHead(config);
    case 'flac':
      return parseFlacStreamInfo(config);
    default:
      return null;
  }
}
