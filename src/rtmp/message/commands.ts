import { decodeAmf0, encodeAmf0 } from '../amf/amf0.js';
import {
  AmfEcmaArray,
  type AmfLimits,
  type AmfObject,
  type AmfValue,
  createAmfObject,
  isAmfObject,
} from '../amf/types.js';
import { RtmpError } from '../errors.js';
import { MessageType, type RtmpMessage } from './types.js';

/**
 * RTMP command messages (type 20 AMF0, type 17 AMF3 container) as a discriminated union on
 * `name`. Every command carries its transaction id and the message stream id it arrived on
 * (publish, play, closeStream and deleteStream act on that stream).
 */
interface CommandBase {
  readonly transactionId: number;
  readonly streamId: number;
}

/** level/code/description of an onStatus or _result/_error info object, with the object itself. */
export interface StatusInfo {
  readonly level: string;
  readonly code: string;
  readonly description: string;
  readonly raw: AmfObject;
}

export interface ConnectCommand extends CommandBase {
  readonly name: 'connect';
  readonly app: string;
  readonly tcUrl: string | null;
  readonly flashVer: string | null;
  readonly swfUrl: string | null;
  readonly pageUrl: string | null;
  /** 0 (AMF0) unless the client asked for 3. */
  readonly objectEncoding: number;
  /** Enhanced RTMP: the FourCCs the client can handle, when it says. */
  readonly fourCcList: readonly string[] | null;
  readonly commandObject: AmfObject;
  /** Optional user arguments after the command object. */
  readonly extraArgs: readonly AmfValue[];
}

export interface StreamNameCommand extends CommandBase {
  readonly name: 'releaseStream' | 'FCPublish' | 'FCUnpublish' | 'getStreamLength';
  readonly streamName: string;
}

export interface PublishCommand extends CommandBase {
  readonly name: 'publish';
  /** Byte for byte as sent, `?`, `&` and `=` included. */
  readonly streamName: string;
  /** 'live' (the default when absent), 'record' or 'append'. */
  readonly publishType: string;
}

export interface PlayCommand extends CommandBase {
  readonly name: 'play';
  readonly streamName: string;
  /** -2 (the default) live or recorded, -1 live only, >= 0 a recorded offset. */
  readonly start: number;
  readonly duration: number;
  readonly reset: boolean | null;
}

export interface DeleteStreamCommand extends CommandBase {
  readonly name: 'deleteStream';
  /** The stream id named in the argument (the message itself usually arrives on stream 0). */
  readonly deletedStreamId: number;
}

export interface BareCommand extends CommandBase {
  readonly name: 'createStream' | 'closeStream' | '_checkbw' | 'onBWDone';
}

export interface ResultCommand extends CommandBase {
  readonly name: '_result' | '_error';
  readonly commandObject: AmfValue;
  /** connect: the info object; createStream: the new stream id. */
  readonly info: AmfValue;
  /** The info as a status, when it is an object with a string `code`. */
  readonly status: StatusInfo | null;
  readonly extraArgs: readonly AmfValue[];
}

export interface StatusCommand extends CommandBase {
  readonly name: 'onStatus' | 'onFCPublish' | 'onFCUnpublish';
  /** The info object as sent (normally the argument after a null command object). */
  readonly info: AmfValue;
  /** The info as a status; null when it is not an object with a string `code`. */
  readonly status: StatusInfo | null;
}

export interface UnknownCommand extends CommandBase {
  readonly name: 'unknown';
  readonly commandName: string;
  readonly commandObject: AmfValue;
  readonly args: readonly AmfValue[];
}

export type Command =
  | ConnectCommand
  | StreamNameCommand
  | PublishCommand
  | PlayCommand
  | DeleteStreamCommand
  | BareCommand
  | ResultCommand
  | StatusCommand
  | UnknownCommand;

const STREAM_NAME_COMMANDS = new Set(['releaseStream', 'FCPublish', 'FCUnpublish', 'getStreamLength']);
const BARE_COMMANDS = new Set(['createStream', 'closeStream', '_checkbw', 'onBWDone']);
const STATUS_COMMANDS = new Set(['onStatus', 'onFCPublish', 'onFCUnpublish']);

function commandError(name: string, why: string): RtmpError {
  return new RtmpError('ERR_RTMP_COMMAND', `${name}: ${why}`);
}

function asObject(value: AmfValue): AmfObject | null {
  if (value instanceof AmfEcmaArray) return value.toObject();
  return isAmfObject(value) ? value : null;
}

