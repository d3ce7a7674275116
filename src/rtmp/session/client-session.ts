import { ClientHandshake } from '../handshake/client.js';
import { RtmpError } from '../errors.js';
import { MessageType, type RtmpMessage } from '../message/types.js';
import { decodeCommand, type Command } from '../message/commands.js';
import type { PreparedMessage } from '../chunk/encoder.js';
import { ChunkConnection, type ChunkConnectionOptions } from './chunk-connection.js';
import type { PublishTarget } from './publish-target.js';
import {
  buildConnect,
  buildCreateStream,
  buildDeleteStream,
  buildFCPublish,
  buildFCUnpublish,
  buildPublish,
  buildReleaseStream,
} from '../message/commands.js';
import { isControlMessageType, windowAckSizeMessage } from '../message/control.js';
import type { ClientSessionEvent, SessionOutput } from './events.js';

export interface ClientSessionOptions extends Partial<ChunkConnectionOptions> {
  target: Pick<PublishTarget, 'app' | 'tcUrl' | 'streamName'>;
  /** Advertised in connect when the stream carries Enhanced RTMP codecs, e.g. ['hvc1', 'av01']. */
  fourCcList?: readonly string[];
  now?: () => number;
}

type ClientState = 'handshake' | 'connecting' | 'creating-stream' | 'publishing-requested' | 'publishing' | 'closed';

/** Transaction ids of the calls we make, fixed because each is made once per connection. */
const TXN = { connect: 1, releaseStream: 2, fcPublish: 3, createStream: 4 } as const;

/**
 * The client role for pushing to a destination, sans-IO: handshake, then connect →
 * releaseStream → FCPublish → createStream → publish (as ffmpeg and OBS do), then media.
 */
export class ClientSession {
  private readonly handshake: ClientHandshake;
  private readonly chunks: ChunkConnection;
  private state: ClientState = 'handshake';
  private streamId = 0;
  private readonly messages: RtmpMessage[] = [];

  constructor(private readonly options: ClientSessionOptions) {
    this.handshake = new ClientHandshake({ now: options.now ?? Date.now });
    this.chunks = new ChunkConnection(options);
  }

  get isPublishing(): boolean {
    return this.state === 'publishing';
  }

  get isClosed(): boolean {
    return this.state === 'closed';
  }

  get publishStreamId(): number {
    return this.streamId;
  }

  get chunkConnection(): ChunkConnection {
    return this.chunks;
  }

  /** C0 and C1: the first bytes to write once the socket is connected. */
  start(): Buffer[] {
    return [this.handshake.start()];
  }

  handle(bytes: Buffer): SessionOutput<ClientSessionEvent> {
    const out: SessionOutput<ClientSessionEvent> = { send: [], events: [] };
    if (this.state === 'closed') return out;
    let data = bytes;
    if (this.state === 'handshake') {
      const step = this.handshake.feed(bytes);
      if (step.status === 'failed') return this.fail(out, step.error);
      out.send.push(...step.send);
      if (step.status === 'in-progress') return out;
      out.events.push({ type: 'handshake-done' });
      this.state = 'connecting';
      // Our chunk size and window go first, so the connect and everything after use them.
      out.send.push(...this.chunks.announceChunkSize());
      out.send.push(...this.chunks.sendControl(windowAckSizeMessage(this.chunks.windowAckSize)));
      out.send.push(...this.chunks.sendCommand(buildConnect({ transactionId: TXN.connect, app: this.options.target.app, tcUrl: this.options.target.tcUrl, ...(this.options.fourCcList ? { fourCcList: this.options.fourCcList } : {}) }), 0));
      data = step.rest;
      if (data.length === 0) return out;
    }
    const messages = this.messages;
    messages.length = 0;
    const error = this.chunks.receive(data, messages, out.send);
    for (const message of messages) {
      this.dispatch(message, out);
      if (this.isClosed) break;
    }
    messages.length = 0;
    if (error) return this.fail(out, error);
    return out;
  }

  /** A message serialized once for all destinations; stream id is this connection's. */
  sendPrepared(prepared: PreparedMessage, typeId: number, timestamp: number): Buffer[] {
    return this.chunks.sendPrepared(prepared, typeId, timestamp, this.streamId);
  }

