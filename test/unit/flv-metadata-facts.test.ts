import test from 'ava';
import fc from 'fast-check';
import { fourCcNumber } from '../../src/rtmp/flv/fourcc.js';
import { metadataFacts } from '../../src/rtmp/flv/metadata-facts.js';

test('OBS-style onMetaData (classic codec ids, stereo flag)', (t) => {
  t.deepEqual(
    metadataFacts({
      duration: 0,
      width: 1920,
      height: 1080,
      videodatarate: 6000,
      framerate: 30,
      videocodecid: 7,
      audiodatarate: 160,
      audiosamplerate: 48000,
      audiosamplesize: 16,
      stereo: true,
      audiocodecid: 10,
      encoder: 'obs-output module (libobs version 30.0.0)',
      filesize: 0,
    }),
    {
      width: 1920,
      height: 1080,
      frameRate: 30,
      videoCodec: 'h264',
      videoDataRateKbps: 6000,
      audioCodec: 'aac',
      audioSampleRate: 48000,
      audioChannels: 2,
      audioDataRateKbps: 160,
    },
  );
});

test('Enhanced RTMP onMetaData: FourCC codec ids as numbers or strings; legacy HEVC id 12', (t) => {
  t.like(metadataFacts({ videocodecid: fourCcNumber('hvc1'), audiocodecid: fourCcNumber('Opus') }), {
    videoCodec: 'hevc',
    audioCodec: 'opus',
  });
  t.like(metadataFacts({ videocodecid: 'av01', audiocodecid: 'mp4a' }), { videoCodec: 'av1', audioCodec: 'aac' });
  t.like(metadataFacts({ videocodecid: 12, stereo: false }), { videoCodec: 'hevc', audioChannels: 1 });
  t.like(metadataFacts({ audiochannels: 6, stereo: true }), { audioChannels: 6 });
});

test('missing, mistyped and absurd values become null', (t) => {
  t.deepEqual(
    metadataFacts({
      width: '1920',
      height: -1,
      framerate: Number.NaN,
      videocodecid: 99,
      audiocodecid: 'zzzz',
      audiosamplerate: Infinity,
      stereo: 'yes',
      videodatarate: 0,
    }),
    {
      width: null,
      height: null,
      frameRate: null,
      videoCodec: null,
      videoDataRateKbps: null,
      audioCodec: null,
      audioSampleRate: null,
      audioChannels: null,
      audioDataRateKbps: null,
    },
  );
  t.like(metadataFacts({ width: 70000, height: 65535 }), { width: null, height: 65535 });
  t.like(metadataFacts({ fps: 25 }), { frameRate: 25 });
});

test('property: any record of AMF-like values gives facts without throwing', (t) => {
  const value = fc.oneof(fc.double(), fc.string(), fc.boolean(), fc.constant(null), fc.integer());
  const keys = fc.constantFrom(
    ...['width', 'height', 'framerate', 'fps', 'videocodecid', 'audiocodecid'],
    ...['audiosamplerate', 'stereo', 'audiochannels', 'other'],
  );
  fc.assert(
    fc.property(fc.dictionary(keys, value), (meta) => {
      const facts = metadataFacts(meta);
      return Object.values(facts).every((v) => v === null || typeof v === 'number' || typeof v === 'string');
    }),
  );
  t.pass();
});
