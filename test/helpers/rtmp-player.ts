// A raw RTMP(S) player for tests, built from our sans-IO pieces (ClientHandshake, ChunkConnection,
// the command builders): connect → createStream → play, then it records every status, user control
// event and media message exactly as it arrived, so a test can check what a viewer gets from our
// server (metadata and sequence headers first, a keyframe before any inter frame, StreamEOF).
import { RtmpError } from '../../src/rtmp/errors.js';
import { ClientHandshake } from '../../src/rtmp/handshake/client.js';
import { buildConnect, buildCreateStream, buildPlay, decodeCommand } from '../../src/rtmp/message/commands.js';
import { decodeControl, setBufferLengthMessage, windowAckSizeMessage, type UserControlEvent } from '../../src/rtmp/message/control.js';
import { MessageType, type RtmpMessage } from '../../src/rtmp/message/types.js';
import { ChunkConnection } from '../../src/rtmp/session/chunk-connection.js';
import {
  Checks,
  openSocket,
  targetOf,
  trackClose,
  type ClientStage,
  type CloseInfo,
  type RtmpClientOptions,
} from './rtmp-publisher.js';
import type { RecordedMessage } from './rtmp-sink.js';

export interface StatusRecord {
  readonly level: string;
  readonly code: string;
  readonly description: string;
}

export type PlayOutcome =
  | { readonly kind: 'playing'; readonly streamId: number }
  | { readonly kind: 'rejected'; readonly stage: 'connect' | 'createStream' | 'play'; readonly code: string; readonly description: string }
  | { readonly kind: 'closed'; readonly close: CloseInfo }
  | { readonly kind: 'error'; readonly code: string; readonly message: string };

export interface RtmpPlayer {
  readonly outcome: Promise<PlayOutcome>;
  /** onStatus infos in arrival order. */
  readonly statuses: readonly StatusRecord[];
  /** User control events (stream-begin, stream-eof, …) in arrival order. */
  readonly userControl: readonly UserControlEvent[];
  /** Audio, video and data messages in arrival order (payloads copied). */
  readonly messages: readonly RecordedMessage[];
  /** Resolves when `condition` holds (checked after every read and at close); rejects after `timeoutMs`. */
  waitUntil(condition: () => boolean, timeoutMs: number, what: string): Promise<void>;
  /** Stops reading the socket (a viewer whose network stalled). */
  pause(): void;
  resume(): void;
  destroy(): void;
  isClosed(): boolean;
  readonly closed: Promise<CloseInfo>;
}

const TXN_CONNECT = 1;
const TXN_CREATE_STREAM = 2;

