// An encoder stand-in for long runs: our raw publisher sends a pre-made FLV at 1× pace, looping
// with continuous timestamps (each loop shifted by the file's length) as a live encoder would:
// metadata and sequence headers once, then media forever, until `stop()`.
import { connectPublisher, sleep, withSetDataFrame, type RtmpPublisher } from '../helpers/rtmp-publisher.js';
import { FLV_TAG_SCRIPT, FLV_TAG_VIDEO, type FlvTag } from '../helpers/flv-tags.js';

export interface LoopingPublisher {
  readonly publisher: RtmpPublisher;
  /** Media messages sent so far (headers and metadata included). */
  sent(): number;
  videoFramesSent(): number;
  /** Ends the loop, then the publish cleanly (FCUnpublish, deleteStream). */
  stop(): Promise<void>;
}

/** A sequence header: AVC/AAC packet type 0 in the second byte (the sample's codecs). */
const isHeader = (tag: FlvTag): boolean => tag.type !== FLV_TAG_SCRIPT && tag.data[1] === 0;

export async function startLoopingPublisher(url: string, streamName: string, tags: readonly FlvTag[]): Promise<LoopingPublisher> {
  const publisher = connectPublisher({ url, streamName });
  const outcome = await publisher.outcome;
  if (outcome.kind !== 'publishing') throw new Error(`publish ${streamName}: ${JSON.stringify(outcome)}`);
  const first = tags[0]?.timestamp ?? 0;
  const last = tags.reduce((max, tag) => Math.max(max, tag.timestamp), first);
  const loopMs = last - first + 33; // one frame after the last tag
  // The end-of-sequence tag ffmpeg writes last (AVC packet type 2) would end the stream: left out.
  const firstPass = tags.filter((tag) => !(tag.type === FLV_TAG_VIDEO && tag.data[1] === 2));
  // Later loops repeat media only.
  const media = firstPass.filter((tag) => tag.type !== FLV_TAG_SCRIPT && !isHeader(tag));
  const controller = new AbortController();
  let sent = 0;
  let video = 0;
  const start = Date.now();
  const send = async (tag: FlvTag, timestamp: number): Promise<void> => {
    const due = start + timestamp - Date.now();
    if (due > 0) await sleep(due, controller.signal);
    if (controller.signal.aborted || publisher.isClosed()) return;
    const payload = tag.type === FLV_TAG_SCRIPT ? withSetDataFrame(tag.data) : tag.data;
    publisher.send({ typeId: tag.type, timestamp, payload });
    sent++;
    if (tag.type === FLV_TAG_VIDEO && tag.data[1] === 1) video++;
    await publisher.drain();
  };
  const loop = (async () => {
    for (const tag of firstPass) {
      if (controller.signal.aborted) return;
      await send(tag, tag.timestamp - first);
    }
    for (let round = 1; !controller.signal.aborted && !publisher.isClosed(); round++) {
      for (const tag of media) {
        if (controller.signal.aborted || publisher.isClosed()) return;
        await send(tag, tag.timestamp - first + round * loopMs);
      }
    }
  })();
  return {
    publisher,
    sent: () => sent,
    videoFramesSent: () => video,
    stop: async () => {
      controller.abort();
      await loop;
      publisher.finish();
      await publisher.closed;
    },
  };
}
