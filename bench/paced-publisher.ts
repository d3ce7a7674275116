// Publishes the source stream like an encoder would, only faster: each tag is sent when its
// timestamp is due at `speed` × real time. Metadata and sequence headers go first; the media waits
// until the caller says every destination is live, so each sink gets the whole stream and the
// measured window holds all of the work.
import { FLV_TAG_SCRIPT, FLV_TAG_VIDEO, type FlvTag } from '../test/helpers/flv-tags.js';
import { connectPublisher, sleep, withSetDataFrame, type RtmpPublisher } from '../test/helpers/rtmp-publisher.js';

export interface PacedPublisherOptions {
  /** The application URL, `rtmp://127.0.0.1:PORT/live`. */
  readonly url: string;
  readonly streamName: string;
  readonly tags: readonly FlvTag[];
  /** How many leading tags are headers (sent before waiting for the destinations). */
  readonly headerCount: number;
  /** 10 sends 10 s of media per second; 1 is real time. */
  readonly speed: number;
  /** Stop after this many milliseconds of media (default: the whole list). */
  readonly mediaMs?: number;
  /** Called right before each video tag is written (the realtime mode notes its latency tag's send time). */
  readonly beforeVideoWrite?: (tag: FlvTag) => void;
}

export interface PublishRun {
  readonly messages: number;
  readonly payloadBytes: number;
  /** performance.now() when the first media tag went out, and after the last one. */
  readonly startedAt: number;
  readonly endedAt: number;
  /** Largest lag behind the schedule, ms: a publisher that could not keep up. */
  readonly maxLagMs: number;
}

export interface PacedPublisher {
  /** Sends the media after the headers, paced; resolves when the last tag is written. */
  run(): Promise<PublishRun>;
  /** FCUnpublish, deleteStream, close. */
  finish(): Promise<void>;
  destroy(): void;
}

function payloadOf(tag: FlvTag): Buffer {
  return tag.type === FLV_TAG_SCRIPT ? withSetDataFrame(tag.data) : tag.data;
}

/** Connects, publishes and sends the header tags. */
export async function startPacedPublisher(options: PacedPublisherOptions): Promise<PacedPublisher> {
  const publisher: RtmpPublisher = connectPublisher({ url: options.url, streamName: options.streamName, chunkSize: 4096 });
  const outcome = await publisher.outcome;
  if (outcome.kind !== 'publishing') {
    publisher.destroy();
    throw new Error(`publish to ${options.url} was not accepted: ${JSON.stringify(outcome)}`);
  }
  const tags = options.tags;
  for (let i = 0; i < options.headerCount; i++) {
    const tag = tags[i]!;
    publisher.send({ typeId: tag.type, timestamp: tag.timestamp, payload: payloadOf(tag) });
  }
  await publisher.drain();

  const run = async (): Promise<PublishRun> => {
    const first = tags[options.headerCount]?.timestamp ?? 0;
    const lastDue = options.mediaMs ?? Number.POSITIVE_INFINITY;
    const startedAt = performance.now();
    let messages = 0;
    let payloadBytes = 0;
    let maxLagMs = 0;
    for (let i = options.headerCount; i < tags.length; i++) {
      const tag = tags[i]!;
      const mediaMs = tag.timestamp - first;
      if (mediaMs > lastDue) break;
      const due = startedAt + mediaMs / options.speed;
      const early = due - performance.now();
      if (early >= 1) await sleep(Math.floor(early));
      else maxLagMs = Math.max(maxLagMs, -early);
      if (publisher.isClosed()) throw new Error(`publisher to ${options.url} closed after ${messages} messages`);
      const payload = payloadOf(tag);
      // Before the write: the frame may reach a sink on the other core before send() returns.
      if (tag.type === FLV_TAG_VIDEO) options.beforeVideoWrite?.(tag);
      const flowing = publisher.send({ typeId: tag.type, timestamp: tag.timestamp, payload });
      messages++;
      payloadBytes += payload.length;
      if (!flowing) await publisher.drain();
    }
    return { messages, payloadBytes, startedAt, endedAt: performance.now(), maxLagMs };
  };

  return {
    run,
    finish: async () => {
      publisher.finish();
      await Promise.race([publisher.closed, sleep(2000)]);
      publisher.destroy();
    },
    destroy: () => publisher.destroy(),
  };
}
