import { ServerHandshake } from '../handshake/server.js';
import { RtmpError } from '../errors.js';
import { MessageType, type RtmpMessage } from '../message/types.js';
import { decodeCommand, type Command } from '../message/commands.js';
import { ChunkConnection, type ChunkConnectionOptions } from './chunk-connection.js';
import {
  buildConnectResult,
  buildCreateStreamResult,
  buildError,
  buildOnBWDone,
  buildOnStatus,
  encodeCommand,
} from '../message/commands.js';
import {
  PeerBandwidthLimit,
  isControlMessageType,
  setPeerBandwidthMessage,
  streamBeginMessage,
  streamEofMessage,
  windowAckSizeMessage,
} from '../message/control.js';
import { encodeAmf0 } from '../amf/amf0.js';
import type { ServerSessionEvent, SessionOutput } from './events.js';

export interface ServerSessionOptions extends Partial<ChunkConnectionOptions> {
  /** Epoch milliseconds for the handshake's time field. */
  now?: () => number;
}

/** Sent before play media, as FMS and nginx-rtmp do, so Flash-era players may read the samples. */
const SAMPLE_ACCESS = encodeAmf0(['|RtmpSampleAccess', true, true]);

type StreamState = 'created' | 'publish-pending' | 'publishing' | 'play-pending' | 'playing';

/**
 * The server role of one RTMP connection, sans-IO: `handle(bytes)` returns the bytes to write and
 * the events for the application. A publish or play request waits for the application's answer
 * (acceptPublish/rejectPublish, acceptPlay/rejectPlay), so nothing like Publish.Start goes out
 * before the key is authorized.
 */
export class ServerSession {
  private readonly handshake: ServerHandshake;
  private handshakeDone = false;
  private readonly chunks: ChunkConnection;
  private app = '';
  private connected = false;
  private nextStreamId = 1;
  private readonly streams = new Map<number, StreamState>();
  private failed: RtmpError | null = null;
  private readonly messages: RtmpMessage[] = [];
  /** Media that arrived while its publish awaited the application's answer (bounded). */
  private held: RtmpMessage[] = [];

  /** The stream this connection publishes on (0 when none). */
  private get publishingStreamId(): number {
    for (const [id, state] of this.streams) if (state === 'publishing' || state === 'publish-pending') return id;
    return 0;
  }

  /** Caps media held while a publish request awaits its answer (a client that does not wait). */
  static readonly MAX_HELD_MESSAGES = 256;

  /** Caps how many message streams one connection may create (createStream flood). */
  static readonly MAX_STREAMS = 16;

  constructor(options: ServerSessionOptions = {}) {
    this.handshake = new ServerHandshake({ now: options.now ?? Date.now });
    this.chunks = new ChunkConnection(options);
  }

  get appName(): string {
    return this.app;
  }

  get isHandshakeDone(): boolean {
    return this.handshakeDone;
  }

  /** Bytes we sent that the peer has not acknowledged yet (for players' queues). */
  get chunkConnection(): ChunkConnection {
    return this.chunks;
  }

  handle(bytes: Buffer): SessionOutput<ServerSessionEvent> {
    const out: SessionOutput<ServerSessionEvent> = { send: [], events: [] };
    if (this.failed) {
      out.events.push({ type: 'error', error: this.failed });
      return out;
    }
    let data = bytes;
    if (!this.handshakeDone) {
      const step = this.handshake.feed(bytes);
      if (step.status === 'failed') return this.fail(out, step.error);
      out.send.push(...step.send);
      if (step.status === 'in-progress') return out;
      this.handshakeDone = true;
      out.events.push({ type: 'handshake-done' });
      data = step.rest;
      if (data.length === 0) return out;
    }
    const messages = this.messages;
    messages.length = 0;
    const error = this.chunks.receive(data, messages, out.send);
    for (const message of messages) {
      this.dispatch(message, out);
      if (this.failed) return out;
    }
    messages.length = 0;
    if (error) return this.fail(out, error);
    return out;
  }

