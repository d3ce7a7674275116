// Hand-built FLV tag bodies as RTMP messages (independent of src/rtmp/flv), for relay unit tests.
import type { RtmpMessage } from '../../src/rtmp/message/types.js';

const latin1 = (text: string): number[] => [...Buffer.from(text, 'latin1')];

export const avcSequenceHeader = (timestamp = 0): RtmpMessage => ({
  typeId: 9,
  timestamp,
  streamId: 1,
  // 0x17 keyframe+AVC, 0x00 AVCPacketType sequence header, CTS 0, then a (truncated) avcC
  payload: Buffer.from([0x17, 0x00, 0x00, 0x00, 0x00, 0x01, 0x64, 0x00, 0x1f, 0xff]),
});

export const aacSequenceHeader = (timestamp = 0): RtmpMessage => ({
  typeId: 8,
  timestamp,
  streamId: 1,
  // 0xaf AAC 44 kHz 16-bit stereo, 0x00 AACPacketType sequence header, ASC 0x12 0x10 (LC, 44.1 kHz, 2 ch)
  payload: Buffer.from([0xaf, 0x00, 0x12, 0x10]),
});

/** SI24 big-endian: the composition time offset field of an AVC video tag. */
const si24 = (value: number): number[] => [(value >> 16) & 0xff, (value >> 8) & 0xff, value & 0xff];

export const keyframe = (timestamp: number, size = 100, cts = 0): RtmpMessage => ({
  typeId: 9,
  timestamp,
  streamId: 1,
  // 0x17 keyframe+AVC, 0x01 NALU, CTS (SI24), then filler
  payload: Buffer.concat([Buffer.from([0x17, 0x01, ...si24(cts)]), Buffer.alloc(size, 0x65)]),
});

export const interFrame = (timestamp: number, size = 50, cts = 0): RtmpMessage => ({
  typeId: 9,
  timestamp,
  streamId: 1,
  // 0x27 inter frame+AVC, 0x01 NALU, CTS (SI24)
  payload: Buffer.concat([Buffer.from([0x27, 0x01, ...si24(cts)]), Buffer.alloc(size, 0x41)]),
});

export const audioFrame = (timestamp: number, size = 20): RtmpMessage => ({
  typeId: 8,
  timestamp,
  streamId: 1,
  // 0xaf AAC, 0x01 raw
  payload: Buffer.concat([Buffer.from([0xaf, 0x01]), Buffer.alloc(size, 0x21)]),
});

export const setDataFrameMetadata = (timestamp = 0): RtmpMessage => ({
  typeId: 18,
  timestamp,
  streamId: 1,
  payload: Buffer.from([
    0x02, 0x00, 0x0d, ...latin1('@setDataFrame'), // string "@setDataFrame"
    0x02, 0x00, 0x0a, ...latin1('onMetaData'), // string "onMetaData"
    0x08, 0x00, 0x00, 0x00, 0x01, // ECMA array, 1 entry
    0x00, 0x05, ...latin1('width'), 0x00, 0x40, 0x84, 0x00, 0, 0, 0, 0, 0, // width: 640.0
    0x00, 0x00, 0x09, // object end
  ]),
});
