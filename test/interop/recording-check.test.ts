// Self-test of checkRecording (test/helpers/ffprobe.ts), the judge of every recording in the interop
// tests and the chaos campaign: a stream whose timeline continues after its encoder came back (as the
// relay makes it, CONTRACT §4) is good at any sub-frame offset, and a video dts that repeats or goes
// back is still caught. The media is made by ffmpeg; the timestamps are set here by hand.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ExecutionContext } from 'ava';
import { checkRecording } from '../helpers/ffprobe.js';
import { FLV_TAG_AUDIO, FLV_TAG_VIDEO, isAvcSequenceHeader, isVideoKeyframe, type FlvTag } from '../helpers/flv-tags.js';
import { peerTest } from '../helpers/require-binary.js';
import { makeSampleFlv } from '../helpers/rtmp-publisher.js';
import { toFlvFile } from '../helpers/rtmp-sink.js';
import { makeTmpDir } from '../helpers/tmp.js';

/** One encoder session: the sample's first half second (it starts on a keyframe: -g 30 at 30 fps). */
const SESSION_MS = 500;
/** The relay's gap between a publisher's last message and its successor's first (live-stream.ts). */
const FRAME_GAP_MS = 33;

type Message = { typeId: number; timestamp: number; payload: Buffer };

async function sample(t: ExecutionContext): Promise<{ dir: string; headers: Message[]; session: Message[] }> {
  const tmp = await makeTmpDir('rtmp-relay-check-');
  t.teardown(tmp.remove);
  // No B-frames: a session cut at SESSION_MS then shows its last frame last, so each continuation
  // is judged by its timestamps alone, not by frames of the previous session shown after it.
  const tags = await makeSampleFlv(join(tmp.path, 'sample.flv'), { seconds: 1, bFrames: false });
  const firstFrame = tags.findIndex((tag) => tag.type === FLV_TAG_VIDEO && !isAvcSequenceHeader(tag));
  t.true(firstFrame > 0 && isVideoKeyframe(tags[firstFrame]!), 'the sample starts its video on a keyframe');
  const asMessage = (tag: FlvTag): Message => ({ typeId: tag.type, timestamp: tag.timestamp, payload: tag.data });
  const headers = tags.slice(0, firstFrame).map(asMessage);
  const session = tags
    .slice(firstFrame)
    .filter((tag) => (tag.type === FLV_TAG_AUDIO || tag.type === FLV_TAG_VIDEO) && tag.timestamp < SESSION_MS && !isAvcSequenceHeader(tag))
    .filter((tag) => tag.type !== FLV_TAG_AUDIO || tag.data[1] !== 0) // the AAC sequence header is in `headers`
    .map(asMessage);
  return { dir: tmp.path, headers, session };
}

/** The session `count` times, each continuing `FRAME_GAP_MS + k` ms after the previous one's last message. */
function continuations(headers: readonly Message[], session: readonly Message[], count: number): Message[] {
  const out: Message[] = [...headers];
  let last = 0;
  for (let k = 0; k < count; k++) {
    const start = k === 0 ? 0 : last + FRAME_GAP_MS + k;
    const shifted = session.map((m) => ({ ...m, timestamp: m.timestamp + start }));
    shifted.sort((a, b) => a.timestamp - b.timestamp);
    out.push(...shifted);
    last = shifted[shifted.length - 1]!.timestamp;
  }
  return out;
}

peerTest(['ffmpeg', 'ffprobe'], 'checkRecording: a timeline continued at any sub-frame offset is good; a repeated or backward video dts is not', async (t) => {
  const { dir, headers, session } = await sample(t);
  // 100 returns of the encoder, at every millisecond offset within 100 ms (three frames at 30 fps):
  // ffmpeg's default decode timing (1/30 s) gives some of them equal dts (found by the chaos campaign).
  const continued = join(dir, 'continued.flv');
  await writeFile(continued, toFlvFile(continuations(headers, session, 100)));
  t.deepEqual(await checkRecording(continued, { videoCodec: 'h264', audioCodec: 'aac' }), []);

  for (const [what, shift] of [['repeated', 0], ['backward', -10]] as const) {
    const messages = continuations(headers, session, 3);
    const videoIndexes = messages.flatMap((m, i) => (i >= headers.length && m.typeId === FLV_TAG_VIDEO ? [i] : []));
    const at = videoIndexes[20]!;
    const previous = messages[videoIndexes[19]!]!;
    messages[at] = { ...messages[at]!, timestamp: previous.timestamp + shift };
    const path = join(dir, `${what}.flv`);
    await writeFile(path, toFlvFile(messages));
    const problems = await checkRecording(path, { videoCodec: 'h264', audioCodec: 'aac' });
    t.true(problems.length > 0, `a ${what} video dts is reported`);
  }
});
