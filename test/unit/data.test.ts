import test from 'ava';
import { AmfEcmaArray, createAmfObject } from '../../src/rtmp/amf/types.js';
import { RtmpError } from '../../src/rtmp/errors.js';
import {
  type DataMessage,
  decodeData,
  encodeOnMetaData,
  encodeSetDataFrame,
  stripSetDataFrame,
} from '../../src/rtmp/message/data.js';
import { MessageType } from '../../src/rtmp/message/types.js';

const ascii = (text: string): number[] => [...Buffer.from(text, 'latin1')];

/** The "@setDataFrame" string ffmpeg's rtmpproto puts in front of the FLV muxer's metadata. */
const SET_DATA_FRAME_FIELD = [
  0x02, 0x00, 0x0d, ...ascii('@setDataFrame'), // string marker, length 13
];

/** onMetaData as ffmpeg's FLV muxer writes it for 1280x720 30 fps H.264 + 44.1 kHz stereo AAC. */
const ON_METADATA_FIELDS = [
  0x02, 0x00, 0x0a, ...ascii('onMetaData'), //   string marker, length 10
  0x08, 0x00, 0x00, 0x00, 0x0d, //              ECMA array marker, count 13
  0x00, 0x08, ...ascii('duration'), //          key (8)
  0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // number 0 (live)
  0x00, 0x05, ...ascii('width'), //             key (5)
  0x00, 0x40, 0x94, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // number 1280
  0x00, 0x06, ...ascii('height'), //            key (6)
  0x00, 0x40, 0x86, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, // number 720
  0x00, 0x0d, ...ascii('videodatarate'), //     key (13)
  0x00, 0x40, 0xa3, 0x12, 0xd0, 0x00, 0x00, 0x00, 0x00, // number 2441.40625 (2500000 / 1024)
  0x00, 0x09, ...ascii('framerate'), //         key (9)
  0x00, 0x40, 0x3e, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // number 30
  0x00, 0x0c, ...ascii('videocodecid'), //      key (12)
  0x00, 0x40, 0x1c, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // number 7 (AVC)
  0x00, 0x0d, ...ascii('audiodatarate'), //     key (13)
  0x00, 0x40, 0x5f, 0x40, 0x00, 0x00, 0x00, 0x00, 0x00, // number 125 (128000 / 1024)
  0x00, 0x0f, ...ascii('audiosamplerate'), //   key (15)
  0x00, 0x40, 0xe5, 0x88, 0x80, 0x00, 0x00, 0x00, 0x00, // number 44100
  0x00, 0x0f, ...ascii('audiosamplesize'), //   key (15)
  0x00, 0x40, 0x30, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // number 16
  0x00, 0x06, ...ascii('stereo'), //            key (6)
  0x01, 0x01, //                                boolean true
  0x00, 0x0c, ...ascii('audiocodecid'), //      key (12)
  0x00, 0x40, 0x24, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // number 10 (AAC)
  0x00, 0x07, ...ascii('encoder'), //           key (7)
  0x02, 0x00, 0x0c, ...ascii('Lavf61.7.100'), // string, length 12
  0x00, 0x08, ...ascii('filesize'), //          key (8)
  0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // number 0
  0x00, 0x00, 0x09, //                          object end
];

const FFMPEG_SET_DATA_FRAME = [...SET_DATA_FRAME_FIELD, ...ON_METADATA_FIELDS];

const EXPECTED_METADATA = {
  duration: 0,
  width: 1280,
  height: 720,
  videodatarate: 2441.40625,
  framerate: 30,
  videocodecid: 7,
  audiodatarate: 125,
  audiosamplerate: 44100,
  audiosamplesize: 16,
  stereo: true,
  audiocodecid: 10,
  encoder: 'Lavf61.7.100',
  filesize: 0,
};

const message = (bytes: number[] | Buffer, typeId: number = MessageType.DataAmf0) => ({
  typeId,
  timestamp: 0,
  streamId: 1,
  payload: Buffer.from(bytes),
});

function decodeOk(bytes: number[] | Buffer, typeId?: number): DataMessage {
  const data = decodeData(message(bytes, typeId));
  if (data instanceof RtmpError) throw new Error(`unexpected ${data.code}: ${data.message}`);
  return data;
}

test('decodes ffmpeg\'s @setDataFrame onMetaData', (t) => {
  const data = decodeOk(FFMPEG_SET_DATA_FRAME);
  if (data.kind !== 'setDataFrame') return t.fail(data.kind);
  t.deepEqual(data.metadata, createAmfObject(EXPECTED_METADATA));
  t.true(data.metadataValue instanceof AmfEcmaArray);
  t.deepEqual(
    (data.metadataValue as AmfEcmaArray).entries.map(([key]) => key),
    Object.keys(EXPECTED_METADATA),
  );
  t.deepEqual([...data.payload], FFMPEG_SET_DATA_FRAME);
});

test('the onMetaData form is the payload without the first string, as a view', (t) => {
  const data = decodeOk(FFMPEG_SET_DATA_FRAME);
  if (data.kind !== 'setDataFrame') return t.fail(data.kind);
  t.deepEqual([...data.onMetaDataPayload], ON_METADATA_FIELDS);
  t.is(data.onMetaDataPayload.buffer, data.payload.buffer); // no copy
  t.deepEqual([...stripSetDataFrame(Buffer.from(FFMPEG_SET_DATA_FRAME))], ON_METADATA_FIELDS);
});