function optionalString(object: AmfObject, key: string): string | null {
  const value = object[key];
  return typeof value === 'string' ? value : null;
}

/** The status in an info object: a string `code` is required, level and description default to ''. */
export function statusInfoOf(value: AmfValue): StatusInfo | null {
  const raw = asObject(value);
  if (raw === null || typeof raw['code'] !== 'string') return null;
  const level = optionalString(raw, 'level') ?? '';
  return { level, code: raw['code'], description: optionalString(raw, 'description') ?? '', raw };
}

function decodeConnect(base: CommandBase, commandObject: AmfValue, args: AmfValue[]): ConnectCommand | RtmpError {
  const object = asObject(commandObject);
  if (object === null) return commandError('connect', 'the command object is missing');
  const app = object['app'];
  if (typeof app !== 'string') return commandError('connect', 'app is missing or not a string');
  const encoding = object['objectEncoding'];
  const fourCcs = object['fourCcList'];
  const fourCcList = Array.isArray(fourCcs) ? fourCcs.filter((item): item is string => typeof item === 'string') : null;
  return {
    ...base,
    name: 'connect',
    app,
    tcUrl: optionalString(object, 'tcUrl'),
    flashVer: optionalString(object, 'flashVer'),
    swfUrl: optionalString(object, 'swfUrl'),
    pageUrl: optionalString(object, 'pageUrl'),
    objectEncoding: typeof encoding === 'number' ? encoding : 0,
    fourCcList,
    commandObject: object,
    extraArgs: args,
  };
}

function decodeStreamCommand(name: string, base: CommandBase, args: AmfValue[]): Command | RtmpError {
  const [first, second, third, fourth] = args;
  switch (name) {
    case 'publish':
      if (typeof first !== 'string') return commandError(name, 'the stream name is missing or not a string');
      return { ...base, name, streamName: first, publishType: typeof second === 'string' ? second : 'live' };
    case 'play':
      if (typeof first !== 'string') return commandError(name, 'the stream name is missing or not a string');
      return {
        ...base,
        name,
        streamName: first,
        start: typeof second === 'number' ? second : -2,
        duration: typeof third === 'number' ? third : -1,
        reset: typeof fourth === 'boolean' ? fourth : typeof fourth === 'number' ? fourth !== 0 : null,
      };
    case 'deleteStream':
      // GStreamer's rtmp2sink sends it without a usable id: it means the stream it arrived on.
      return { ...base, name, deletedStreamId: typeof first === 'number' && Number.isFinite(first) ? first : base.streamId };
    default:
      return { ...base, name: name as StreamNameCommand['name'], streamName: typeof first === 'string' ? first : '' };
  }
}

/** Interprets decoded command values: [name, transactionId, commandObject, ...args]. */
export function interpretCommand(values: readonly AmfValue[], streamId: number): Command | RtmpError {
  const [name, transactionId, commandObject, ...args] = values;
  if (typeof name !== 'string') return new RtmpError('ERR_RTMP_COMMAND', 'a command must start with its name (a string)');
  if (transactionId !== undefined && typeof transactionId !== 'number') {
    return commandError(name, 'the transaction id is not a number');
  }
  const base: CommandBase = { transactionId: transactionId ?? 0, streamId };
  if (name === 'connect') return decodeConnect(base, commandObject, args);
  if (name === 'publish' || name === 'play' || name === 'deleteStream' || STREAM_NAME_COMMANDS.has(name)) {
    return decodeStreamCommand(name, base, args);
  }
  if (BARE_COMMANDS.has(name)) return { ...base, name: name as BareCommand['name'] };
  if (name === '_result' || name === '_error') {
    const [info, ...extraArgs] = args;
    return { ...base, name, commandObject, info, status: statusInfoOf(info), extraArgs };
  }
  if (STATUS_COMMANDS.has(name)) {
    // The info object belongs after a null command object; a few servers put it in its place.
    const info = args.length === 0 && commandObject !== null ? commandObject : args[0];
    return { ...base, name: name as StatusCommand['name'], info, status: statusInfoOf(info) };
  }
  return { ...base, name: 'unknown', commandName: name, commandObject, args };
}

/**
 * Decodes a type 20 (AMF0) or type 17 (a format byte, then AMF0 values that may switch to
 * AMF3 with 0x11) command message. Never throws: bad input gives a coded RtmpError.
 */