  /**
   * Starts the publish: Publish.Start goes out, and media the client sent without waiting for it
   * (held meanwhile) comes back as media events.
   */
  acceptPublish(streamId: number, streamName: string): SessionOutput<ServerSessionEvent> {
    const out: SessionOutput<ServerSessionEvent> = { send: [], events: [] };
    if (this.streams.get(streamId) !== 'publish-pending') return out;
    this.streams.set(streamId, 'publishing');
    out.send.push(...this.chunks.sendControl(streamBeginMessage(streamId)));
    out.send.push(...this.chunks.sendCommand(buildOnStatus('status', 'NetStream.Publish.Start', `${streamName} is now published.`), streamId));
    const held = this.held;
    this.held = [];
    for (const message of held) {
      if (message.streamId === streamId) out.events.push({ type: 'media', streamId, message });
    }
    return out;
  }

  rejectPublish(streamId: number, code: string, description: string): Buffer[] {
    if (this.streams.get(streamId) !== 'publish-pending') return [];
    this.streams.set(streamId, 'created');
    this.held = [];
    return this.chunks.sendCommand(buildOnStatus('error', code, description), streamId);
  }

  acceptPlay(streamId: number, streamName: string): Buffer[] {
    if (this.streams.get(streamId) !== 'play-pending') return [];
    this.streams.set(streamId, 'playing');
    return [
      ...this.chunks.sendControl(streamBeginMessage(streamId)),
      ...this.chunks.sendCommand(buildOnStatus('status', 'NetStream.Play.Reset', `Playing and resetting ${streamName}.`), streamId),
      ...this.chunks.sendCommand(buildOnStatus('status', 'NetStream.Play.Start', `Started playing ${streamName}.`), streamId),
      ...this.chunks.sendData(SAMPLE_ACCESS, streamId),
    ];
  }

  rejectPlay(streamId: number, code: string, description: string): Buffer[] {
    if (this.streams.get(streamId) !== 'play-pending') return [];
    this.streams.set(streamId, 'created');
    return this.chunks.sendCommand(buildOnStatus('error', code, description), streamId);
  }

  /** Tells a player that the stream it plays has ended. */
  endPlay(streamId: number, streamName: string): Buffer[] {
    if (this.streams.get(streamId) !== 'playing') return [];
    return [
      ...this.chunks.sendControl(streamEofMessage(streamId)),
      ...this.chunks.sendCommand(buildOnStatus('status', 'NetStream.Play.UnpublishNotify', `${streamName} is now unpublished.`), streamId),
    ];
  }

  private fail(out: SessionOutput<ServerSessionEvent>, error: RtmpError): SessionOutput<ServerSessionEvent> {
    this.failed = error;
    out.events.push({ type: 'error', error });
    return out;
  }

  private dispatch(message: RtmpMessage, out: SessionOutput<ServerSessionEvent>): void {
    if (isControlMessageType(message.typeId)) {
      const event = this.chunks.onControl(message, out.send);
      if (event instanceof RtmpError) this.fail(out, event);
      else if (event) out.events.push(event);
      return;
    }
    switch (message.typeId) {
      case MessageType.Audio:
      case MessageType.Video:
      case MessageType.DataAmf0:
      case MessageType.DataAmf3:
      {
        // Some publishers (node-media-server's push) send media on message stream 0: it belongs to
        // the connection's one publishing stream.
        if (message.streamId === 0 && this.publishingStreamId !== 0) message.streamId = this.publishingStreamId;
        const state = this.streams.get(message.streamId);
        if (state === 'publishing') {
          out.events.push({ type: 'media', streamId: message.streamId, message });
        } else if (state === 'publish-pending' && this.held.length < ServerSession.MAX_HELD_MESSAGES) {
          this.held.push(message);
        }
        // Media on a stream that is not publishing is dropped.
        return;
      }
      case MessageType.CommandAmf0:
      case MessageType.CommandAmf3: {
        const command = decodeCommand(message);
        if (command instanceof RtmpError) {
          this.fail(out, command);
          return;
        }
        this.onCommand(command, message.streamId, out);
        return;
      }
      default:
        // Aggregate and shared-object messages are not part of what encoders publish; ignore.
        return;
    }
  }

