import test from 'ava';
import fc from 'fast-check';
import { RtmpError, type RtmpErrorCode } from '../../src/rtmp/errors.js';
import { classifyAudio, type AudioTagInfo } from '../../src/rtmp/flv/audio.js';

interface Fixture {
  readonly name: string;
  readonly bytes: number[];
  readonly minLength: number;
  readonly alsoCompleteAt?: readonly number[];
  readonly expect: Partial<AudioTagInfo>;
}

// FourCCs: 'mp4a' 6d 70 34 61, 'Opus' 4f 70 75 73, 'fLaC' 66 4c 61 43, 'ac-3' 61 63 2d 33, 'ec-3' 65 63 2d 33, '.mp3' 2e 6d 70 33.
const fixtures: Fixture[] = [
  {
    name: 'classic AAC sequence header (AAC-LC 44.1 kHz stereo)',
    bytes: [
      0xaf, //       format 10 AAC | rate 3 (44 kHz) | 16-bit | stereo
      0x00, //       AACPacketType 0: sequence header
      0x12, 0x10, // AudioSpecificConfig
    ],
    minLength: 2,
    expect: {
      codec: 'aac', enhanced: false, soundFormat: 10, packetType: 'sequence-start', isSequenceHeader: true,
      soundRate: 44100, soundSize: 16, soundChannels: 2, dataOffset: 2, dataLength: 2,
    },
  },
  {
    name: 'classic AAC raw frame',
    bytes: [0xaf, 0x01, 0x21, 0x10, 0x04], // AAC, AACPacketType 1 raw, frame data
    minLength: 2,
    expect: { codec: 'aac', packetType: 'coded-frames', isSequenceHeader: false, dataOffset: 2, dataLength: 3 },
  },
  {
    name: 'classic MP3 22 kHz mono 16-bit',
    bytes: [0x2a, 0xff, 0xfb], // format 2 MP3 | rate 2 (22 kHz) | 16-bit | mono; MPEG frame sync
    minLength: 1,
    expect: {
      codec: 'mp3', soundFormat: 2, soundRate: 22050, soundSize: 16, soundChannels: 1, dataOffset: 1, dataLength: 2,
    },
  },
  {
    name: 'classic Speex (always 16 kHz mono)',
    bytes: [0xb2, 0x00], // format 11 | rate bits 0 (ignored for Speex) | 16-bit | mono
    minLength: 1,
    expect: { codec: 'speex', soundRate: 16000, soundChannels: 1 },
  },
  {
    name: 'classic MP3 8 kHz',
    bytes: [0xe2, 0xff], // format 14 | rate bits 0 | 16-bit | mono
    minLength: 1,
    expect: { codec: 'mp3', soundFormat: 14, soundRate: 8000 },
  },
  {
    name: 'classic G.711 A-law 5.5 kHz 8-bit mono',
    bytes: [0x70, 0xd5], // format 7 | rate 0 | 8-bit | mono
    minLength: 1,
    expect: { codec: 'g711a', soundRate: 5512, soundSize: 8, soundChannels: 1 },
  },
  {
    name: 'enhanced Opus SequenceStart',
    bytes: [
      0x90, //                 format 9 ExHeader | packet type 0 SequenceStart
      0x4f, 0x70, 0x75, 0x73, // 'Opus'
      0x4f, 0x70, 0x75, 0x73, 0x48, 0x65, 0x61, 0x64, // "OpusHead"...
    ],
    minLength: 5,
    expect: {
      codec: 'opus', enhanced: true, soundFormat: null, fourCc: 'Opus', isSequenceHeader: true, soundRate: null,
      dataOffset: 5, dataLength: 8,
    },
  },
  {
    name: 'enhanced mp4a CodedFrames',
    bytes: [0x91, 0x6d, 0x70, 0x34, 0x61, 0x21], // ExHeader | CodedFrames; 'mp4a'; raw AAC
    minLength: 5,
    expect: { codec: 'aac', fourCc: 'mp4a', packetType: 'coded-frames', dataOffset: 5, dataLength: 1 },
  },
  {
    name: 'enhanced fLaC SequenceEnd',
    bytes: [0x92, 0x66, 0x4c, 0x61, 0x43], // ExHeader | SequenceEnd; 'fLaC'
    minLength: 5,
    expect: { codec: 'flac', isSequenceEnd: true },
  },
  {
    name: 'enhanced ec-3 MultichannelConfig',
    bytes: [0x94, 0x65, 0x63, 0x2d, 0x33, 0x01, 0x06, 0x00, 0x00, 0x00, 0x3f], // 'ec-3'; Native order, 6 ch, mask
    minLength: 5,
    expect: { codec: 'eac3', packetType: 'multichannel-config', isSequenceHeader: false },
  },
  {
    name: 'enhanced .mp3 and ac-3 are known FourCCs',
    bytes: [0x91, 0x2e, 0x6d, 0x70, 0x33], // ExHeader | CodedFrames; '.mp3'
    minLength: 5,
    expect: { codec: 'mp3', fourCc: '.mp3' },
  },
  {
    name: 'ModEx TimestampOffsetNano before CodedFrames',
    bytes: [
      0x97, //                 ExHeader | ModEx
      0x02, 0x00, 0x01, 0x00, // size 3: 256 ns
      0x01, //                 TimestampOffsetNano | CodedFrames
      0x4f, 0x70, 0x75, 0x73, // 'Opus'
      0xfc, //                 data
    ],
    minLength: 10,
    expect: { codec: 'opus', timestampOffsetNano: 256, packetType: 'coded-frames', dataOffset: 10, dataLength: 1 },
  },
  {
    name: 'Multitrack OneTrack ac-3',
    bytes: [0x95, 0x01, 0x61, 0x63, 0x2d, 0x33, 0x04, 0x0b, 0x77], // ExHeader | Multitrack; OneTrack | CodedFrames; 'ac-3'; track 4; data
    minLength: 7,
    expect: { codec: 'ac3', multitrack: 'one-track', dataOffset: 7, dataLength: 2 },
  },
  {
    name: 'Multitrack ManyTracksManyCodecs SequenceStart: mp4a and Opus',
    bytes: [
      0x95, //                 ExHeader | Multitrack (5)
      0x20, //                 ManyTracksManyCodecs | SequenceStart
      0x6d, 0x70, 0x34, 0x61, 0x00, 0x00, 0x00, 0x02, 0x12, 0x10, // 'mp4a', track 0, size 2, ASC
      0x4f, 0x70, 0x75, 0x73, 0x01, 0x00, 0x00, 0x01, 0x4f, //       'Opus', track 1, size 1
    ],
    minLength: 21,
    alsoCompleteAt: [12],
    expect: {
      codec: 'aac', multitrack: 'many-tracks-many-codecs', isSequenceHeader: true, dataOffset: 10, dataLength: 2,
    },
  },
];

