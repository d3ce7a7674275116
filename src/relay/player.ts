import type { ServerConnection } from '../rtmp/net/server-connection.js';
import { decodeData } from '../rtmp/message/data.js';
import { RtmpError } from '../rtmp/errors.js';
import type { StreamMessage, StreamSubscriber } from './live-stream.js';

/**
 * A preview player (`play` of a live ingest key). Gets what the stream replays on join, then live
 * messages; video waits for a keyframe so the player never starts mid-GOP. When its socket is
 * full, messages wait in a queue bounded in bytes; past the bound the player is dropped, so a
 * slow viewer never slows the publisher.
 */
export class Player implements StreamSubscriber {
  private readonly queue: StreamMessage[] = [];
  private queuedBytes = 0;
  private waitingForKeyframe = true;
  private ended = false;

  constructor(
    readonly connection: ServerConnection,
    readonly streamId: number,
    private readonly streamName: string,
    private readonly maxQueuedBytes: number,
  ) {
    connection.writer.onDrain(() => this.writeQueued());
  }

  deliver(item: StreamMessage): void {
    if (this.ended || this.connection.isClosed) return;
    const media = item.media;
    if (media.kind === 'video' && !media.isSequenceHeader) {
      if (this.waitingForKeyframe && !media.isKeyframe) return;
      this.waitingForKeyframe = false;
    }
    if (this.queue.length > 0 || !this.connection.writer.canWrite) {
      this.queue.push(item);
      this.queuedBytes += item.message.payload.length;
      if (this.queuedBytes > this.maxQueuedBytes) {
        this.ended = true;
        this.connection.close(`slow player: more than ${this.maxQueuedBytes} bytes queued`);
      }
      return;
    }
    this.send(item);
  }

  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.connection.writer.write(this.connection.session.endPlay(this.streamId, this.streamName));
    this.connection.close('stream ended', true);
  }

  private writeQueued(): void {
    while (this.queue.length > 0 && this.connection.writer.canWrite) {
      const item = this.queue.shift()!;
      this.queuedBytes -= item.message.payload.length;
      this.send(item);
    }
  }

  private send(item: StreamMessage): void {
    const { message } = item;
    if (item.media.kind === 'metadata') {
      // Players expect onMetaData itself; @setDataFrame is the publisher's instruction to us.
      const data = decodeData(message);
      const payload = data instanceof RtmpError || data.kind === 'other' ? message.payload : data.onMetaDataPayload;
      this.connection.sendMessage({ ...message, streamId: this.streamId, payload }, item.csid);
      return;
    }
    this.connection.sendPrepared(item.prepared, message.typeId, message.timestamp, this.streamId);
  }
}
