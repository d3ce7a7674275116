import { decodeData } from '../rtmp/message/data.js';
import { RtmpError } from '../rtmp/errors.js';
import { MessageType, type RtmpMessage } from '../rtmp/message/types.js';
import { classifyAudio } from '../rtmp/flv/audio.js';
import { classifyVideo } from '../rtmp/flv/video.js';
import { audioCodecFacts, videoCodecFacts } from '../rtmp/flv/codec-config.js';
import { metadataFacts, type MetadataFacts } from '../rtmp/flv/metadata-facts.js';

export interface VideoFacts {
  codec: string;
  width: number | null;
  height: number | null;
  fps: number | null;
}

export interface AudioFacts {
  codec: string;
  sampleRate: number | null;
  channels: number | null;
}

/**
 * The codec facts status shows for a live ingest. The sequence headers are the truth (codec,
 * size, and frame rate where the SPS has timing); onMetaData fills what they leave open. Both are
 * parsed only when they arrive, never per frame.
 */
export class CodecFacts {
  private fromHeaders: { video: VideoFacts | null; audio: AudioFacts | null } = { video: null, audio: null };
  private metadata: MetadataFacts | null = null;

  get video(): VideoFacts | null {
    const header = this.fromHeaders.video;
    const meta = this.metadata;
    if (!header && !meta?.videoCodec && !meta?.width) return null;
    return {
      codec: header?.codec ?? meta?.videoCodec ?? 'unknown',
      width: header?.width ?? meta?.width ?? null,
      height: header?.height ?? meta?.height ?? null,
      fps: round(header?.fps ?? meta?.frameRate ?? null),
    };
  }

  get audio(): AudioFacts | null {
    const header = this.fromHeaders.audio;
    const meta = this.metadata;
    if (!header && !meta?.audioCodec && !meta?.audioSampleRate) return null;
    return {
      codec: header?.codec ?? meta?.audioCodec ?? 'unknown',
      sampleRate: header?.sampleRate ?? meta?.audioSampleRate ?? null,
      channels: header?.channels ?? meta?.audioChannels ?? null,
    };
  }

  fromMetadata(message: RtmpMessage): void {
    const data = decodeData(message);
    if (data instanceof RtmpError || data.kind === 'other') return;
    this.metadata = metadataFacts(data.metadata);
  }

  fromSequenceHeader(message: RtmpMessage): void {
    if (message.typeId === MessageType.Video) {
      const info = classifyVideo(message.payload);
      if (info instanceof RtmpError) return;
      const facts = videoCodecFacts(message.payload, info);
      if (facts instanceof RtmpError || facts === null) {
        this.fromHeaders.video = { codec: info.codec, width: null, height: null, fps: null };
        return;
      }
      this.fromHeaders.video = { codec: facts.codec, width: facts.width, height: facts.height, fps: facts.frameRate };
    } else if (message.typeId === MessageType.Audio) {
      const info = classifyAudio(message.payload);
      if (info instanceof RtmpError) return;
      const facts = audioCodecFacts(message.payload, info);
      if (facts instanceof RtmpError || facts === null) {
        this.fromHeaders.audio = { codec: info.codec, sampleRate: null, channels: null };
        return;
      }
      this.fromHeaders.audio = { codec: facts.codec, sampleRate: facts.sampleRate, channels: facts.channels };
    }
  }
}

function round(fps: number | null): number | null {
  return fps === null ? null : Math.round(fps * 100) / 100;
}
