// Judging what the chaos run's sinks received: every live period of every destination is a
// recording that must decode, start on a keyframe and have monotonic timestamps (ffprobe/ffmpeg on
// the file); raw sinks also prove what came first on the wire (metadata and sequence headers, then
// a keyframe — nginx and ffmpeg would hide a leading inter frame) and that no track's timestamp went back.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { checkRecording, probeFile } from '../helpers/ffprobe.js';
import { toFlvFile, type SinkPublish } from '../helpers/rtmp-sink.js';

export interface RecordingVerdict {
  readonly label: string;
  readonly videoFrames: number;
  readonly problems: readonly string[];
}

type Kind = 'metadata' | 'video-header' | 'audio-header' | 'keyframe' | 'inter' | 'audio' | 'other';

function kindOf(typeId: number, payload: Buffer): Kind {
  if (typeId === 18) return 'metadata';
  if (typeId === 9) {
    if (payload[1] === 0) return 'video-header';
    return payload[0]! >> 4 === 1 ? 'keyframe' : 'inter';
  }
  if (typeId === 8) return payload[1] === 0 ? 'audio-header' : 'audio';
  return 'other';
}

/** What a raw sink saw of one publish, judged message by message. */
export function wireProblems(publish: SinkPublish): string[] {
  const problems: string[] = [];
  const kinds = publish.messages.map((m) => kindOf(m.typeId, m.payload));
  const firstMedia = kinds.findIndex((k) => k === 'keyframe' || k === 'inter' || k === 'audio');
  if (firstMedia === -1) return kinds.length === 0 ? [] : problems; // a period cut before any media: nothing to judge
  const headersBefore = new Set(kinds.slice(0, firstMedia));
  if (!headersBefore.has('video-header') || !headersBefore.has('audio-header')) {
    problems.push(`media before both sequence headers (first kinds: ${kinds.slice(0, 5).join(', ')})`);
  }
  const firstVideo = kinds.find((k) => k === 'keyframe' || k === 'inter');
  if (firstVideo === 'inter') problems.push('the first video frame is an inter frame');
  // Monotonic per track (audio, video, data), as the relay keeps them: a publisher's own
  // interleaving across tracks is kept (ffmpeg's closing AVC end-of-sequence tag carries the last
  // video timestamp, after audio that is a few ms later).
  const previous = new Map<number, number>();
  for (const [i, m] of publish.messages.entries()) {
    const last = previous.get(m.typeId) ?? -1;
    if (m.timestamp < last) {
      problems.push(`type ${m.typeId} timestamp goes back from ${last} to ${m.timestamp} at message ${i}`);
      break;
    }
    previous.set(m.typeId, m.timestamp);
  }
  return problems;
}

/** Wire checks plus a full ffprobe/ffmpeg judgement of the publish written as an FLV file. */
export async function verifyRawPublish(dir: string, label: string, publish: SinkPublish): Promise<RecordingVerdict> {
  const videoFrames = publish.messages.filter((m) => m.typeId === 9 && m.payload[1] === 1).length;
  const problems = wireProblems(publish);
  if (videoFrames > 0) {
    const path = join(dir, `${label.replace(/[^A-Za-z0-9_.-]/g, '_')}.flv`);
    await writeFile(path, toFlvFile(publish.messages));
    problems.push(...(await checkRecording(path, { videoCodec: 'h264', audioCodec: 'aac' })));
  }
  return { label, videoFrames, problems };
}

/** An nginx-rtmp recording of one period. */
export async function verifyRecordingFile(label: string, path: string): Promise<RecordingVerdict> {
  const problems = await checkRecording(path, { videoCodec: 'h264', audioCodec: 'aac' });
  const videoFrames = await probeFile(path).then((probe) => probe.videoPackets.length, () => 0);
  return { label, videoFrames, problems };
}
