import { decodeAmf0, encodeAmf0, readAmf0Value } from '../amf/amf0.js';
import { ByteReader } from '../bytes/reader.js';
import { AmfEcmaArray, DecodeBudget, type AmfLimits, type AmfObject, type AmfValue, isAmfObject } from '../amf/types.js';
import { RtmpError } from '../errors.js';
import { MessageType, type RtmpMessage } from './types.js';

/**
 * Data messages (type 18 AMF0; type 15 = a format byte then the same). Publishers send
 * `@setDataFrame onMetaData {…}`; players and nginx-rtmp expect `onMetaData {…}`. The
 * payload is kept so a publisher's data can be forwarded unaltered.
 */
interface MetadataBase {
  /** The metadata as a null-prototype record (an ECMA array's entries, or the object). */
  readonly metadata: AmfObject;
  /** The value as sent: usually an ECMA array (ffmpeg, OBS), sometimes an object. */
  readonly metadataValue: AmfObject | AmfEcmaArray;
  readonly payload: Buffer;
  /**
   * The same data as `onMetaData {…}` in the message's own type: for a type 18
   * `@setDataFrame` payload a view that skips the first string, otherwise the payload itself.
   */
  readonly onMetaDataPayload: Buffer;
}

export interface SetDataFrameMessage extends MetadataBase {
  readonly kind: 'setDataFrame';
}

export interface OnMetaDataMessage extends MetadataBase {
  readonly kind: 'onMetaData';
}

export interface OtherDataMessage {
  readonly kind: 'other';
  /** The leading string (e.g. onCuePoint, onTextData, @clearDataFrame), or null if none. */
  readonly name: string | null;
  /** The values after the name (all values when there is no leading string). */
  readonly values: readonly AmfValue[];
  readonly payload: Buffer;
}

export type DataMessage = SetDataFrameMessage | OnMetaDataMessage | OtherDataMessage;

export const SET_DATA_FRAME = '@setDataFrame';
export const ON_METADATA = 'onMetaData';

/** 0x02 (string marker), u16 length 13, then "@setDataFrame": the prefix a publisher's metadata carries. */
const SET_DATA_FRAME_PREFIX = Buffer.from([0x02, 0x00, SET_DATA_FRAME.length, ...Buffer.from(SET_DATA_FRAME, 'latin1')]);

function metadataOf(value: AmfValue): { metadata: AmfObject; metadataValue: AmfObject | AmfEcmaArray } | null {
  if (value instanceof AmfEcmaArray) return { metadata: value.toObject(), metadataValue: value };
  if (isAmfObject(value)) return { metadata: value, metadataValue: value };
  return null;
}

/**
 * The payload without its leading `@setDataFrame` string (a view, no copy), or the payload
 * itself when it does not start with one. Expects an AMF0 (type 18) payload.
 */
export function stripSetDataFrame(payload: Buffer): Buffer {
  const prefixed =
    payload.length > SET_DATA_FRAME_PREFIX.length &&
    payload.subarray(0, SET_DATA_FRAME_PREFIX.length).equals(SET_DATA_FRAME_PREFIX);
  return prefixed ? payload.subarray(SET_DATA_FRAME_PREFIX.length) : payload;
}

/** Decodes a type 18 or 15 data message; never throws, bad AMF gives a coded RtmpError. */
export function decodeData(message: RtmpMessage, limits?: Partial<AmfLimits>): DataMessage | RtmpError {
  const { payload } = message;
  let amf0 = payload;
  if (message.typeId === MessageType.DataAmf3) {
    if (payload.length === 0) return new RtmpError('ERR_RTMP_TRUNCATED', 'empty AMF3 data message');
    amf0 = payload.subarray(1);
  } else if (message.typeId !== MessageType.DataAmf0) {
    return new RtmpError('ERR_RTMP_PROTOCOL', `message type ${message.typeId} is not a data message`);
  }
  const values = decodeAmf0(amf0, limits);
  if (values instanceof RtmpError) return values;
  const [first, second, third] = values;

  if (first === SET_DATA_FRAME && second === ON_METADATA) {
    const found = metadataOf(third);
    if (found) {
      // The first value is @setDataFrame in whatever form it came (string, long string, AMF3 switch):
      // what follows it is the onMetaData payload.
      const stripped = amf0.subarray(firstValueLength(amf0, limits));
      // Type 15 keeps its format byte in front: a (rare) copy rather than a view.
      const onMetaDataPayload = amf0 === payload ? stripped : Buffer.concat([payload.subarray(0, 1), stripped]);
      return { kind: 'setDataFrame', ...found, payload, onMetaDataPayload };
    }
  }
  if (first === ON_METADATA) {
    const found = metadataOf(second);
    if (found) return { kind: 'onMetaData', ...found, payload, onMetaDataPayload: payload };
  }
  if (typeof first === 'string') return { kind: 'other', name: first, values: values.slice(1), payload };
  return { kind: 'other', name: null, values, payload };
}

/** Bytes taken by the first AMF0 value of `amf0` (already known to decode). */
function firstValueLength(amf0: Buffer, limits?: Partial<AmfLimits>): number {
  const reader = new ByteReader(amf0);
  readAmf0Value(reader, new DecodeBudget(limits));
  return reader.position;
}

function asEcmaArray(metadata: AmfObject | AmfEcmaArray | Readonly<Record<string, AmfValue>>): AmfEcmaArray {
  return metadata instanceof AmfEcmaArray ? metadata : AmfEcmaArray.fromObject(metadata);
}

/** `@setDataFrame onMetaData <ECMA array>`, as ffmpeg and OBS publish metadata (type 18). */
export function encodeSetDataFrame(metadata: AmfObject | AmfEcmaArray | Readonly<Record<string, AmfValue>>): Buffer {
  return encodeAmf0([SET_DATA_FRAME, ON_METADATA, asEcmaArray(metadata)]);
}

/** `onMetaData <ECMA array>`, as a server sends metadata to players (type 18). */
export function encodeOnMetaData(metadata: AmfObject | AmfEcmaArray | Readonly<Record<string, AmfValue>>): Buffer {
  return encodeAmf0([ON_METADATA, asEcmaArray(metadata)]);
}
