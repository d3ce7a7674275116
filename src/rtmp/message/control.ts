/**
 * Protocol control messages (spec 5.4: types 1, 2, 3, 5, 6) and User Control messages (spec 6.2 /
 * 7.1.7: type 4), decoded to a discriminated union and encoded back to RtmpMessages.
 *
 * Encoders return an RtmpMessage on message stream 0 with timestamp 0; the session sends it on
 * chunk stream 2 (ChunkStreamId.Control) through its ChunkEncoder. They throw a RangeError only for
 * values our own code should never produce (a programming error, not untrusted input).
 * Decoders never throw: a malformed payload is an RtmpError (ERR_RTMP_CONTROL, or
 * ERR_RTMP_CHUNK_SIZE for a Set Chunk Size outside 1..0x7FFFFFFF). Bytes after the fields a type
 * defines are ignored, as ffmpeg and SRS do.
 */
import { RtmpError } from '../errors.js';
import { MessageType, type RtmpMessage } from './types.js';

/** User Control event types (spec 7.1.7). */
export const UserControlEventType = {
  StreamBegin: 0,
  StreamEof: 1,
  StreamDry: 2,
  SetBufferLength: 3,
  StreamIsRecorded: 4,
  PingRequest: 6,
  PingResponse: 7,
} as const;

/** Set Peer Bandwidth limit types (spec 5.4.5). */
export const PeerBandwidthLimit = { Hard: 0, Soft: 1, Dynamic: 2 } as const;
export type PeerBandwidthLimitType = (typeof PeerBandwidthLimit)[keyof typeof PeerBandwidthLimit];

export type UserControlEvent =
  | { readonly type: 'stream-begin'; readonly streamId: number }
  | { readonly type: 'stream-eof'; readonly streamId: number }
  | { readonly type: 'stream-dry'; readonly streamId: number }
  | { readonly type: 'set-buffer-length'; readonly streamId: number; readonly bufferLengthMs: number }
  | { readonly type: 'stream-is-recorded'; readonly streamId: number }
  | { readonly type: 'ping-request'; readonly timestamp: number }
  | { readonly type: 'ping-response'; readonly timestamp: number }
  /** Events outside the spec's list (SWF verification 26/27, FMS buffer empty/ready 31/32, …). */
  | { readonly type: 'unknown'; readonly eventType: number; readonly data: Buffer };

export type ControlMessage =
  | { readonly type: 'set-chunk-size'; readonly chunkSize: number }
  | { readonly type: 'abort'; readonly chunkStreamId: number }
  | { readonly type: 'acknowledgement'; readonly sequenceNumber: number }
  | { readonly type: 'window-ack-size'; readonly windowSize: number }
  | { readonly type: 'set-peer-bandwidth'; readonly windowSize: number; readonly limitType: PeerBandwidthLimitType }
  | { readonly type: 'user-control'; readonly event: UserControlEvent };

/** True for the message types decodeControl() understands (1, 2, 3, 4, 5, 6). */
export function isControlMessageType(typeId: number): boolean {
  return typeId >= MessageType.SetChunkSize && typeId <= MessageType.SetPeerBandwidth;
}

function controlError(what: string, needed: number, got: number): RtmpError {
  return new RtmpError('ERR_RTMP_CONTROL', `${what} needs ${needed} bytes, got ${got}`);
}

/** A Set Chunk Size value, or ERR_RTMP_CHUNK_SIZE (0 or the top bit set) / ERR_RTMP_CONTROL (short). */
export function decodeSetChunkSize(payload: Buffer): number | RtmpError {
  if (payload.length < 4) return controlError('Set Chunk Size', 4, payload.length);
  const size = payload.readUInt32BE(0);
  if (size === 0 || size > 0x7fffffff) {
    return new RtmpError('ERR_RTMP_CHUNK_SIZE', `Set Chunk Size ${size} is outside 1..2147483647`);
  }
  return size;
}

/** The chunk stream id an Abort message names, or ERR_RTMP_CONTROL when short. */
export function decodeAbort(payload: Buffer): number | RtmpError {
  if (payload.length < 4) return controlError('Abort', 4, payload.length);
  return payload.readUInt32BE(0);
}

