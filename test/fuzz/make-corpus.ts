/**
 * Writes the committed seed corpus, test/fuzz/corpus/<target>/*.bin, from real bytes (the ffmpeg and
 * nginx-rtmp captures in test/fixtures/captured, the codec samples in test/fixtures/codec) and from
 * hand-made inputs for what the captures lack (extended timestamps, aborts, E-RTMP headers, AMF3,
 * bad URLs, API bodies). Seeds only have to be interesting, not independent of src/, so messages are
 * cut out of the captures with our own chunk decoder and a few seeds use our encoders.
 * Run from the repository root after `npm run build:test`: node build-test/test/fuzz/make-corpus.js
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeAmf0 } from '../../src/rtmp/amf/amf0.js';
import { encodeAmf3 } from '../../src/rtmp/amf/amf3.js';
import { AmfEcmaArray, createAmfObject, AMF_CLASS_NAME } from '../../src/rtmp/amf/types.js';
import { ChunkDecoder } from '../../src/rtmp/chunk/decoder.js';
import { ChunkEncoder } from '../../src/rtmp/chunk/encoder.js';
import { buildConnect, buildCreateStream, buildDeleteStream, buildOnStatus, buildPlay, encodeCommand } from '../../src/rtmp/message/commands.js';
import type { RtmpMessage } from '../../src/rtmp/message/types.js';
import { readFlv } from '../helpers/flv-tags.js';
import { corpusDir } from './corpus.js';

const fixture = (...path: string[]): Buffer => readFileSync(join(process.cwd(), 'test', 'fixtures', ...path));
const bytes = (...values: number[]): Buffer => Buffer.from(values);
const text = (value: string): Buffer => Buffer.from(value, 'utf8');
const cat = (...parts: Buffer[]): Buffer => Buffer.concat(parts);
const u32 = (n: number): Buffer => bytes(n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff);

const corpus = new Map<string, Map<string, Buffer>>();
function add(target: string, name: string, input: Buffer): void {
  if (!corpus.has(target)) corpus.set(target, new Map());
  corpus.get(target)!.set(name, input);
}

// --- real bytes --------------------------------------------------------------------------------
const ffmpegC0C1 = fixture('captured', 'ffmpeg-c0c1.bin');
const ffmpegRest = fixture('captured', 'ffmpeg-c2-and-commands.bin');
const ffmpegChunks = ffmpegRest.subarray(1536); // after C2: connect … media, cut inside a message
const nginxS0S1S2 = fixture('captured', 'nginx-s0s1s2.bin');
const nginxChunks = fixture('captured', 'nginx-after-handshake.bin');

function messagesOf(chunks: Buffer): RtmpMessage[] {
  const out: RtmpMessage[] = [];
  new ChunkDecoder().push(chunks, out);
  return out;
}
const ffmpegMessages = messagesOf(ffmpegChunks);
const nginxMessages = messagesOf(nginxChunks);

// A simple-form C1: time 0, version 0 (no digest), a recognisable pattern.
const simpleC1 = cat(u32(0), u32(0), Buffer.from(Array.from({ length: 1528 }, (_, i) => (i * 7 + 1) & 0xff)));

// --- handshakes ----------------------------------------------------------------------------------
add('handshake-server', 'ffmpeg-c0c1c2-and-connect.bin', cat(ffmpegC0C1, ffmpegRest.subarray(0, 1536 + 64)));
add('handshake-server', 'ffmpeg-c0c1-only.bin', ffmpegC0C1);
add('handshake-server', 'simple-c0c1c2.bin', cat(bytes(3), simpleC1, simpleC1));
add('handshake-server', 'rtmpe-version-6.bin', bytes(6, 0, 0, 0, 0));
// What the client target's C1 is (time 1234, zero version, 0x5a filler), echoed by a simple server.
const clientC1 = cat(u32(1234), u32(0), Buffer.alloc(1528, 0x5a));
add('handshake-client', 'nginx-s0s1s2-and-first-message.bin', cat(nginxS0S1S2, nginxChunks.subarray(0, 16)));
add('handshake-client', 'simple-echo.bin', cat(bytes(3), simpleC1, clientC1));
add('handshake-client', 'short-s1.bin', cat(bytes(3), simpleC1.subarray(0, 700)));

// --- chunk streams (first byte: the target's flags) --------------------------------------------------
add('chunk-decoder', 'ffmpeg-publish.bin', cat(bytes(0), ffmpegChunks));
add('chunk-decoder', 'nginx-replies.bin', cat(bytes(0), nginxChunks));
add('chunk-decoder', 'nginx-replies-tight-limits.bin', cat(bytes(0x05), nginxChunks));
add(
  'chunk-decoder',
  'extended-timestamp-fmt3.bin',
  cat(
    bytes(0x00),
    bytes(0x04), bytes(0xff, 0xff, 0xff), bytes(0x00, 0x00, 0xc8), bytes(0x08), bytes(1, 0, 0, 0), u32(0x01000000), // fmt0 csid 4, ext ts, len 200, audio, stream 1
    Buffer.alloc(128, 0xa1),
    bytes(0xc4), u32(0x01000000), Buffer.alloc(72, 0xa2), // fmt 3 continuation repeating the extended timestamp
    bytes(0xc4), u32(0x00000028), Buffer.alloc(128, 0xa3), // fmt 3 starting a new message with a new extended value
    bytes(0xc4), Buffer.alloc(72, 0xa4), // continuation that omits it (librtmp 2.3)
  ),
);
add(
  'chunk-decoder',
  'set-chunk-size-abort-interleave.bin',
  cat(
    bytes(0x00),
    bytes(0x02), bytes(0, 0, 0), bytes(0, 0, 4), bytes(0x01), u32(0), u32(16), // Set Chunk Size 16 (stream id LE 0)
    bytes(0x06), bytes(0, 0, 0x28), bytes(0, 0, 40), bytes(0x09), bytes(1, 0, 0, 0), Buffer.alloc(16, 0xb1), // video 40 bytes, first chunk
    bytes(0x04), bytes(0, 0, 0x14), bytes(0, 0, 20), bytes(0x08), bytes(1, 0, 0, 0), Buffer.alloc(16, 0xc1), // audio interleaved
    bytes(0xc6), Buffer.alloc(16, 0xb2), bytes(0xc4), Buffer.alloc(4, 0xc2), bytes(0xc6), Buffer.alloc(8, 0xb3),
    bytes(0x46), bytes(0, 0, 0x21), bytes(0, 0, 40), bytes(0x09), Buffer.alloc(16, 0xb4), // fmt 1 on csid 6
    bytes(0x02), bytes(0, 0, 0), bytes(0, 0, 4), bytes(0x02), u32(0), u32(6), // Abort csid 6
    bytes(0x86), bytes(0, 0, 0x21), Buffer.alloc(16, 0xb5), // fmt 2 after the abort
  ),
);
add(
  'chunk-decoder',
  'wide-basic-headers.bin',
  cat(
    bytes(0x00),
    bytes(0x00, 0x00), bytes(0, 0, 1), bytes(0, 0, 3), bytes(0x12), u32(0), bytes(1, 2, 3), // csid 64 (2-byte form)
    bytes(0x01, 0xff, 0xff), bytes(0, 0, 2), bytes(0, 0, 2), bytes(0x14), u32(0), bytes(4, 5), // csid 65599 (3-byte form)
    bytes(0xc1, 0xff, 0xff), // fmt 3 on csid 65599: a new message of the same length
    bytes(6, 7),
  ),
);

// --- AMF, commands, data ---------------------------------------------------------------------------
const commandPayloads = [...ffmpegMessages, ...nginxMessages].filter((m) => m.typeId === 20);
const dataPayloads = ffmpegMessages.filter((m) => m.typeId === 18);
commandPayloads.forEach((m, i) => {
  const name = (m.payload.toString('latin1', 3, 3 + m.payload.readUInt16BE(1)) || 'command').replace(/[^A-Za-z_]/g, '');
  add('amf0', `captured-${i}-${name}.bin`, m.payload);
  add('command', `captured-${i}-${name}.bin`, m.payload);
});
dataPayloads.forEach((m, i) => {
  add('amf0', `captured-data-${i}.bin`, m.payload);
  add('data', `captured-setdataframe-${i}.bin`, m.payload);
  add('data', `captured-onmetadata-${i}.bin`, m.payload.subarray(16));
});
add('command', 'play.bin', buildPlay(4, 'live-key?token=1', -2000));
add('command', 'delete-stream.bin', buildDeleteStream(5, 1));
add('command', 'connect-enhanced-amf3.bin', buildConnect({ app: 'live', tcUrl: 'rtmp://h/live', fourCcList: ['hvc1', 'av01', 'Opus'], objectEncoding: 3 }));
add('command', 'onstatus-error.bin', buildOnStatus('error', 'NetStream.Publish.BadName', 'refused'));
add('command', 'amf3-switched-args.bin', cat(encodeCommand('publish', 5, null), bytes(0x11), encodeAmf3(['name', 7])));
const typed = createAmfObject({ a: 1, b: 'two' });
typed[AMF_CLASS_NAME] = 'flex.Typed';
add('amf0', 'every-marker.bin', cat(encodeAmf0([1.5, true, 'str', typed, null, undefined, new AmfEcmaArray([['k', 2]]), [1, 'x'], new Date(0), Buffer.from('ab')]), bytes(0x0c), u32(5), text('long!')));
add('amf0', 'reference-and-xml.bin', cat(encodeAmf0([createAmfObject({ x: 1 })]), bytes(0x07, 0x00, 0x00), bytes(0x0f), u32(3), text('<a/>').subarray(0, 3)));
add('amf0', 'nested-objects.bin', cat(...Array.from({ length: 40 }, () => bytes(0x03, 0x00, 0x01, 0x61)), bytes(0x05), ...Array.from({ length: 40 }, () => bytes(0, 0, 9))));
add('amf3', 'values.bin', encodeAmf3([0, -1, 0x0fffffff, -0x10000000, 1.5, 'text', true, null, undefined, new Date(86400000), Buffer.from([1, 2, 3]), [1, [2, [3]]], createAmfObject({ k: 'v', n: 2 }), new AmfEcmaArray([['a', 1]])]));
add(
  'amf3',
  'references-and-traits.bin',
  cat(
    bytes(0x0a, 0x13, 0x07), text('Pnt'), bytes(0x03), text('x'), bytes(0x04, 0x01), // sealed class Pnt {x}, x = 1
    bytes(0x0a, 0x01, 0x04, 0x02), // another Pnt by trait reference 0, x = 2
    bytes(0x0a, 0x02), // object reference 1
    bytes(0x06, 0x00), // string reference 0 ("Pnt")
    bytes(0x06, 0x02), // string reference 1 ("x")
    bytes(0x09, 0x05, 0x03), text('k'), bytes(0x06, 0x01), bytes(0x01), bytes(0x04, 0x05, 0x04, 0x06), // array, assoc k="", dense [5, 6]
    bytes(0x0c, 0x00), // byte-array as object reference 0
    bytes(0x07, 0x09), text('<a/>'), bytes(0x0b, 0x03), text('b'), bytes(0x08, 0x01), Buffer.alloc(8),
  ),
);
add('amf3', 'connect-object.bin', encodeAmf3([createAmfObject({ app: 'live', tcUrl: 'rtmp://h/live', fourCcList: ['hvc1'], objectEncoding: 3 })]));

// --- control (first byte: type id - 1) --------------------------------------------------------------
add('control', 'set-chunk-size-4096.bin', cat(bytes(0), u32(4096)));
add('control', 'abort-csid-4.bin', cat(bytes(1), u32(4)));
add('control', 'acknowledgement.bin', cat(bytes(2), u32(5_000_000)));
add('control', 'ping-request.bin', cat(bytes(3), bytes(0, 6), u32(123456)));
add('control', 'set-buffer-length.bin', cat(bytes(3), bytes(0, 3), u32(1), u32(3000)));
add('control', 'user-control-unknown-31.bin', cat(bytes(3), bytes(0, 31), u32(1)));
add('control', 'window-ack-size.bin', cat(bytes(4), u32(2_500_000)));
add('control', 'peer-bandwidth-dynamic.bin', cat(bytes(5), u32(5_000_000), bytes(2)));
for (const m of nginxMessages.filter((x) => x.typeId >= 1 && x.typeId <= 6)) add('control', `nginx-type-${m.typeId}.bin`, cat(bytes(m.typeId - 1), m.payload));

// --- media ---------------------------------------------------------------------------------------
const avcHigh = fixture('codec', 'avc-1280x720-high.avcC');
const avcBaseline = fixture('codec', 'avc-1920x1080-baseline.avcC');
const hvcc = fixture('codec', 'hevc-1920x1080-main.hvcC');
const av1c = fixture('codec', 'av1-640x360.av1C');
const asc = fixture('codec', 'aac-lc-44100-stereo.asc');
const opus = fixture('codec', 'opus-48000-stereo.opushead');
const flac = cat(bytes(0x10, 0x00, 0x10, 0x00), bytes(0, 0, 0x10, 0, 0, 0x10), bytes(0x0a, 0xc4, 0x42, 0xf0, 0, 0, 0, 0), Buffer.alloc(16)); // 44.1 kHz, 2 ch, 16 bit
const tinyFlv = fixture('codec', 'tiny-h264-aac.flv');
const flvTags = readFlv(tinyFlv).tags;
flvTags.filter((t) => t.type === 9).slice(0, 3).forEach((t, i) => add('flv-video', `tiny-flv-video-${i}.bin`, t.data));
flvTags.filter((t) => t.type === 8).slice(0, 3).forEach((t, i) => add('flv-audio', `tiny-flv-audio-${i}.bin`, t.data));
add('flv-video', 'avc-sequence-header.bin', cat(bytes(0x17, 0x00, 0, 0, 0), avcHigh));
add('flv-video', 'avc-inter-cts.bin', cat(bytes(0x27, 0x01, 0xff, 0xff, 0xf6), u32(3), bytes(0x41, 0x9a, 0x21)));
add('flv-video', 'ertmp-hevc-sequence-start.bin', cat(bytes(0x90), text('hvc1'), hvcc));
add('flv-video', 'ertmp-av1-sequence-start.bin', cat(bytes(0x90), text('av01'), av1c));
add('flv-video', 'ertmp-hevc-coded-frames.bin', cat(bytes(0x91), text('hvc1'), bytes(0, 0, 0x21), u32(2), bytes(0x26, 0x01)));
add('flv-video', 'ertmp-multitrack-many.bin', cat(bytes(0x96, 0x13), text('av01'), bytes(0), bytes(0, 0, 3), bytes(1, 2, 3), bytes(1), bytes(0, 0, 2), bytes(4, 5)));
add('flv-video', 'ertmp-multitrack-many-codecs.bin', cat(bytes(0x96, 0x20), text('avc1'), bytes(0, 0, 0, 4), bytes(0, 0, 0, 0), text('vp09'), bytes(1, 0, 0, 1), bytes(9)));
add('flv-video', 'ertmp-modex-nano.bin', cat(bytes(0x97), bytes(0x02), bytes(0x00, 0x01, 0x00), bytes(0x01), text('av01'), bytes(0x12, 0x00)));
add('flv-video', 'command-frame.bin', bytes(0x57, 0x01));
add('flv-audio', 'aac-sequence-header.bin', cat(bytes(0xaf, 0x00), asc));
add('flv-audio', 'aac-raw.bin', cat(bytes(0xaf, 0x01), Buffer.alloc(12, 0x21)));
add('flv-audio', 'mp3-classic.bin', cat(bytes(0x2f), bytes(0xff, 0xfb, 0x90, 0x64)));
add('flv-audio', 'ertmp-opus-sequence-start.bin', cat(bytes(0x90), text('Opus'), opus));
add('flv-audio', 'ertmp-flac-sequence-start.bin', cat(bytes(0x90), text('fLaC'), flac));
add('flv-audio', 'ertmp-multitrack.bin', cat(bytes(0x95, 0x11), text('Opus'), bytes(0), bytes(0, 0, 2), bytes(1, 2), bytes(1), bytes(0, 0, 1), bytes(3)));
add('flv-audio', 'silence.bin', Buffer.alloc(0));
[avcHigh, avcBaseline].forEach((record, i) => add('codec-config', `avcC-${i}.bin`, cat(bytes(0), record)));
add('codec-config', 'hvcC.bin', cat(bytes(1), hvcc));
add('codec-config', 'av1C.bin', cat(bytes(2), av1c));
add('codec-config', 'asc.bin', cat(bytes(3), asc));
add('codec-config', 'opus-head.bin', cat(bytes(4), opus));
add('codec-config', 'flac-streaminfo.bin', cat(bytes(5), flac));
add('flv-file', 'tiny-h264-aac.flv', tinyFlv);
add('flv-file', 'header-only.flv', cat(text('FLV'), bytes(1, 5), u32(9), u32(0)));

// --- sessions (first byte: the target's flags) ---------------------------------------------------------
function chunked(messages: ReadonlyArray<readonly [number, number, Buffer, number]>): Buffer {
  const encoder = new ChunkEncoder();
  return cat(...messages.flatMap(([csid, typeId, payload, streamId]) => encoder.encode({ typeId, timestamp: 0, streamId, payload }, csid)));
}
add('server-session', 'ffmpeg-publish-accepted.bin', cat(bytes(0x01), ffmpegChunks));
add('server-session', 'ffmpeg-publish-refused.bin', cat(bytes(0x00), ffmpegChunks));
add('server-session', 'ffmpeg-publish-tight-limits.bin', cat(bytes(0x31), ffmpegChunks));
const player = chunked([
  [3, 20, buildConnect({ app: 'live', tcUrl: 'rtmp://h/live' }), 0],
  [3, 20, buildCreateStream(2), 0],
  [2, 4, cat(bytes(0, 3), u32(1), u32(3000)), 0],
  [8, 20, buildPlay(0, 'key'), 1],
  [2, 4, cat(bytes(0, 6), u32(99)), 0],
  [3, 20, buildDeleteStream(3, 1), 0],
]);
add('server-session', 'player-accepted-ended.bin', cat(bytes(0x46), player));
add('server-session', 'player-refused.bin', cat(bytes(0x00), player));
add('client-session', 'nginx-accepts.bin', cat(bytes(0x04), nginxChunks));
add('client-session', 'nginx-accepts-enhanced.bin', cat(bytes(0x07), nginxChunks));
const refusal = chunked([
  [3, 20, encodeCommand('_result', 1, createAmfObject({ fmsVer: 'FMS/3,0,1,123' }), createAmfObject({ code: 'NetConnection.Connect.Success', level: 'status' })), 0],
  [3, 20, encodeCommand('_result', 4, null, 1), 0],
  [5, 20, buildOnStatus('error', 'NetStream.Publish.BadName', 'Stream already publishing'), 1],
]);
add('client-session', 'publish-refused.bin', cat(bytes(0x00), refusal));

// --- URLs and API bodies ------------------------------------------------------------------------------
const urls = [
  'rtmp://a.rtmp.youtube.com/live2\0abcd-efgh-ijkl-mnop', 'rtmp://b.rtmp.youtube.com/live2?backup=1\0abcd-efgh',
  'rtmps://live-api-s.facebook.com:443/rtmp/\0FB-1234?s_bl=1&s_sc=2&a=Abc', 'rtmp://[::1]:1935/app/inst\0k', 'rtmp://127.0.0.1:19350/live\0key',
  'RTMP://Host.Example/Live//x/\0key', 'rtmp://user:pass@host/live\0k', 'http://host/live\0k', 'rtmp://host:0/live\0k', 'rtmp://host\0k', 'rtmp:///live\0k',
];
urls.forEach((url, i) => add('rtmp-url', `url-${i}.bin`, text(url)));
const bodies: Array<[number, unknown]> = [
  [0, { name: 'Q3 Town Hall', type: 'townhall', scheduledStart: '2026-12-01T16:00:00Z', scheduledEnd: '2026-12-01T17:30:00+01:00' }],
  [0, { name: '  padded  ', id: 'evt_x' }],
  [1, { scheduledEnd: '2026-12-01T15:00:00.123456Z' }],
  [2, { systemName: 'YouTube backup', primaryUrl: 'rtmp://a.rtmp.youtube.com/live2', secondaryUrl: 'rtmp://b.rtmp.youtube.com/live2?backup=1', secondaryMode: 'failover', streamKey: 'abcd-efgh-ijkl-mnop', enabled: false }],
  [2, { systemName: 'facebook', primaryUrl: 'rtmps://live-api-s.facebook.com:443/rtmp/', streamKey: 'FB-1?s_bl=1&a=b' }],
  [3, { streamKey: '\u2022\u2022\u2022\u2022\u2022\u2022\u2022\u2022k3x9', enabled: true }],
  [3, { systemName: 'Facebook', secondaryUrl: null }],
  [4, {}],
];
bodies.forEach(([selector, body], i) => add('api-bodies', `body-${i}.bin`, cat(bytes(selector), text(JSON.stringify(body)))));
add('api-bodies', 'date-leap-day.bin', cat(bytes(5), text('2028-02-29T23:59:59.999-12:00')));
add('api-bodies', 'date-contract-example.bin', cat(bytes(5), text('2026-12-01T16:00:00Z')));

for (const [target, inputs] of corpus) {
  const dir = corpusDir(target);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  for (const [name, input] of inputs) writeFileSync(join(dir, name), input);
  console.log(`${target}: ${inputs.size} inputs, ${[...inputs.values()].reduce((n, b) => n + b.length, 0)} bytes`);
}