export function decodeCommand(message: RtmpMessage, limits?: Partial<AmfLimits>): Command | RtmpError {
  let payload = message.payload;
  if (message.typeId === MessageType.CommandAmf3) {
    // The leading byte is 0x00; like librtmp and SRS we skip it whatever it is.
    if (payload.length === 0) return new RtmpError('ERR_RTMP_TRUNCATED', 'empty AMF3 command');
    payload = payload.subarray(1);
  } else if (message.typeId !== MessageType.CommandAmf0) {
    return new RtmpError('ERR_RTMP_COMMAND', `message type ${message.typeId} is not a command`);
  }
  const values = decodeAmf0(payload, limits);
  if (values instanceof RtmpError) return values;
  return interpretCommand(values, message.streamId);
}

/** The AMF0 payload of a command: name, transaction id, command object (null when none), args. */
export function encodeCommand(
  name: string,
  transactionId: number,
  commandObject: AmfValue,
  ...args: readonly AmfValue[]
): Buffer {
  return encodeAmf0([name, transactionId, commandObject, ...args]);
}

export const CLIENT_FLASH_VERSION = 'FMLE/3.0 (compatible; FMSc/1.0)';
export const SERVER_FMS_VERSION = 'FMS/3,0,1,123';
export const SERVER_CAPABILITIES = 31;

export interface ConnectOptions {
  readonly app: string;
  readonly tcUrl: string;
  readonly transactionId?: number;
  readonly flashVer?: string;
  /** Defaults to tcUrl, as FMLE and OBS send it. */
  readonly swfUrl?: string;
  readonly fourCcList?: readonly string[];
  /** Sent only when given (servers assume 0). */
  readonly objectEncoding?: number;
}

/** A publishing client's connect, shaped like OBS/FMLE's (app, type, flashVer, swfUrl, tcUrl). */
export function buildConnect(options: ConnectOptions): Buffer {
  const object = createAmfObject({
    app: options.app,
    type: 'nonprivate',
    flashVer: options.flashVer ?? CLIENT_FLASH_VERSION,
    swfUrl: options.swfUrl ?? options.tcUrl,
    tcUrl: options.tcUrl,
  });
  if (options.fourCcList) object['fourCcList'] = [...options.fourCcList];
  if (options.objectEncoding !== undefined) object['objectEncoding'] = options.objectEncoding;
  return encodeCommand('connect', options.transactionId ?? 1, object);
}

export function buildConnectResult(transactionId: number, objectEncoding = 0): Buffer {
  const properties = createAmfObject({ fmsVer: SERVER_FMS_VERSION, capabilities: SERVER_CAPABILITIES });
  const info = createAmfObject({
    level: 'status',
    code: 'NetConnection.Connect.Success',
    description: 'Connection succeeded.',
    objectEncoding,
  });
  return encodeCommand('_result', transactionId, properties, info);
}

export function buildCreateStream(transactionId: number): Buffer {
  return encodeCommand('createStream', transactionId, null);
}

export function buildCreateStreamResult(transactionId: number, streamId: number): Buffer {
  return encodeCommand('_result', transactionId, null, streamId);
}

/** onStatus (transaction 0, null command object); `extra` adds fields such as `details`. */
export function buildOnStatus(
  level: string,
  code: string,
  description: string,
  extra?: Readonly<Record<string, AmfValue>>,
): Buffer {
  const info = createAmfObject({ level, code, description, ...extra });
  return encodeCommand('onStatus', 0, null, info);
}

export function buildError(transactionId: number, code: string, description: string, level = 'error'): Buffer {
  return encodeCommand('_error', transactionId, null, createAmfObject({ level, code, description }));
}

export function buildOnBWDone(): Buffer {
  return encodeCommand('onBWDone', 0, null);
}

export function buildReleaseStream(transactionId: number, streamName: string): Buffer {
  return encodeCommand('releaseStream', transactionId, null, streamName);
}

export function buildFCPublish(transactionId: number, streamName: string): Buffer {
  return encodeCommand('FCPublish', transactionId, null, streamName);
}

export function buildFCUnpublish(transactionId: number, streamName: string): Buffer {
  return encodeCommand('FCUnpublish', transactionId, null, streamName);
}

export function buildDeleteStream(transactionId: number, streamId: number): Buffer {
  return encodeCommand('deleteStream', transactionId, null, streamId);
}

/** publish goes on the created stream's message stream id; the name is sent byte for byte. */
export function buildPublish(transactionId: number, streamName: string, publishType = 'live'): Buffer {
  return encodeCommand('publish', transactionId, null, streamName, publishType);
}

/** play with start -2000 as ffmpeg sends it (live or recorded, whichever exists). */
export function buildPlay(transactionId: number, streamName: string, start = -2000): Buffer {
  return encodeCommand('play', transactionId, null, streamName, start);
}
