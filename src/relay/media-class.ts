import { classifyAudio } from '../rtmp/flv/audio.js';
import { classifyVideo } from '../rtmp/flv/video.js';
import { RtmpError } from '../rtmp/errors.js';
import { MessageType, type RtmpMessage } from '../rtmp/message/types.js';

/**
 * What the relay needs to know of each message to cache and queue it: keyframes start a GOP,
 * sequence headers and metadata are replayed to joiners and never dropped, inter frames may be
 * dropped up to the next keyframe. Payloads are never changed.
 */
export type MediaClass =
  | { readonly kind: 'video'; readonly isKeyframe: boolean; readonly isSequenceHeader: boolean; readonly trackKey: string; readonly codec: string; readonly fourCc?: string | null }
  | { readonly kind: 'audio'; readonly isSequenceHeader: boolean; readonly trackKey: string; readonly codec: string; readonly fourCc?: string | null }
  | { readonly kind: 'metadata' }
  | { readonly kind: 'data' }
  | { readonly kind: 'ignore' };

// Shared answers for the common per-frame cases, so classifying a frame allocates nothing here.
const VIDEO_KEYFRAME: MediaClass = { kind: 'video', isKeyframe: true, isSequenceHeader: false, trackKey: 'video:0', codec: '' };
const VIDEO_INTER: MediaClass = { kind: 'video', isKeyframe: false, isSequenceHeader: false, trackKey: 'video:0', codec: '' };
const AUDIO_FRAME: MediaClass = { kind: 'audio', isSequenceHeader: false, trackKey: 'audio:0', codec: '' };
const METADATA: MediaClass = { kind: 'metadata' };
const DATA: MediaClass = { kind: 'data' };
const IGNORE: MediaClass = { kind: 'ignore' };

export function classifyMedia(message: RtmpMessage): MediaClass {
  switch (message.typeId) {
    case MessageType.Video: {
      const info = classifyVideo(message.payload);
      // An unreadable video header is still forwarded as it came, but never starts a GOP.
      if (info instanceof RtmpError) return VIDEO_INTER;
      if (info.isSequenceHeader) {
        const track = info.tracks?.[0]?.trackId ?? 0;
        return { kind: 'video', isKeyframe: false, isSequenceHeader: true, trackKey: `video:${track}`, codec: info.codec, fourCc: info.fourCc };
      }
      return info.isKeyframe ? VIDEO_KEYFRAME : VIDEO_INTER;
    }
    case MessageType.Audio: {
      const info = classifyAudio(message.payload);
      if (info instanceof RtmpError) return AUDIO_FRAME;
      if (info.isSequenceHeader) {
        const track = info.tracks?.[0]?.trackId ?? 0;
        return { kind: 'audio', isSequenceHeader: true, trackKey: `audio:${track}`, codec: info.codec, fourCc: info.fourCc };
      }
      return AUDIO_FRAME;
    }
    case MessageType.DataAmf0:
    case MessageType.DataAmf3:
      return isMetadata(message.payload, message.typeId === MessageType.DataAmf3 ? 1 : 0) ? METADATA : DATA;
    default:
      return IGNORE;
  }
}

const SET_DATA_FRAME = Buffer.from('@setDataFrame', 'latin1');
const ON_METADATA = Buffer.from('onMetaData', 'latin1');

/** `@setDataFrame` + `onMetaData`, or a bare `onMetaData`: read from the first AMF0 strings only. */
function isMetadata(payload: Buffer, start: number): boolean {
  const first = amf0StringAt(payload, start);
  if (first === null) return false;
  if (first.equals(ON_METADATA)) return true;
  if (!first.equals(SET_DATA_FRAME)) return false;
  const second = amf0StringAt(payload, start + 3 + first.length);
  return second !== null && second.equals(ON_METADATA);
}

function amf0StringAt(payload: Buffer, at: number): Buffer | null {
  if (payload.length < at + 3 || payload[at] !== 0x02) return null;
  const length = payload.readUInt16BE(at + 1);
  if (payload.length < at + 3 + length) return null;
  return payload.subarray(at + 3, at + 3 + length);
}
