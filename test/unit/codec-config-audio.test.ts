import test from 'ava';
import fc from 'fast-check';
import { RtmpError, type RtmpErrorCode } from '../../src/rtmp/errors.js';
import { classifyAudio, type AudioTagInfo } from '../../src/rtmp/flv/audio.js';
import { parseAudioSpecificConfig, parseFlacStreamInfo, parseOpusHead } from '../../src/rtmp/flv/audio-config.js';
import { audioCodecFacts } from '../../src/rtmp/flv/codec-config.js';
import { TestBitWriter, codecFixture } from './codec-config-helpers.js';

const asc: [string, number[], object][] = [
  // 00010 0100 0010 000 → AAC-LC (2), index 4 (44100), 2 channels
  ['AAC-LC 44.1 kHz stereo (0x12 0x10)', [0x12, 0x10], { objectType: 2, sampleRate: 44100, channels: 2, sbr: false }],
  // 00010 0011 0010 000 → AAC-LC, index 3 (48000), stereo
  ['AAC-LC 48 kHz stereo (0x11 0x90)', [0x11, 0x90], { objectType: 2, sampleRate: 48000, channels: 2 }],
  // 00010 0110 0001 000 → AAC-LC, index 6 (24000), mono
  ['AAC-LC 24 kHz mono (0x13 0x08)', [0x13, 0x08], { objectType: 2, sampleRate: 24000, channels: 1 }],
  // 00001 0100 0111 → AAC Main, 44100, config 7 = 7.1 (8 channels)
  ['AAC Main 7.1 (config 7 is 8 channels)', [0x0a, 0x38], { objectType: 1, sampleRate: 44100, channels: 8 }],
  // 00101 0110 0010 | 0011 | 00010 000 → explicit SBR (5), core 24000, stereo, extension 48000, core AAC-LC
  ['HE-AAC explicit SBR: the extension rate wins', [0x2b, 0x11, 0x88, 0x00], { objectType: 2, sampleRate: 48000, channels: 2, sbr: true }],
  // 00010 1111 + 24-bit 0x00bb80 (48000) + 0001 → explicit frequency
  ['explicit 24-bit sampling frequency', [0x17, 0x80, 0x5d, 0xc0, 0x08], { sampleRate: 48000, channels: 1 }],
  // 11111 000011 0100 0010 → escape: object type 32 + 3 = 35, 44100, stereo
  ['object type escape (31 → 32 + 6 bits)', [0xf8, 0x68, 0x40], { objectType: 35, sampleRate: 44100, channels: 2 }],
  // 00010 0100 0000 → channel configuration 0: defined by a program config element
  ['channel configuration 0 → channels null', [0x12, 0x00], { channels: null }],
];
for (const [name, bytes, expected] of asc) {
  test(`AudioSpecificConfig: ${name}`, (t) => {
    t.like(parseAudioSpecificConfig(Buffer.from(bytes)), { codec: 'aac', ...expected });
  });
}

test('AudioSpecificConfig: ffmpeg sample with a sync extension after the core fields', (t) => {
  // 12 10 | 56 e5 00: syncExtensionType 0x2b7, SBR object type, sbrPresentFlag 0 (ignored here)
  t.deepEqual(parseAudioSpecificConfig(codecFixture('aac-lc-44100-stereo.asc')), {
    codec: 'aac',
    objectType: 2,
    sampleRate: 44100,
    channels: 2,
    sbr: false,
  });
});

const badAsc: [string, number[], RtmpErrorCode][] = [
  ['reserved frequency index 13', [0x16, 0x90], 'ERR_RTMP_CODEC_CONFIG'], // 00010 1101 0010
  ['channel configuration 8 (reserved)', [0x12, 0x40], 'ERR_RTMP_CODEC_CONFIG'], // 00010 0100 1000
  ['object type 0', [0x02, 0x10], 'ERR_RTMP_CODEC_CONFIG'],
  ['one byte', [0x12], 'ERR_RTMP_TRUNCATED'],
  ['empty', [], 'ERR_RTMP_TRUNCATED'],
];
for (const [name, bytes, code] of badAsc) {
  test(`AudioSpecificConfig refused: ${name}`, (t) => {
    t.is((parseAudioSpecificConfig(Buffer.from(bytes)) as RtmpError).code, code);
  });
}