/** Connects, handshakes and plays `streamName`; see `outcome` for the server's answer. */
export function connectPlayer(options: RtmpClientOptions & { readonly bufferMs?: number }): RtmpPlayer {
  const target = targetOf(options);
  const handshake = new ClientHandshake({ now: Date.now });
  const chunks = new ChunkConnection({
    ...(options.windowAckSize !== undefined ? { windowAckSize: options.windowAckSize } : {}),
    ...(options.chunkSize !== undefined ? { outChunkSize: options.chunkSize } : {}),
  });
  const startedAt = Date.now();
  const statuses: StatusRecord[] = [];
  const userControl: UserControlEvent[] = [];
  const messages: RecordedMessage[] = [];
  const checks = new Checks();
  const inbox: RtmpMessage[] = [];
  let stage: ClientStage = 'tcp';
  let handshakeDone = false;
  let streamId = 0;
  let settle: (outcome: PlayOutcome) => void = () => undefined;
  const outcome = new Promise<PlayOutcome>((resolve) => {
    settle = resolve;
  });

  const write = (buffers: readonly Buffer[]): void => {
    if (buffers.length === 0 || socket.destroyed || socket.writableEnded) return;
    socket.cork();
    for (const buffer of buffers) socket.write(buffer);
    socket.uncork();
  };
  const socket = openSocket(target, options, () => {
    stage = 'handshake';
    write([handshake.start()]);
  });
  const close = trackClose(socket, startedAt, () => stage);
  const fail = (error: RtmpError): void => {
    settle({ kind: 'error', code: error.code, message: error.message });
    close.destroy();
  };

  const onCommand = (message: RtmpMessage, send: Buffer[]): void => {
    const command = decodeCommand(message);
    if (command instanceof RtmpError) return fail(command);
    if (command.name === '_result' && command.transactionId === TXN_CONNECT) {
      stage = 'stream';
      send.push(...chunks.sendCommand(buildCreateStream(TXN_CREATE_STREAM), 0));
    } else if (command.name === '_result' && command.transactionId === TXN_CREATE_STREAM) {
      streamId = typeof command.info === 'number' ? command.info : 0;
      send.push(...chunks.sendControl(setBufferLengthMessage(streamId, options.bufferMs ?? 1000)));
      send.push(...chunks.sendCommand(buildPlay(0, target.streamName), streamId));
    } else if (command.name === '_error') {
      const info = command.status;
      const where = command.transactionId === TXN_CONNECT ? 'connect' : 'createStream';
      settle({ kind: 'rejected', stage: where, code: info?.code ?? '', description: info?.description ?? '' });
    } else if (command.name === 'onStatus' && command.status) {
      const { level, code, description } = command.status;
      statuses.push({ level, code, description });
      if (code === 'NetStream.Play.Start') {
        stage = 'established';
        settle({ kind: 'playing', streamId });
      } else if (level === 'error') {
        settle({ kind: 'rejected', stage: 'play', code, description });
      }
    }
  };

  const dispatch = (message: RtmpMessage, send: Buffer[]): void => {
    switch (message.typeId) {
      case MessageType.Audio:
      case MessageType.Video:
      case MessageType.DataAmf0:
      case MessageType.DataAmf3:
        messages.push({ typeId: message.typeId, timestamp: message.timestamp, payload: Buffer.from(message.payload), receivedAt: Date.now() });
        return;
      case MessageType.CommandAmf0:
      case MessageType.CommandAmf3:
        onCommand(message, send);
        return;
      case MessageType.UserControl: {
        const control = decodeControl(message);
        if (!(control instanceof RtmpError) && control.type === 'user-control') userControl.push(control.event);
        break;
      }
      default:
        break;
    }
    if (message.typeId <= MessageType.SetPeerBandwidth) {
      const event = chunks.onControl(message, send);
      if (event instanceof RtmpError) fail(event);
    }
  };

  socket.on('data', (chunk: Buffer) => {
    const send: Buffer[] = [];
    let data = chunk;
    if (!handshakeDone) {
      const step = handshake.feed(chunk);
      if (step.status === 'failed') return fail(step.error);
      send.push(...step.send);
      if (step.status === 'done') {
        handshakeDone = true;
        stage = 'connect';
        send.push(...chunks.announceChunkSize());
        send.push(...chunks.sendControl(windowAckSizeMessage(chunks.windowAckSize)));
        send.push(...chunks.sendCommand(buildConnect({ transactionId: TXN_CONNECT, app: target.app, tcUrl: target.tcUrl }), 0));
        data = step.rest;
      } else {
        data = Buffer.alloc(0);
      }
    }
    if (data.length > 0) {
      inbox.length = 0;
      const error = chunks.receive(data, inbox, send);
      for (const message of inbox) dispatch(message, send);
      if (error) fail(error);
    }
    write(send);
    checks.run();
  });
  void close.closed.then((info) => {
    settle({ kind: 'closed', close: info });
    checks.run();
  });

  return {
    outcome,
    statuses,
    userControl,
    messages,
    waitUntil: (condition, timeoutMs, what) =>
      checks.waitUntil(condition, timeoutMs, () => `rtmp player: ${what} (${messages.length} messages, statuses ${statuses.map((s) => s.code).join(', ')})`),
    pause: () => socket.pause(),
    resume: () => socket.resume(),
    destroy: close.destroy,
    isClosed: close.isClosed,
    closed: close.closed,
  };
}