function decodeUserControl(payload: Buffer): UserControlEvent | RtmpError {
  if (payload.length < 2) return controlError('User Control', 2, payload.length);
  const eventType = payload.readUInt16BE(0);
  const dataLength = payload.length - 2;
  const needs = (n: number, name: string): RtmpError | undefined =>
    dataLength < n ? controlError(`User Control ${name}`, n + 2, payload.length) : undefined;
  switch (eventType) {
    case UserControlEventType.StreamBegin:
      return needs(4, 'StreamBegin') ?? { type: 'stream-begin', streamId: payload.readUInt32BE(2) };
    case UserControlEventType.StreamEof:
      return needs(4, 'StreamEOF') ?? { type: 'stream-eof', streamId: payload.readUInt32BE(2) };
    case UserControlEventType.StreamDry:
      return needs(4, 'StreamDry') ?? { type: 'stream-dry', streamId: payload.readUInt32BE(2) };
    case UserControlEventType.SetBufferLength:
      return (
        needs(8, 'SetBufferLength') ?? {
          type: 'set-buffer-length',
          streamId: payload.readUInt32BE(2),
          bufferLengthMs: payload.readUInt32BE(6),
        }
      );
    case UserControlEventType.StreamIsRecorded:
      return needs(4, 'StreamIsRecorded') ?? { type: 'stream-is-recorded', streamId: payload.readUInt32BE(2) };
    case UserControlEventType.PingRequest:
      return needs(4, 'PingRequest') ?? { type: 'ping-request', timestamp: payload.readUInt32BE(2) };
    case UserControlEventType.PingResponse:
      return needs(4, 'PingResponse') ?? { type: 'ping-response', timestamp: payload.readUInt32BE(2) };
    default:
      return { type: 'unknown', eventType, data: payload.subarray(2) };
  }
}

/** Decodes a message of type 1..6; any other type id is ERR_RTMP_CONTROL. */
export function decodeControl(message: RtmpMessage): ControlMessage | RtmpError {
  const payload = message.payload;
  switch (message.typeId) {
    case MessageType.SetChunkSize: {
      const chunkSize = decodeSetChunkSize(payload);
      return chunkSize instanceof RtmpError ? chunkSize : { type: 'set-chunk-size', chunkSize };
    }
    case MessageType.Abort: {
      const chunkStreamId = decodeAbort(payload);
      return chunkStreamId instanceof RtmpError ? chunkStreamId : { type: 'abort', chunkStreamId };
    }
    case MessageType.Acknowledgement:
      if (payload.length < 4) return controlError('Acknowledgement', 4, payload.length);
      return { type: 'acknowledgement', sequenceNumber: payload.readUInt32BE(0) };
    case MessageType.WindowAckSize:
      if (payload.length < 4) return controlError('Window Acknowledgement Size', 4, payload.length);
      return { type: 'window-ack-size', windowSize: payload.readUInt32BE(0) };
    case MessageType.SetPeerBandwidth: {
      if (payload.length < 5) return controlError('Set Peer Bandwidth', 5, payload.length);
      const limitType = payload[4]!;
      if (limitType > PeerBandwidthLimit.Dynamic) {
        return new RtmpError('ERR_RTMP_CONTROL', `Set Peer Bandwidth limit type ${limitType} is not 0, 1 or 2`);
      }
      return {
        type: 'set-peer-bandwidth',
        windowSize: payload.readUInt32BE(0),
        limitType: limitType as PeerBandwidthLimitType,
      };
    }
    case MessageType.UserControl: {
      const event = decodeUserControl(payload);
      return event instanceof RtmpError ? event : { type: 'user-control', event };
    }
    default:
      return new RtmpError('ERR_RTMP_CONTROL', `message type ${message.typeId} is not a control message`);
  }
}

function checkU32(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) {
    throw new RangeError(`${name} ${value} is not an unsigned 32-bit integer`);
  }
  return value;
}

function u32Payload(value: number, name: string): Buffer {
  const payload = Buffer.allocUnsafe(4);
  payload.writeUInt32BE(checkU32(value, name), 0);
  return payload;
}

function controlMessage(typeId: number, payload: Buffer): RtmpMessage {
  return { typeId, timestamp: 0, streamId: 0, payload };
}

function userControlPayload(eventType: number, ...fields: number[]): Buffer {
  const payload = Buffer.allocUnsafe(2 + 4 * fields.length);
  payload.writeUInt16BE(eventType, 0);
  fields.forEach((field, index) => payload.writeUInt32BE(checkU32(field, 'user control field'), 2 + 4 * index));
  return payload;
}