  private onCommand(command: Command, streamId: number, out: SessionOutput<ServerSessionEvent>): void {
    const send = out.send;
    switch (command.name) {
      case 'connect': {
        if (this.connected) return;
        this.connected = true;
        this.app = command.app;
        // Only AMF0 (0) and AMF3 (3) exist: anything else a client claims is answered as 0.
        const objectEncoding = command.objectEncoding === 3 ? 3 : 0;
        send.push(...this.chunks.sendControl(windowAckSizeMessage(this.chunks.windowAckSize)));
        send.push(...this.chunks.sendControl(setPeerBandwidthMessage(this.chunks.windowAckSize, PeerBandwidthLimit.Dynamic)));
        send.push(...this.chunks.announceChunkSize());
        send.push(...this.chunks.sendCommand(buildConnectResult(command.transactionId, objectEncoding), 0));
        send.push(...this.chunks.sendCommand(buildOnBWDone(), 0));
        out.events.push({ type: 'connect', app: command.app, tcUrl: command.tcUrl, flashVer: command.flashVer, objectEncoding });
        return;
      }
      case 'releaseStream':
      case 'FCPublish':
      case 'FCUnpublish':
      case 'getStreamLength':
        if (command.name === 'FCUnpublish') {
          for (const [id, state] of this.streams) {
            if (state === 'publishing') {
              this.streams.set(id, 'created');
              out.events.push({ type: 'unpublish', streamId: id, reason: 'FCUnpublish' });
            }
          }
        }
        if (command.transactionId > 0) {
          // ffmpeg's player reads a number from getStreamLength's answer: a live stream has 0.
          const value = command.name === 'getStreamLength' ? 0 : undefined;
          send.push(...this.chunks.sendCommand(encodeCommand('_result', command.transactionId, null, value), 0));
        }
        return;
      case 'createStream': {
        if (this.streams.size >= ServerSession.MAX_STREAMS) {
          send.push(...this.chunks.sendCommand(buildError(command.transactionId, 'NetConnection.Call.Failed', 'too many streams'), 0));
          return;
        }
        const id = this.nextStreamId++;
        this.streams.set(id, 'created');
        send.push(...this.chunks.sendCommand(buildCreateStreamResult(command.transactionId, id), 0));
        return;
      }
      case 'publish': {
        const state = this.streams.get(streamId);
        if (state !== 'created') {
          send.push(...this.chunks.sendCommand(buildOnStatus('error', 'NetStream.Publish.BadConnection', 'publish on a stream that is not ready'), streamId));
          return;
        }
        this.streams.set(streamId, 'publish-pending');
        out.events.push({ type: 'publish-request', streamId, app: this.app, streamName: command.streamName, publishType: command.publishType });
        return;
      }
      case 'play': {
        const state = this.streams.get(streamId);
        if (state !== 'created') return;
        this.streams.set(streamId, 'play-pending');
        out.events.push({ type: 'play-request', streamId, app: this.app, streamName: command.streamName });
        return;
      }
      case 'deleteStream':
      case 'closeStream': {
        const id = command.name === 'deleteStream' ? command.deletedStreamId : streamId;
        const state = this.streams.get(id);
        if (state === 'publishing' || state === 'publish-pending') {
          out.events.push({ type: 'unpublish', streamId: id, reason: command.name });
        } else if (state === 'playing' || state === 'play-pending') {
          out.events.push({ type: 'stop-play', streamId: id });
        }
        if (command.name === 'deleteStream') this.streams.delete(id);
        else if (state !== undefined) this.streams.set(id, 'created');
        return;
      }
      default:
        // _checkbw, onBWDone answers, _result to our onBWDone and unknown calls need no reply.
        return;
    }
  }
}