test('a bare onMetaData is recognised and forwarded as it is', (t) => {
  const payload = Buffer.from(ON_METADATA_FIELDS);
  const data = decodeOk(payload);
  if (data.kind !== 'onMetaData') return t.fail(data.kind);
  t.deepEqual(data.metadata, createAmfObject(EXPECTED_METADATA));
  t.is(data.onMetaDataPayload, data.payload);
  t.is(stripSetDataFrame(payload), payload);
});

test('a type 15 data message skips its format byte and keeps it in the onMetaData form', (t) => {
  const data = decodeOk([0x00, ...FFMPEG_SET_DATA_FRAME], MessageType.DataAmf3);
  if (data.kind !== 'setDataFrame') return t.fail(data.kind);
  t.is(data.metadata['width'], 1280);
  t.deepEqual([...data.onMetaDataPayload], [0x00, ...ON_METADATA_FIELDS]);
});

test('metadata sent as an object (not an ECMA array) is recognised too', (t) => {
  const bytes = [
    ...SET_DATA_FRAME_FIELD,
    0x02, 0x00, 0x0a, ...ascii('onMetaData'), // string "onMetaData"
    0x03, //                                    object marker
    0x00, 0x05, ...ascii('width'), //           key "width"
    0x00, 0x40, 0x94, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // number 1280
    0x00, 0x00, 0x09, //                        object end
  ];
  const data = decodeOk(bytes);
  t.like(data, { kind: 'setDataFrame', metadata: { width: 1280 } });
});

test('other data messages keep their name and values', (t) => {
  const cue = [
    0x02, 0x00, 0x0a, ...ascii('onCuePoint'), // string "onCuePoint"
    0x02, 0x00, 0x01, ...ascii('x'), //          string "x"
  ];
  t.deepEqual(decodeOk(cue), { kind: 'other', name: 'onCuePoint', values: ['x'], payload: Buffer.from(cue) });
  const clear = [0x02, 0x00, 0x0f, ...ascii('@clearDataFrame')];
  t.like(decodeOk(clear), { kind: 'other', name: '@clearDataFrame', values: [] });
  // @setDataFrame onMetaData without an object is not metadata.
  const noObject = [...SET_DATA_FRAME_FIELD, 0x02, 0x00, 0x0a, ...ascii('onMetaData'), 0x05];
  t.like(decodeOk(noObject), { kind: 'other', name: '@setDataFrame', values: ['onMetaData', null] });
  t.like(decodeOk([0x05]), { kind: 'other', name: null, values: [null] });
  t.like(decodeOk([]), { kind: 'other', name: null, values: [] });
});

test('truncated at every offset: a coded error or a non-metadata message, never a throw', (t) => {
  for (let end = 0; end < FFMPEG_SET_DATA_FRAME.length; end++) {
    const result = decodeData(message(FFMPEG_SET_DATA_FRAME.slice(0, end)));
    t.true(result instanceof RtmpError || result.kind === 'other', `prefix of ${end} bytes`);
  }
  t.is((decodeData(message([], MessageType.DataAmf3)) as RtmpError).code, 'ERR_RTMP_TRUNCATED');
  t.is((decodeData(message([0x05], MessageType.Video)) as RtmpError).code, 'ERR_RTMP_PROTOCOL');
});

test('encodeSetDataFrame writes the form publishers send, as an ECMA array', (t) => {
  const expected = [
    ...SET_DATA_FRAME_FIELD,
    0x02, 0x00, 0x0a, ...ascii('onMetaData'), // string "onMetaData"
    0x08, 0x00, 0x00, 0x00, 0x01, //            ECMA array, count 1
    0x00, 0x05, ...ascii('width'), //           key "width"
    0x00, 0x40, 0x94, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // number 1280
    0x00, 0x00, 0x09, //                        object end
  ];
  t.deepEqual([...encodeSetDataFrame({ width: 1280 })], expected);
  t.deepEqual([...encodeSetDataFrame(createAmfObject({ width: 1280 }))], expected);
  t.deepEqual([...encodeOnMetaData({ width: 1280 })], expected.slice(SET_DATA_FRAME_FIELD.length));
});

test('re-encoding the decoded ffmpeg metadata gives its bytes back', (t) => {
  const data = decodeOk(FFMPEG_SET_DATA_FRAME);
  if (data.kind !== 'setDataFrame') return t.fail(data.kind);
  t.deepEqual([...encodeSetDataFrame(data.metadataValue)], FFMPEG_SET_DATA_FRAME);
});

test('a metadata key __proto__ is plain data', (t) => {
  const bytes = [
    0x02, 0x00, 0x0a, ...ascii('onMetaData'), // string "onMetaData"
    0x08, 0x00, 0x00, 0x00, 0x01, //            ECMA array, count 1
    0x00, 0x09, ...ascii('__proto__'), //       key "__proto__"
    0x01, 0x01, //                              true
    0x00, 0x00, 0x09, //                        object end
  ];
  const data = decodeOk(bytes);
  if (data.kind !== 'onMetaData') return t.fail(data.kind);
  t.is(Object.getPrototypeOf(data.metadata), null);
  t.is(data.metadata['__proto__'], true);
});