  sendMessage(message: RtmpMessage, csid: number): Buffer[] {
    return this.chunks.sendMessage({ ...message, streamId: this.streamId }, csid);
  }

  /** The clean end of a push: FCUnpublish and deleteStream, as ffmpeg sends them. */
  finish(): Buffer[] {
    if (this.state === 'closed') return [];
    const wasPublishing = this.streamId !== 0;
    this.state = 'closed';
    if (!wasPublishing) return [];
    return [
      ...this.chunks.sendCommand(buildFCUnpublish(0, this.options.target.streamName), 0),
      ...this.chunks.sendCommand(buildDeleteStream(0, this.streamId), 0),
    ];
  }

  private fail(out: SessionOutput<ClientSessionEvent>, error: RtmpError): SessionOutput<ClientSessionEvent> {
    this.state = 'closed';
    out.events.push({ type: 'error', error });
    return out;
  }

  private dispatch(message: RtmpMessage, out: SessionOutput<ClientSessionEvent>): void {
    if (isControlMessageType(message.typeId)) {
      const event = this.chunks.onControl(message, out.send);
      if (event instanceof RtmpError) this.fail(out, event);
      else if (event) out.events.push(event);
      return;
    }
    switch (message.typeId) {
      case MessageType.CommandAmf0:
      case MessageType.CommandAmf3: {
        const command = decodeCommand(message);
        if (command instanceof RtmpError) {
          this.fail(out, command);
          return;
        }
        this.onCommand(command, out);
        return;
      }
      default:
        return; // a server has no media for a publisher
    }
  }

  private onCommand(command: Command, out: SessionOutput<ClientSessionEvent>): void {
    const { streamName } = this.options.target;
    switch (command.name) {
      case '_result':
        if (command.transactionId === TXN.connect && this.state === 'connecting') {
          this.state = 'creating-stream';
          out.events.push({ type: 'connected' });
          out.send.push(...this.chunks.sendCommand(buildReleaseStream(TXN.releaseStream, streamName), 0));
          out.send.push(...this.chunks.sendCommand(buildFCPublish(TXN.fcPublish, streamName), 0));
          out.send.push(...this.chunks.sendCommand(buildCreateStream(TXN.createStream), 0));
        } else if (command.transactionId === TXN.createStream && this.state === 'creating-stream') {
          const id = typeof command.info === 'number' ? command.info : Number.NaN;
          if (!Number.isInteger(id) || id <= 0) {
            this.reject(out, 'createStream', 'NetConnection.Call.Failed', 'createStream returned no stream id');
            return;
          }
          this.streamId = id;
          this.state = 'publishing-requested';
          out.send.push(...this.chunks.sendCommand(buildPublish(0, streamName), id));
        }
        return;
      case '_error':
        if (command.transactionId === TXN.connect) {
          const info = command.status ?? NO_STATUS;
          this.reject(out, 'connect', info.code || 'NetConnection.Connect.Rejected', info.description);
        } else if (command.transactionId === TXN.createStream) {
          const info = command.status ?? NO_STATUS;
          this.reject(out, 'createStream', info.code || 'NetConnection.Call.Failed', info.description);
        }
        // releaseStream/FCPublish errors are normal on many servers (YouTube, Wowza): ignore.
        return;
      case 'onStatus': {
        const info = command.status ?? NO_STATUS;
        out.events.push({ type: 'status', level: info.level, code: info.code, description: info.description });
        if (info.code === 'NetStream.Publish.Start' && this.state === 'publishing-requested') {
          this.state = 'publishing';
          out.events.push({ type: 'publishing', streamId: this.streamId });
        } else if (info.level === 'error') {
          this.reject(out, 'publish', info.code, info.description);
        }
        return;
      }
      default:
        return; // onBWDone, onFCPublish and the like need nothing from us
    }
  }

  private reject(out: SessionOutput<ClientSessionEvent>, stage: 'connect' | 'createStream' | 'publish', code: string, description: string): void {
    this.state = 'closed';
    out.events.push({ type: 'rejected', stage, code, description });
  }
}

const NO_STATUS = { level: '', code: '', description: '' } as const;
