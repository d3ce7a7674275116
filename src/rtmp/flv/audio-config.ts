import { RtmpError } from '../errors.js';
import { BitReader } from './bit-reader.js';

export interface AacFacts {
  readonly codec: 'aac';
  /** Audio object type (2 = AAC-LC, 5 = HE-AAC/SBR, 29 = HE-AAC v2/PS): the core type when SBR is explicit. */
  readonly objectType: number;
  /** Output sample rate (the SBR extension rate when signalled explicitly). */
  readonly sampleRate: number;
  /** Channels from channelConfiguration; null when a program config element defines them (0). */
  readonly channels: number | null;
  readonly sbr: boolean;
}

export interface OpusFacts {
  readonly codec: 'opus';
  /** Opus always decodes at 48 kHz. */
  readonly sampleRate: 48000;
  /** The rate of the original input, informational. */
  readonly inputSampleRate: number;
  readonly channels: number;
}

export interface FlacFacts {
  readonly codec: 'flac';
  readonly sampleRate: number;
  readonly channels: number;
  readonly bitDepth: number;
}

const AAC_RATES = [96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350];
/** channelConfiguration → channels (ISO/IEC 14496-3 Table 1.19; 7 is 7.1, 11..14 from later amendments). */
const AAC_CHANNELS: Partial<Record<number, number>> = {
  ...{ 1: 1, 2: 2, 3: 3, 4: 4, 5: 5, 6: 6, 7: 8 },
  ...{ 11: 7, 12: 8, 13: 24, 14: 8 },
};

function boundary<T>(parse: () => T): T | RtmpError {
  try {
    return parse();
  } catch (error) {
    if (error instanceof RtmpError) return error;
    throw error;
  }
}

/** Parses an AudioSpecificConfig (ISO/IEC 14496-3 1.6.2.1): object type, rate, channels. */
export function parseAudioSpecificConfig(asc: Buffer): AacFacts | RtmpError {
  return boundary(() => {
    const r = new BitReader(asc);
    let objectType = readObjectType(r);
    let sampleRate = readSampleRate(r);
    const channelConfig = r.u(4);
    let sbr = false;
    if (objectType === 5 || objectType === 29) {
      // Explicit hierarchical SBR signalling: the extension rate, then the core object type.
      sbr = true;
      sampleRate = readSampleRate(r);
      objectType = readObjectType(r);
    }
    if (objectType === 0) throw new RtmpError('ERR_RTMP_CODEC_CONFIG', 'AAC object type 0');
    const channels = channelConfig === 0 ? null : AAC_CHANNELS[channelConfig];
    if (channels === undefined) throw new RtmpError('ERR_RTMP_CODEC_CONFIG', `channelConfiguration ${channelConfig}`);
    return { codec: 'aac', objectType, sampleRate, channels, sbr };
  });
}

function readObjectType(r: BitReader): number {
  const type = r.u(5);
  return type === 31 ? 32 + r.u(6) : type;
}

function readSampleRate(r: BitReader): number {
  const index = r.u(4);
  if (index === 15) return r.u(24);
  const rate = AAC_RATES[index];
  if (rate === undefined) throw new RtmpError('ERR_RTMP_CODEC_CONFIG', `samplingFrequencyIndex ${index}`);
  return rate;
}

const OPUS_MAGIC = Buffer.from('OpusHead', 'latin1');

/** Parses an Opus identification header (RFC 7845 5.1), as E-RTMP 'Opus' SequenceStart carries. */
export function parseOpusHead(head: Buffer): OpusFacts | RtmpError {
  return boundary(() => {
    if (head.length < 19) throw new RtmpError('ERR_RTMP_TRUNCATED', `OpusHead needs 19 bytes, has ${head.length}`);
    if (!head.subarray(0, 8).equals(OPUS_MAGIC)) throw new RtmpError('ERR_RTMP_CODEC_CONFIG', 'no OpusHead magic');
    const version = head[8]!;
    if (version >> 4 !== 0) throw new RtmpError('ERR_RTMP_CODEC_CONFIG', `OpusHead version ${version}`);
    const channels = head[9]!;
    if (channels === 0) throw new RtmpError('ERR_RTMP_CODEC_CONFIG', 'OpusHead with 0 channels');
    return { codec: 'opus', sampleRate: 48000, inputSampleRate: head.readUInt32LE(12), channels };
  });
}

const FLAC_MAGIC = Buffer.from('fLaC', 'latin1');

/** Parses "fLaC" + the STREAMINFO metadata block (FLAC format 8.2), as E-RTMP 'fLaC' SequenceStart carries. */
export function parseFlacStreamInfo(header: Buffer): FlacFacts | RtmpError {
  return boundary(() => {
    if (header.length < 4 + 4 + 18) throw new RtmpError('ERR_RTMP_TRUNCATED', 'FLAC header shorter than STREAMINFO');
    if (!header.subarray(0, 4).equals(FLAC_MAGIC)) throw new RtmpError('ERR_RTMP_CODEC_CONFIG', 'no fLaC magic');
    if ((header[4]! & 0x7f) !== 0) throw new RtmpError('ERR_RTMP_CODEC_CONFIG', 'first FLAC block is not STREAMINFO');
    const r = new BitReader(header, 8 + 10); // block header, then block sizes and frame sizes
    const sampleRate = r.u(20);
    const channels = r.u(3) + 1;
    const bitDepth = r.u(5) + 1;
    return { codec: 'flac', sampleRate, channels, bitDepth };
  });
}
