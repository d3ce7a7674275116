/**
 * Media classification without decoding media: classic and Enhanced RTMP (FourCC, ModEx,
 * multitrack) video and audio headers, the codec configuration records behind sequence headers,
 * and whole FLV files. Oracles: only coded errors; every offset and length stays inside the
 * payload; the flags agree with the packet kind; facts are finite, non-negative numbers (they go
 * to the status JSON); a second classification of the same bytes gives the same answer; an FLV
 * file read and written back reads the same.
 */
import { RtmpError } from '../../../src/rtmp/errors.js';
import { parseAudioSpecificConfig, parseFlacStreamInfo, parseOpusHead } from '../../../src/rtmp/flv/audio-config.js';
import { classifyAudio, type AudioTagInfo } from '../../../src/rtmp/flv/audio.js';
import { parseAv1CodecConfig } from '../../../src/rtmp/flv/av1-config.js';
import { parseAvcDecoderConfig } from '../../../src/rtmp/flv/avc-config.js';
import { audioCodecFacts, videoCodecFacts } from '../../../src/rtmp/flv/codec-config.js';
import { readFlv, writeFlv } from '../../../src/rtmp/flv/flv-file.js';
import { parseHevcDecoderConfig } from '../../../src/rtmp/flv/hevc-config.js';
import { classifyVideo, type VideoTagInfo } from '../../../src/rtmp/flv/video.js';
import { decodeData } from '../../../src/rtmp/message/data.js';
import { check, type FuzzTarget } from '../harness.js';
import { checkRtmpError, hash32, isU32, tokens } from './common.js';

const inside = (offset: number, length: number, total: number): boolean =>
  Number.isInteger(offset) && Number.isInteger(length) && offset >= 0 && length >= 0 && offset + length <= total;

/** Codec facts are shown as JSON numbers: they must be finite and not negative. */
function checkFacts(facts: object | RtmpError | null, where: string): string {
  if (facts === null) return 'none';
  if (facts instanceof RtmpError) {
    checkRtmpError(facts, where);
    return facts.code;
  }
  for (const [key, value] of Object.entries(facts)) {
    if (typeof value === 'number') check(Number.isFinite(value) && value >= 0, `${where}: ${key} = ${value}`);
  }
  return 'facts';
}

const ENHANCED_FLAG = tokens([0x90], [0x91], [0x96], [0x97], [0x95], [0x1d], [0x2f]);
const FOURCCS = tokens('avc1', 'hvc1', 'av01', 'vp09', 'vvc1', 'Opus', 'fLaC', 'mp4a', '.mp3', 'ac-3', 'ec-3');

function checkVideo(info: VideoTagInfo, payload: Buffer, maxTracks: number): void {
  const where = 'classifyVideo';
  check(inside(info.dataOffset, info.dataLength, payload.length), `${where}: data ${info.dataOffset}+${info.dataLength} outside ${payload.length} bytes`);
  check(Number.isInteger(info.frameType) && info.frameType >= 0 && info.frameType <= 7, `${where}: frame type ${info.frameType}`);
  check(Number.isInteger(info.compositionTime) && Math.abs(info.compositionTime) <= 0x800000, `${where}: composition time ${info.compositionTime}`);
  check(info.enhanced === ((payload[0]! & 0x80) !== 0), `${where}: enhanced flag disagrees with the first byte`);
  check(!info.isKeyframe || info.packetType === 'coded-frames', `${where}: a keyframe that is not coded frames`);
  check(info.isSequenceHeader === (info.packetType === 'sequence-start' || info.packetType === 'mpeg2ts-sequence-start'), `${where}: sequence flag`);
  if (info.tracks !== null) {
    check(info.tracks.length >= 1 && info.tracks.length <= maxTracks, `${where}: ${info.tracks.length} tracks (max ${maxTracks})`);
    for (const track of info.tracks) {
      check(inside(track.dataOffset, track.dataLength, payload.length), `${where}: track ${track.trackId} data outside the payload`);
      check(Number.isInteger(track.trackId) && track.trackId >= 0 && track.trackId <= 255, `${where}: track id ${track.trackId}`);
    }
  }
}

function checkAudio(info: AudioTagInfo, payload: Buffer, maxTracks: number): void {
  const where = 'classifyAudio';
  check(inside(info.dataOffset, info.dataLength, payload.length), `${where}: data ${info.dataOffset}+${info.dataLength} outside ${payload.length} bytes`);
  check(info.isSequenceHeader === (info.packetType === 'sequence-start'), `${where}: sequence flag`);
  check(info.isSequenceEnd === (info.packetType === 'sequence-end'), `${where}: sequence end flag`);
  if (!info.enhanced && info.packetType !== 'silence') {
    check(typeof info.soundRate === 'number' && info.soundRate > 0, `${where}: classic sound rate ${String(info.soundRate)}`);
    check(info.soundChannels === 1 || info.soundChannels === 2, `${where}: classic channels ${String(info.soundChannels)}`);
  }
  if (info.tracks !== null) {
    check(info.tracks.length >= 1 && info.tracks.length <= maxTracks, `${where}: ${info.tracks.length} tracks (max ${maxTracks})`);
    for (const track of info.tracks) check(inside(track.dataOffset, track.dataLength, payload.length), `${where}: track ${track.trackId} data outside`);
  }
}

/** Field by field (tracks as JSON): cheap enough to ask for every input. */
function sameInfo(a: object | RtmpError, b: object): boolean {
  if (a instanceof RtmpError) return false;
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  const keys = Object.keys(y);
  return keys.length === Object.keys(x).length && keys.every((k) => (k === 'tracks' ? JSON.stringify(x[k]) === JSON.stringify(y[k]) : x[k] === y[k]));
}
const MAX_TRACKS = [32, 2] as const;

