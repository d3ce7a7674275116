/**
 * The message layer over arbitrary payloads: commands (type 20 and 17), data (type 18 and 15) with
 * the metadata facts the status API shows, and protocol/user control messages (types 1–6).
 */
import { DEFAULT_AMF_LIMITS, type AmfLimits } from '../../../src/rtmp/amf/types.js';
import { RtmpError } from '../../../src/rtmp/errors.js';
import { metadataFacts } from '../../../src/rtmp/flv/metadata-facts.js';
import { decodeCommand, type Command, type StatusInfo } from '../../../src/rtmp/message/commands.js';
import { decodeAbort, decodeControl, decodeSetChunkSize, encodeControl, isControlMessageType } from '../../../src/rtmp/message/control.js';
import { decodeData, stripSetDataFrame } from '../../../src/rtmp/message/data.js';
import { MessageType, type RtmpMessage } from '../../../src/rtmp/message/types.js';
import { check, type FuzzTarget } from '../harness.js';
import { amf0String, amfEqual, checkRtmpError, hash32, isU32, tokens } from './common.js';

const TIGHT: AmfLimits = { maxDepth: 4, maxItems: 64, maxStringLength: 256 };
const message = (typeId: number, payload: Buffer, streamId = 1): RtmpMessage => ({ typeId, timestamp: 0, streamId, payload });
const isString = (value: unknown): value is string => typeof value === 'string';

const KNOWN_COMMANDS = new Set([
  'connect', 'releaseStream', 'FCPublish', 'FCUnpublish', 'getStreamLength', 'publish', 'play', 'deleteStream',
  'createStream', 'closeStream', '_checkbw', 'onBWDone', '_result', '_error', 'onStatus', 'onFCPublish', 'onFCUnpublish', 'unknown',
]);

function checkStatus(status: StatusInfo | null, where: string): void {
  if (status === null) return;
  check(isString(status.level) && isString(status.code) && isString(status.description), `${where}: status fields are not strings`);
}

/** Every variant of the Command union has the field types its type promises. */
function checkCommand(command: Command, streamId: number): void {
  const where = `command ${command.name}`;
  check(KNOWN_COMMANDS.has(command.name), `unexpected command name ${command.name}`);
  check(typeof command.transactionId === 'number', `${where}: transaction id is not a number`);
  check(command.streamId === streamId, `${where}: stream id ${command.streamId}, arrived on ${streamId}`);
  switch (command.name) {
    case 'connect':
      check(isString(command.app) && typeof command.objectEncoding === 'number', `${where}: app or objectEncoding mistyped`);
      check([command.tcUrl, command.flashVer, command.swfUrl, command.pageUrl].every((v) => v === null || isString(v)), `${where}: optional strings mistyped`);
      check(command.fourCcList === null || command.fourCcList.every(isString), `${where}: fourCcList holds a non-string`);
      return;
    case 'publish':
      check(isString(command.streamName) && isString(command.publishType), `${where}: name or type mistyped`);
      return;
    case 'play':
      check(isString(command.streamName) && typeof command.start === 'number' && typeof command.duration === 'number', `${where}: mistyped`);
      check(command.reset === null || typeof command.reset === 'boolean', `${where}: reset mistyped`);
      return;
    case 'deleteStream':
      check(typeof command.deletedStreamId === 'number', `${where}: deleted stream id mistyped`);
      return;
    case 'releaseStream':
    case 'FCPublish':
    case 'FCUnpublish':
    case 'getStreamLength':
      check(isString(command.streamName), `${where}: stream name mistyped`);
      return;
    case '_result':
    case '_error':
    case 'onStatus':
    case 'onFCPublish':
    case 'onFCUnpublish':
      checkStatus(command.status, where);
      return;
    case 'unknown':
      check(isString(command.commandName) && !KNOWN_COMMANDS.has(command.commandName), `${where}: a known name reported as unknown`);
      return;
    default:
      return;
  }
}

export const commandTarget: FuzzTarget = {
  name: 'command',
  description: 'decodeCommand on type 20 and type 17 messages (default and tight AMF limits)',
  maxInputLength: 16 * 1024,
  dictionary: [
    ...['connect', 'createStream', 'publish', 'play', 'deleteStream', 'FCUnpublish', '_result', 'onStatus', 'releaseStream', 'getStreamLength'].map(amf0String),
    ...['app', 'tcUrl', 'objectEncoding', 'fourCcList', 'code', 'level', 'NetStream.Publish.Start', 'live'].map(amf0String),
    ...tokens([0x00, 0x3f, 0xf0, 0, 0, 0, 0, 0, 0], [0x05], [0x03], [0x00, 0x00, 0x09], [0x0a, 0, 0, 0, 1], [0x11]),
  ],
  run(input: Buffer): string {
    const limits = (hash32(input) & 3) === 0 ? TIGHT : DEFAULT_AMF_LIMITS;
    const features: string[] = [];
    for (const typeId of [MessageType.CommandAmf0, MessageType.CommandAmf3]) {
      const command = decodeCommand(message(typeId, input), limits);
      if (command instanceof RtmpError) {
        checkRtmpError(command, 'decodeCommand');
        features.push(command.code);
      } else {
        checkCommand(command, 1);
        features.push(command.name);
      }
    }
    const other = decodeCommand(message(MessageType.DataAmf0, input));
    check(other instanceof RtmpError, 'decodeCommand accepted a data message');
    return features.join('|');
  },
};