for (const fixture of fixtures) {
  test(`classify: ${fixture.name}`, (t) => {
    const info = classifyAudio(Buffer.from(fixture.bytes));
    if (info instanceof RtmpError) return t.fail(info.message);
    t.like(info, fixture.expect);
  });

  test(`truncated at every offset: ${fixture.name}`, (t) => {
    const whole = Buffer.from(fixture.bytes);
    const full = classifyAudio(whole) as AudioTagInfo;
    for (let length = 1; length < whole.length; length++) {
      const result = classifyAudio(whole.subarray(0, length));
      if (length < fixture.minLength && !fixture.alsoCompleteAt?.includes(length)) {
        t.is((result as RtmpError).code, 'ERR_RTMP_TRUNCATED', `prefix ${length}`);
      } else {
        if (result instanceof RtmpError) return t.fail(`prefix ${length}: ${result.message}`);
        t.is(result.packetType, full.packetType);
      }
    }
  });
}

test('an empty audio message is the documented silence message', (t) => {
  t.like(classifyAudio(Buffer.alloc(0)), { packetType: 'silence', codec: 'unknown', dataLength: 0 });
});

test('multitrack audio tracks keep their own codec', (t) => {
  const info = classifyAudio(Buffer.from(fixtures.at(-1)!.bytes));
  if (info instanceof RtmpError) return t.fail(info.message);
  t.deepEqual(info.tracks, [
    { trackId: 0, codec: 'aac', fourCc: 'mp4a', dataOffset: 10, dataLength: 2 },
    { trackId: 1, codec: 'opus', fourCc: 'Opus', dataOffset: 20, dataLength: 1 },
  ]);
});

const invalid: [string, number[], RtmpErrorCode][] = [
  ['AACPacketType 2', [0xaf, 0x02], 'ERR_RTMP_FLV'],
  ['reserved AudioPacketType 3', [0x93, 0x4f, 0x70, 0x75, 0x73], 'ERR_RTMP_FLV'],
  ['reserved AudioPacketType 6', [0x96, 0x4f, 0x70, 0x75, 0x73], 'ERR_RTMP_FLV'],
  ['Multitrack inside Multitrack', [0x95, 0x05, 0x4f, 0x70, 0x75, 0x73, 0x00], 'ERR_RTMP_FLV'],
  ['ModEx with no room for its data', [0x97, 0x05, 0x00], 'ERR_RTMP_TRUNCATED'],
  ['ManyTracks track overruns', [0x95, 0x11, 0x4f, 0x70, 0x75, 0x73, 0x00, 0x00, 0x00, 0x05, 0x01], 'ERR_RTMP_TRUNCATED'],
];
for (const [name, bytes, code] of invalid) {
  test(`refused: ${name}`, (t) => {
    t.is((classifyAudio(Buffer.from(bytes)) as RtmpError).code, code);
  });
}

test('maxTracks applies to audio: the limit accepted, one more refused', (t) => {
  const build = (count: number): Buffer => {
    const tracks = Array.from({ length: count }, (_, i) => [i, 0, 0, 1, 0xfc]).flat(); // id, size 1, data
    return Buffer.from([0x95, 0x11, 0x4f, 0x70, 0x75, 0x73, ...tracks]); // Multitrack ManyTracks 'Opus'
  };
  t.is((classifyAudio(build(4), { maxTracks: 4 }) as AudioTagInfo).tracks?.length, 4);
  t.is((classifyAudio(build(5), { maxTracks: 4 }) as RtmpError).code, 'ERR_RTMP_FLV');
  t.is((classifyAudio(build(32)) as AudioTagInfo).tracks?.length, 32);
  t.is((classifyAudio(build(33)) as RtmpError).code, 'ERR_RTMP_FLV');
});

test('property: random bytes never throw, and any result stays inside the payload', (t) => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
      const result = classifyAudio(Buffer.from(bytes));
      if (result instanceof RtmpError) return result.code.startsWith('ERR_RTMP_');
      return result.dataOffset >= 0 && result.dataOffset + result.dataLength <= bytes.length;
    }),
    { numRuns: 20000 },
  );
  t.pass();
});