export const flvVideoTarget: FuzzTarget = {
  name: 'flv-video',
  description: 'classifyVideo (classic and E-RTMP) and videoCodecFacts on its sequence headers',
  maxInputLength: 4096,
  dictionary: [...ENHANCED_FLAG, ...FOURCCS, ...tokens([0x17, 0x00, 0, 0, 0], [0x17, 0x01], [0x1c, 0x00], [0x06], [0x07, 0x00], [0x00, 0x00, 0x00, 0x01])],
  run(input: Buffer): string {
    const maxTracks = MAX_TRACKS[hash32(input) & 1]!;
    const info = classifyVideo(input, { maxTracks });
    if (info instanceof RtmpError) {
      checkRtmpError(info, 'classifyVideo');
      return info.code;
    }
    checkVideo(info, input, maxTracks);
    check(sameInfo(classifyVideo(input, { maxTracks }), info), 'classifyVideo gave another answer the second time');
    const facts = checkFacts(videoCodecFacts(input, info), 'videoCodecFacts');
    return `${info.codec}|${info.packetType}|${info.multitrack ?? '-'}|${facts}`;
  },
};

export const flvAudioTarget: FuzzTarget = {
  name: 'flv-audio',
  description: 'classifyAudio (classic and E-RTMP) and audioCodecFacts',
  maxInputLength: 4096,
  dictionary: [...ENHANCED_FLAG, ...FOURCCS, ...tokens([0xaf, 0x00], [0xaf, 0x01], [0x2f], [0x95], [0x12, 0x10])],
  run(input: Buffer): string {
    const maxTracks = MAX_TRACKS[hash32(input) & 1]!;
    const info = classifyAudio(input, { maxTracks });
    if (info instanceof RtmpError) {
      checkRtmpError(info, 'classifyAudio');
      return info.code;
    }
    checkAudio(info, input, maxTracks);
    check(sameInfo(classifyAudio(input, { maxTracks }), info), 'classifyAudio gave another answer the second time');
    const facts = checkFacts(audioCodecFacts(input, info), 'audioCodecFacts');
    return `${info.codec}|${info.packetType}|${info.multitrack ?? '-'}|${facts}`;
  },
};

const PARSERS = [
  ['avcC', 'h264', parseAvcDecoderConfig],
  ['hvcC', 'hevc', parseHevcDecoderConfig],
  ['av1C', 'av1', parseAv1CodecConfig],
  ['asc', 'aac', parseAudioSpecificConfig],
  ['opus', 'opus', parseOpusHead],
  ['flac', 'flac', parseFlacStreamInfo],
] as const;

export const codecConfigTarget: FuzzTarget = {
  name: 'codec-config',
  description: 'the codec configuration parsers (avcC, hvcC, av1C, AudioSpecificConfig, OpusHead, FLAC) — first byte picks one',
  maxInputLength: 2048,
  dictionary: tokens([0x67], [0x42], [0x64], [0x00, 0x00, 0x03], [0xe1], [0x21], [0x81], [0x0a, 0x0b, 0x00, 0x00], 'OpusHead', [0x12, 0x10], [0xff, 0xff]),
  run(input: Buffer): string {
    const [name, codec, parse] = PARSERS[(input[0] ?? 0) % PARSERS.length]!;
    const facts = parse(input.subarray(1));
    const verdict = checkFacts(facts, name);
    if (!(facts instanceof RtmpError)) check(facts.codec === codec, `${name}: facts of codec ${facts.codec}`);
    return `${name}|${verdict}`;
  },
};

export const flvFileTarget: FuzzTarget = {
  name: 'flv-file',
  description: 'readFlv, each tag classified, and write∘read round trips',
  maxInputLength: 32 * 1024,
  dictionary: tokens('FLV', [0x01, 0x05, 0, 0, 0, 9], [0, 0, 0, 0], [0x09], [0x08], [0x12], [0x00, 0x00, 0x00]),
  run(input: Buffer): string {
    const tags = readFlv(input);
    if (tags instanceof RtmpError) {
      checkRtmpError(tags, 'readFlv');
      return tags.code;
    }
    let bodyBytes = 0;
    const kinds = new Set<string>();
    for (const tag of tags) {
      check(tag.type === 8 || tag.type === 9 || tag.type === 18, `readFlv: tag type ${tag.type}`);
      check(isU32(tag.timestamp), `readFlv: timestamp ${tag.timestamp}`);
      check(tag.data.buffer === input.buffer, 'readFlv: a tag body is not a view of the file');
      bodyBytes += tag.data.length;
      const info = tag.type === 9 ? classifyVideo(tag.data) : tag.type === 8 ? classifyAudio(tag.data) : decodeData({ typeId: 18, timestamp: 0, streamId: 0, payload: tag.data });
      if (info instanceof RtmpError) checkRtmpError(info, 'tag body');
      kinds.add(info instanceof RtmpError ? info.code : `${tag.type}`);
    }
    check(bodyBytes + 11 * tags.length + 4 * tags.length + 13 <= input.length, 'readFlv: tags add up to more than the file');
    const written = writeFlv(tags);
    check(!(written instanceof RtmpError), 'writeFlv refused tags readFlv produced');
    const again = readFlv(written);
    check(!(again instanceof RtmpError) && again.length === tags.length, 'an FLV file written from read tags does not read back');
    again.forEach((tag, i) => {
      const original = tags[i]!;
      check(tag.type === original.type && tag.timestamp === original.timestamp && tag.data.equals(original.data), `tag ${i} changed on the way round`);
    });
    return `${Math.min(tags.length, 8)}|${[...kinds].sort().join(',')}`;
  },
};
