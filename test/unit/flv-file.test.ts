import test from 'ava';
import fc from 'fast-check';
import { RtmpError } from '../../src/rtmp/errors.js';
import { FlvWriter, readFlv, readFlvHeader, writeFlv, type FlvTag } from '../../src/rtmp/flv/flv-file.js';
import { codecFixture } from './codec-config-helpers.js';

// A two-tag file written by hand.
const SMALL_FLV = Buffer.from([
  0x46, 0x4c, 0x56, //       "FLV"
  0x01, //                   version 1
  0x05, //                   flags: audio (0x04) | video (0x01)
  0x00, 0x00, 0x00, 0x09, // header size 9
  0x00, 0x00, 0x00, 0x00, // PreviousTagSize0 = 0
  // tag 1: video
  0x09, //                   tag type 9 (video), no filter bit
  0x00, 0x00, 0x02, //       data size 2
  0x00, 0x00, 0x21, //       timestamp 33 (low 24 bits)
  0x00, //                   timestamp extended (high 8 bits)
  0x00, 0x00, 0x00, //       stream id 0
  0x17, 0x02, //             data: AVC keyframe, end of sequence (cut short: the reader does not care)
  0x00, 0x00, 0x00, 0x0d, // PreviousTagSize = 11 + 2
  // tag 2: audio at 2^24 + 1 ms, which needs the extended byte
  0x08, //                   tag type 8 (audio)
  0x00, 0x00, 0x01, //       data size 1
  0x00, 0x00, 0x01, //       timestamp low 24 bits = 1
  0x01, //                   extended: 1 << 24
  0x00, 0x00, 0x00, //       stream id 0
  0xaf, //                   data
  0x00, 0x00, 0x00, 0x0c, // PreviousTagSize = 11 + 1
]);

test('reads a hand-written FLV: header flags, tags, the extended timestamp byte', (t) => {
  t.deepEqual(readFlvHeader(SMALL_FLV), { version: 1, hasAudio: true, hasVideo: true, headerSize: 9 });
  const tags = readFlv(SMALL_FLV);
  if (tags instanceof RtmpError) return t.fail(tags.message);
  t.deepEqual(
    tags.map((tag) => [tag.type, tag.timestamp, [...tag.data]]),
    [
      [9, 33, [0x17, 0x02]],
      [8, 0x1000001, [0xaf]],
    ],
  );
  t.is(tags[0]!.data.buffer, SMALL_FLV.buffer, 'tag bodies are views');
});

test('writeFlv reproduces the hand-written bytes', (t) => {
  const tags = readFlv(SMALL_FLV) as FlvTag[];
  t.deepEqual(writeFlv(tags), SMALL_FLV);
});

test('the ffmpeg fixture reads and writes back byte for byte', (t) => {
  const file = codecFixture('tiny-h264-aac.flv');
  const tags = readFlv(file);
  if (tags instanceof RtmpError) return t.fail(tags.message);
  t.is(tags[0]!.type, 18, 'onMetaData first');
  t.true(tags.some((tag) => tag.type === 9) && tags.some((tag) => tag.type === 8));
  t.deepEqual(writeFlv(tags, { hasAudio: true, hasVideo: true }), file);
});

test('every prefix of a file is an RtmpError unless it ends at a tag boundary; never a throw', (t) => {
  const file = codecFixture('tiny-h264-aac.flv');
  const complete = new Set<number>();
  let at = 9 + 4;
  complete.add(at);
  while (at < file.length) {
    at += 11 + file.readUIntBE(at + 1, 3) + 4;
    complete.add(at);
  }
  for (let length = 0; length < file.length; length++) {
    const result = readFlv(file.subarray(0, length));
    if (complete.has(length)) {
      t.false(result instanceof RtmpError, `prefix ${length}`);
    } else if (!(result instanceof RtmpError) || result.code !== 'ERR_RTMP_TRUNCATED') {
      return t.fail(`prefix ${length}: ${result instanceof RtmpError ? result.code : 'parsed'}`);
    }
  }
});

const corrupt: [string, (file: Buffer) => void][] = [
  ['signature', (f) => (f[0] = 0x47)],
  ['version 2', (f) => (f[3] = 2)],
  ['header size 8', (f) => f.writeUInt32BE(8, 5)],
  ['PreviousTagSize0 not 0', (f) => (f[12] = 1)],
  ['PreviousTagSize after a tag', (f) => (f[29] = 0x0e)],
  ['encrypted (filter bit)', (f) => (f[13] = 0x29)],
  ['unknown tag type 10', (f) => (f[13] = 0x0a)],
  ['reserved bits set', (f) => (f[13] = 0x49)],
  ['stream id 1', (f) => (f[23] = 1)],
];
for (const [name, mutate] of corrupt) {
  test(`refused with ERR_RTMP_FLV: ${name}`, (t) => {
    const file = Buffer.from(SMALL_FLV);
    mutate(file);
    t.is((readFlv(file) as RtmpError).code, 'ERR_RTMP_FLV');
  });
}

test('a larger header size is honoured (extra header bytes skipped)', (t) => {
  const file = Buffer.concat([SMALL_FLV.subarray(0, 9), Buffer.from([0xee, 0xee]), SMALL_FLV.subarray(9)]);
  file.writeUInt32BE(11, 5);
  t.is((readFlv(file) as FlvTag[]).length, 2);
});

test('FlvWriter: tag before header refused; 24-bit size limit at its edge', (t) => {
  const writer = new FlvWriter({ hasAudio: false, hasVideo: true });
  t.is((writer.tag({ type: 9, timestamp: 0, data: Buffer.alloc(1) }) as RtmpError).code, 'ERR_RTMP_FLV');
  t.is(writer.header().length, 13);
  const atLimit = writer.tag({ type: 9, timestamp: 0, data: Buffer.alloc(0xffffff) });
  t.is((atLimit as Buffer).length, 11 + 0xffffff + 4);
  t.is((writer.tag({ type: 9, timestamp: 0, data: Buffer.alloc(0x1000000) }) as RtmpError).code, 'ERR_RTMP_FLV');
});

test('property: writeFlv then readFlv round-trips any tags', (t) => {
  const tag = fc.record({
    type: fc.constantFrom(8 as const, 9 as const, 18 as const),
    timestamp: fc.nat({ max: 0xffffffff }),
    data: fc.uint8Array({ maxLength: 40 }).map((bytes) => Buffer.from(bytes)),
  });
  fc.assert(
    fc.property(fc.array(tag, { maxLength: 8 }), (tags) => {
      const file = writeFlv(tags);
      if (file instanceof RtmpError) return false;
      const back = readFlv(file);
      if (back instanceof RtmpError) return false;
      return (
        back.length === tags.length &&
        back.every((b, i) => {
          const tag = tags[i]!;
          return b.type === tag.type && b.timestamp === tag.timestamp && b.data.equals(tag.data);
        })
      );
    }),
  );
  t.pass();
});

test('property: random bytes after a valid header never throw', (t) => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
      const result = readFlv(Buffer.concat([SMALL_FLV.subarray(0, 13), Buffer.from(bytes)]));
      return result instanceof RtmpError || Array.isArray(result);
    }),
    { numRuns: 5000 },
  );
  t.pass();
});
