import { ChunkDecoder } from '../chunk/decoder.js';
import { ChunkEncoder, type PreparedMessage } from '../chunk/encoder.js';
import { AcknowledgementTracker } from '../chunk/acknowledgements.js';
import { RECOMMENDED_OUTBOUND_CHUNK_SIZE } from '../chunk/header.js';
import { acknowledgementMessage, decodeControl, pingResponseMessage, setChunkSizeMessage, windowAckSizeMessage } from '../message/control.js';
import { RtmpError } from '../errors.js';
import { ChunkStreamId, MessageType, type RtmpMessage } from '../message/types.js';

export interface ChunkConnectionOptions {
  /** Largest inbound message (CONTRACT --max-message-size). */
  maxMessageSize: number;
  /** Chunk streams a peer may keep open at once. */
  maxChunkStreams: number;
  /** Our outbound chunk size, announced before anything big is sent. */
  outChunkSize: number;
  /** The acknowledgement window we ask the peer to use for what we send. */
  windowAckSize: number;
  /** Milliseconds clock for acknowledgement times. */
  now: () => number;
}

export const DEFAULT_CHUNK_CONNECTION_OPTIONS: ChunkConnectionOptions = {
  maxMessageSize: 8 * 1024 * 1024,
  maxChunkStreams: 64,
  outChunkSize: RECOMMENDED_OUTBOUND_CHUNK_SIZE,
  windowAckSize: 2_500_000,
  now: Date.now,
};

/**
 * The chunk layer of one connection in both directions: the decoder, the encoder with its
 * per-connection header-compression state, and acknowledgement bookkeeping. Shared by the
 * server and client sessions.
 */
export class ChunkConnection {
  readonly options: ChunkConnectionOptions;
  private readonly decoder: ChunkDecoder;
  private readonly encoder: ChunkEncoder;
  readonly acks: AcknowledgementTracker;
  private chunkSizeAnnounced = false;

  constructor(options: Partial<ChunkConnectionOptions> = {}) {
    this.options = { ...DEFAULT_CHUNK_CONNECTION_OPTIONS, ...options };
    this.decoder = new ChunkDecoder({ maxMessageSize: this.options.maxMessageSize, maxChunkStreams: this.options.maxChunkStreams });
    this.encoder = new ChunkEncoder();
    this.acks = new AcknowledgementTracker();
  }

  get windowAckSize(): number {
    return this.options.windowAckSize;
  }

  /** The chunk size the peer announced for what it sends us. */
  get inChunkSize(): number {
    return this.decoder.inboundChunkSize;
  }

  get outChunkSize(): number {
    return this.encoder.chunkSize;
  }

  /** Decodes bytes into `messages`; an Acknowledgement we owe the peer is appended to `send`. */
  receive(bytes: Buffer, messages: RtmpMessage[], send: Buffer[]): RtmpError | undefined {
    const error = this.decoder.push(bytes, messages);
    if (this.acks.received(bytes.length)) {
      send.push(...this.sendControl(acknowledgementMessage(this.acks.receivedSequence)));
    }
    return error;
  }

  /**
   * Applies a protocol-control or user-control message from the peer. Returns an event for the
   * session to raise, an error, or nothing. Pings are answered into `send`.
   */
  onControl(message: RtmpMessage, send: Buffer[]): { type: 'acknowledged'; sequence: number } | RtmpError | undefined {
    const control = decodeControl(message);
    if (control instanceof RtmpError) return control;
    switch (control.type) {
      case 'acknowledgement':
        this.acks.acknowledged(control.sequenceNumber, this.options.now());
        return { type: 'acknowledged', sequence: control.sequenceNumber };
      case 'window-ack-size':
        this.acks.setReceiveWindow(control.windowSize);
        return undefined;
      case 'set-peer-bandwidth':
        // The spec asks for our window in reply when the peer's limit differs from it.
        if (control.windowSize !== this.options.windowAckSize && control.limitType !== 2) {
          send.push(...this.sendControl(windowAckSizeMessage(this.options.windowAckSize)));
        }
        return undefined;
      case 'user-control':
        if (control.event.type === 'ping-request') {
          send.push(...this.sendControl(pingResponseMessage(control.event.timestamp)));
        }
        return undefined;
      default:
        // Set Chunk Size and Abort were applied by the decoder itself.
        return undefined;
    }
  }

  /** Asks the peer for an Acknowledgement every `size` bytes from now on (a new Window Acknowledgement Size). */
  changeWindowAckSize(size: number): Buffer[] {
    this.options.windowAckSize = size;
    return this.sendControl(windowAckSizeMessage(size));
  }

  /** Announces our outbound chunk size (once, before anything larger than 128 bytes). */
  announceChunkSize(): Buffer[] {
    if (this.chunkSizeAnnounced) return [];
    this.chunkSizeAnnounced = true;
    const size = this.options.outChunkSize;
    const bytes = this.sendControl(setChunkSizeMessage(size));
    this.encoder.setChunkSize(size);
    return bytes;
  }

  sendControl(message: RtmpMessage): Buffer[] {
    return this.count(this.encoder.encode(message, ChunkStreamId.Control));
  }

  sendCommand(payload: Buffer, streamId: number): Buffer[] {
    const message: RtmpMessage = { typeId: MessageType.CommandAmf0, timestamp: 0, streamId, payload };
    return this.count(this.encoder.encode(message, ChunkStreamId.Command));
  }

  sendData(payload: Buffer, streamId: number, timestamp = 0): Buffer[] {
    const message: RtmpMessage = { typeId: MessageType.DataAmf0, timestamp, streamId, payload };
    return this.count(this.encoder.encode(message, ChunkStreamId.Data));
  }

  /** One media or data message, serialized for this connection only. */
  sendMessage(message: RtmpMessage, csid: number): Buffer[] {
    return this.count(this.encoder.encode(message, csid));
  }

  /** A message serialized once for many connections; only the first header is this connection's. */
  sendPrepared(prepared: PreparedMessage, typeId: number, timestamp: number, streamId: number): Buffer[] {
    return this.count(this.encoder.encodePrepared(prepared, typeId, timestamp, streamId));
  }

  private count(buffers: Buffer[]): Buffer[] {
    let total = 0;
    for (const buffer of buffers) total += buffer.length;
    this.acks.sent(total);
    return buffers;
  }
}