export const dataTarget: FuzzTarget = {
  name: 'data',
  description: 'decodeData on type 18 and 15 messages, the onMetaData they forward, and metadataFacts',
  maxInputLength: 16 * 1024,
  dictionary: [
    ...['@setDataFrame', 'onMetaData', 'width', 'height', 'framerate', 'videocodecid', 'audiocodecid', 'stereo', 'hvc1'].map(amf0String),
    ...tokens([0x08, 0, 0, 0, 3], [0x00, 0x00, 0x09], [0x00, 0x40, 0x1c, 0, 0, 0, 0, 0, 0], [0x01, 0x01], [0x0c, 0, 0, 0, 13], [0x11, 0x06, 27]),
    ...tokens('@setDataFrame'),
  ],
  run(input: Buffer): string {
    const features: string[] = [];
    for (const typeId of [MessageType.DataAmf0, MessageType.DataAmf3]) {
      const data = decodeData(message(typeId, input));
      if (data instanceof RtmpError) {
        checkRtmpError(data, 'decodeData');
        features.push(data.code);
        continue;
      }
      check(data.payload === input, 'decodeData: payload is not the message payload');
      features.push(data.kind);
      if (data.kind === 'other') {
        check(data.name === null || isString(data.name), 'decodeData: name mistyped');
        continue;
      }
      // What players get must itself be an onMetaData message with the same metadata.
      const forwarded = decodeData(message(typeId, data.onMetaDataPayload));
      check(!(forwarded instanceof RtmpError), `decodeData: the forwarded onMetaData does not decode (${data.kind})`);
      check(forwarded.kind === 'onMetaData', `decodeData: the forwarded payload of a ${data.kind} message decodes as ${forwarded.kind}`);
      check(amfEqual(forwarded.metadataValue, data.metadataValue), 'decodeData: the forwarded metadata differs');
      const facts = metadataFacts(data.metadata);
      for (const [key, value] of Object.entries(facts)) {
        check(value === null || isString(value) || (typeof value === 'number' && Number.isFinite(value) && value > 0), `metadataFacts: ${key} = ${String(value)}`);
      }
      features.push(`${facts.videoCodec ?? '-'}/${facts.audioCodec ?? '-'}`);
    }
    const stripped = stripSetDataFrame(input);
    check(stripped.length <= input.length && stripped.equals(input.subarray(input.length - stripped.length)), 'stripSetDataFrame: not a suffix');
    return features.join('|');
  },
};

export const controlTarget: FuzzTarget = {
  name: 'control',
  description: 'decodeControl for types 1–8 (first byte picks the type), re-encoded to the same bytes',
  maxInputLength: 64,
  dictionary: tokens([0x00, 0x06], [0x00, 0x07], [0x00, 0x03], [0x00, 0x1f], [0x7f, 0xff, 0xff, 0xff], [0x80, 0, 0, 0], [0x02]),
  run(input: Buffer): string {
    const typeId = 1 + ((input[0] ?? 0) & 7);
    const payload = input.subarray(1);
    const decoded = decodeControl(message(typeId, payload, 0));
    const chunkSize = decodeSetChunkSize(payload);
    if (chunkSize instanceof RtmpError) checkRtmpError(chunkSize, 'decodeSetChunkSize');
    else check(Number.isInteger(chunkSize) && chunkSize >= 1 && chunkSize <= 0x7fffffff, `chunk size ${chunkSize} accepted`);
    const abort = decodeAbort(payload);
    if (abort instanceof RtmpError) checkRtmpError(abort, 'decodeAbort');
    else check(isU32(abort), `abort of chunk stream ${abort}`);
    if (decoded instanceof RtmpError) {
      checkRtmpError(decoded, 'decodeControl');
      return `${typeId}|${decoded.code}`;
    }
    check(isControlMessageType(typeId), `decodeControl accepted type ${typeId}`);
    const encoded = encodeControl(decoded);
    check(encoded.typeId === typeId, `re-encoded as type ${encoded.typeId}, decoded from ${typeId}`);
    check(encoded.payload.equals(payload.subarray(0, encoded.payload.length)), 're-encoded control differs from the bytes it came from');
    const again = decodeControl(encoded);
    check(!(again instanceof RtmpError) && JSON.stringify(again) === JSON.stringify(decoded), 'decode∘encode∘decode differs');
    return `${typeId}|${decoded.type === 'user-control' ? decoded.event.type : decoded.type}`;
  },
};