/*
 * opus-48000-stereo.opushead (libopus via ffmpeg's Ogg muxer):
 *   4f 70 75 73 48 65 61 64  "OpusHead"
 *   01                       version 1
 *   02                       2 channels
 *   38 01                    pre-skip 312 (LE)
 *   80 bb 00 00              input sample rate 48000 (LE)
 *   00 00                    output gain 0
 *   00                       channel mapping family 0
 */
test('OpusHead from libopus', (t) => {
  const head = codecFixture('opus-48000-stereo.opushead');
  t.deepEqual(parseOpusHead(head), { codec: 'opus', sampleRate: 48000, inputSampleRate: 48000, channels: 2 });
  for (let length = 0; length < head.length; length++) {
    t.is((parseOpusHead(head.subarray(0, length)) as RtmpError).code, 'ERR_RTMP_TRUNCATED');
  }
  const wrongMagic = Buffer.from(head);
  wrongMagic[0] = 0x6f;
  t.is((parseOpusHead(wrongMagic) as RtmpError).code, 'ERR_RTMP_CODEC_CONFIG');
  const version2 = Buffer.from(head);
  version2[8] = 0x10; // major version 1: incompatible
  t.is((parseOpusHead(version2) as RtmpError).code, 'ERR_RTMP_CODEC_CONFIG');
});

/** "fLaC", a last-block STREAMINFO header, and STREAMINFO for 96 kHz, 6 channels, 24-bit. */
function flacHeader(): Buffer {
  const info = new TestBitWriter()
    .u(16, 4096)
    .u(16, 4096) // min/max block size
    .u(24, 0)
    .u(24, 0) // min/max frame size
    .u(20, 96000)
    .u(3, 5) // channels - 1
    .u(5, 23) // bits per sample - 1
    .u(32, 0)
    .u(4, 0) // 36-bit total samples
    .bytes();
  return Buffer.concat([Buffer.from('fLaC'), Buffer.from([0x80, 0x00, 0x00, 0x22]), info, Buffer.alloc(16)]);
}

test('FLAC STREAMINFO', (t) => {
  const header = flacHeader();
  t.deepEqual(parseFlacStreamInfo(header), { codec: 'flac', sampleRate: 96000, channels: 6, bitDepth: 24 });
  t.is((parseFlacStreamInfo(header.subarray(0, 25)) as RtmpError).code, 'ERR_RTMP_TRUNCATED');
  const notStreamInfo = Buffer.from(header);
  notStreamInfo[4] = 0x84; // block type 4 (VORBIS_COMMENT) first
  t.is((parseFlacStreamInfo(notStreamInfo) as RtmpError).code, 'ERR_RTMP_CODEC_CONFIG');
});

test('property: random bytes never make the audio parsers throw', (t) => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 48 }), (bytes) => {
      const buffer = Buffer.from(bytes);
      return [parseAudioSpecificConfig(buffer), parseOpusHead(buffer), parseFlacStreamInfo(buffer)].every(
        (result) => result instanceof RtmpError || result.sampleRate > 0,
      );
    }),
    { numRuns: 10000 },
  );
  t.pass();
});

const facts = (payload: Buffer) => audioCodecFacts(payload, classifyAudio(payload) as AudioTagInfo);

test('audioCodecFacts: AAC sequence header, E-RTMP Opus and FLAC, classic header bits, and nothing for raw AAC', (t) => {
  t.like(facts(Buffer.from([0xaf, 0x00, 0x11, 0x90])), { codec: 'aac', sampleRate: 48000, channels: 2 });
  const opus = Buffer.concat([Buffer.from([0x90]), Buffer.from('Opus'), codecFixture('opus-48000-stereo.opushead')]);
  t.like(facts(opus), { codec: 'opus', channels: 2 });
  const flac = Buffer.concat([Buffer.from([0x90]), Buffer.from('fLaC'), flacHeader()]);
  t.like(facts(flac), { codec: 'flac', sampleRate: 96000 });
  t.deepEqual(facts(Buffer.from([0x2e, 0xff, 0xfb])), { codec: 'mp3', sampleRate: 44100, channels: 1 });
  t.is(facts(Buffer.from([0xaf, 0x01, 0x21])), null);
  t.is(facts(Buffer.from([0x91, 0x4f, 0x70, 0x75, 0x73, 0xfc])), null, 'enhanced coded frames say nothing');
  t.is((facts(Buffer.from([0xaf, 0x00, 0x12])) as RtmpError).code, 'ERR_RTMP_TRUNCATED');
});