function encodeUserControl(event: UserControlEvent): Buffer {
  switch (event.type) {
    case 'stream-begin':
      return userControlPayload(UserControlEventType.StreamBegin, event.streamId);
    case 'stream-eof':
      return userControlPayload(UserControlEventType.StreamEof, event.streamId);
    case 'stream-dry':
      return userControlPayload(UserControlEventType.StreamDry, event.streamId);
    case 'set-buffer-length':
      return userControlPayload(UserControlEventType.SetBufferLength, event.streamId, event.bufferLengthMs);
    case 'stream-is-recorded':
      return userControlPayload(UserControlEventType.StreamIsRecorded, event.streamId);
    case 'ping-request':
      return userControlPayload(UserControlEventType.PingRequest, event.timestamp);
    case 'ping-response':
      return userControlPayload(UserControlEventType.PingResponse, event.timestamp);
    case 'unknown': {
      const payload = Buffer.allocUnsafe(2 + event.data.length);
      payload.writeUInt16BE(event.eventType, 0);
      event.data.copy(payload, 2);
      return payload;
    }
  }
}

/** The RtmpMessage (stream 0, timestamp 0) carrying `control`; send it on chunk stream 2. */
export function encodeControl(control: ControlMessage): RtmpMessage {
  switch (control.type) {
    case 'set-chunk-size':
      if (!Number.isInteger(control.chunkSize) || control.chunkSize < 1 || control.chunkSize > 0x7fffffff) {
        throw new RangeError(`chunk size ${control.chunkSize} is outside 1..2147483647`);
      }
      return controlMessage(MessageType.SetChunkSize, u32Payload(control.chunkSize, 'chunk size'));
    case 'abort':
      return controlMessage(MessageType.Abort, u32Payload(control.chunkStreamId, 'chunk stream id'));
    case 'acknowledgement':
      return controlMessage(MessageType.Acknowledgement, u32Payload(control.sequenceNumber, 'sequence number'));
    case 'window-ack-size':
      return controlMessage(MessageType.WindowAckSize, u32Payload(control.windowSize, 'window size'));
    case 'set-peer-bandwidth': {
      const payload = Buffer.allocUnsafe(5);
      payload.writeUInt32BE(checkU32(control.windowSize, 'window size'), 0);
      payload[4] = control.limitType;
      return controlMessage(MessageType.SetPeerBandwidth, payload);
    }
    case 'user-control':
      return controlMessage(MessageType.UserControl, encodeUserControl(control.event));
  }
}

export const setChunkSizeMessage = (chunkSize: number): RtmpMessage =>
  encodeControl({ type: 'set-chunk-size', chunkSize });
export const abortMessage = (chunkStreamId: number): RtmpMessage => encodeControl({ type: 'abort', chunkStreamId });
export const acknowledgementMessage = (sequenceNumber: number): RtmpMessage =>
  encodeControl({ type: 'acknowledgement', sequenceNumber });
export const windowAckSizeMessage = (windowSize: number): RtmpMessage =>
  encodeControl({ type: 'window-ack-size', windowSize });
export const setPeerBandwidthMessage = (windowSize: number, limitType: PeerBandwidthLimitType): RtmpMessage =>
  encodeControl({ type: 'set-peer-bandwidth', windowSize, limitType });
export const userControlMessage = (event: UserControlEvent): RtmpMessage => encodeControl({ type: 'user-control', event });
export const streamBeginMessage = (streamId: number): RtmpMessage => userControlMessage({ type: 'stream-begin', streamId });
export const streamEofMessage = (streamId: number): RtmpMessage => userControlMessage({ type: 'stream-eof', streamId });
export const streamDryMessage = (streamId: number): RtmpMessage => userControlMessage({ type: 'stream-dry', streamId });
export const setBufferLengthMessage = (streamId: number, bufferLengthMs: number): RtmpMessage =>
  userControlMessage({ type: 'set-buffer-length', streamId, bufferLengthMs });
export const streamIsRecordedMessage = (streamId: number): RtmpMessage =>
  userControlMessage({ type: 'stream-is-recorded', streamId });
export const pingRequestMessage = (timestamp: number): RtmpMessage => userControlMessage({ type: 'ping-request', timestamp });
export const pingResponseMessage = (timestamp: number): RtmpMessage =>
  userControlMessage({ type: 'ping-response', timestamp });
