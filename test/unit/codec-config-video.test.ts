import test from 'ava';
import fc from 'fast-check';
import { RtmpError } from '../../src/rtmp/errors.js';
import { parseAv1CodecConfig } from '../../src/rtmp/flv/av1-config.js';
import { parseAvcDecoderConfig, parseAvcSps } from '../../src/rtmp/flv/avc-config.js';
import { videoCodecFacts } from '../../src/rtmp/flv/codec-config.js';
import { parseHevcDecoderConfig } from '../../src/rtmp/flv/hevc-config.js';
import { classifyVideo, type VideoTagInfo } from '../../src/rtmp/flv/video.js';
import { TestBitWriter, avcC, codecFixture, escapeRbsp, hvcC } from './codec-config-helpers.js';

// Fixture files come from ffmpeg (see test/fixtures/codec/README.md).
const fixture = codecFixture;

/*
 * avc-1280x720-high.avcC (x264, testsrc2 1280x720 30 fps, -profile:v high):
 *   01          configurationVersion
 *   64 00 1f    AVCProfileIndication 100 (High), compatibility 0, AVCLevelIndication 31
 *   ff          reserved | lengthSizeMinusOne 3 (4-byte NAL lengths)
 *   e1          reserved | 1 SPS
 *   00 1a       SPS length 26
 *   67 ...      SPS: NAL header (type 7), profile 100, level 31, chroma_format_idc 1, POC type 0,
 *               pic_width_in_mbs_minus1 79, pic_height_in_map_units_minus1 44, frame_mbs_only 1,
 *               no cropping, VUI timing num_units_in_tick 1, time_scale 60 (two emulation-prevention
 *               bytes inside: "00 00 03 00 10 00 00 03 03 c0")
 *   01 00 06 68 eb e3 cb 22 c0   1 PPS of 6 bytes
 *   fd f8 f8 00                  High profile tail: chroma 4:2:0, 8-bit luma/chroma, 0 SPS extensions
 */
test('real x264 High profile 1280x720 avcC', (t) => {
  t.deepEqual(parseAvcDecoderConfig(fixture('avc-1280x720-high.avcC')), {
    codec: 'h264',
    width: 1280,
    height: 720,
    frameRate: 30,
    profile: 100,
    level: 31,
    chromaFormat: 1,
    bitDepth: 8,
    nalLengthSize: 4,
  });
});

test('real x264 Baseline 1920x1080 avcC: 1088 coded rows cropped to 1080', (t) => {
  t.like(parseAvcDecoderConfig(fixture('avc-1920x1080-baseline.avcC')), {
    width: 1920,
    height: 1080,
    frameRate: 25,
    profile: 66,
    level: 40,
  });
});

/** A High 4:4:4 interlaced SPS with scaling lists, POC type 1, cropping and full VUI (29.97 fps). */
function high444InterlacedSps(): Buffer {
  const w = new TestBitWriter();
  w.u(8, 244).u(8, 0).u(8, 40); // profile_idc High 4:4:4 Predictive, constraint flags, level 4.0
  w.ue(0); // seq_parameter_set_id
  w.ue(3).flag(false); // chroma_format_idc 4:4:4, separate_colour_plane_flag 0
  w.ue(2).ue(2); // bit depths 10
  w.flag(false); // qpprime_y_zero_transform_bypass_flag
  w.flag(true); // seq_scaling_matrix_present_flag: 12 lists for 4:4:4
  for (let i = 0; i < 12; i++) {
    const present = i === 0 || i === 6;
    w.flag(present);
    if (!present) continue;
    w.se(3); // nextScale = 11
    w.se(-11); // nextScale = 0: the rest of the list (16 or 64 entries) repeats, no more deltas
  }
  w.ue(0); // log2_max_frame_num_minus4
  w.ue(1); // pic_order_cnt_type 1
  w.flag(false).se(-2).se(5); // delta_pic_order_always_zero, offset_for_non_ref_pic, offset_for_top_to_bottom
  w.ue(2).se(1).se(-1); // num_ref_frames_in_pic_order_cnt_cycle and offsets
  w.ue(4).flag(false); // max_num_ref_frames, gaps
  w.ue(119); // pic_width_in_mbs_minus1 → 1920
  w.ue(33); // pic_height_in_map_units_minus1 → 34 field MB rows = 1088 lines
  w.flag(false).flag(true); // frame_mbs_only_flag 0 (fields), mb_adaptive_frame_field_flag
  w.flag(true); // direct_8x8_inference_flag
  w.flag(true).ue(2).ue(2).ue(0).ue(4); // cropping (4:4:4 → unit x 1, unit y 2): 1916 x 1080
  w.flag(true); // vui_parameters_present_flag
  w.flag(true).u(8, 255).u(16, 4).u(16, 3); // Extended_SAR 4:3
  w.flag(true).flag(false); // overscan
  w.flag(true).u(3, 5).flag(false).flag(true).u(8, 1).u(8, 1).u(8, 1); // video signal + colour description
  w.flag(true).ue(1).ue(1); // chroma location
  w.flag(true).u(32, 1001).u(32, 60000).flag(true); // timing: 60000 / (2 x 1001) = 29.97
  w.trailing();
  return Buffer.concat([Buffer.from([0x67]), escapeRbsp(w.bytes())]);
}

test('H.264 High 4:4:4 interlaced SPS: scaling lists, POC type 1, field cropping, Extended SAR, 29.97 fps', (t) => {
  const sps = high444InterlacedSps();
  t.deepEqual(parseAvcDecoderConfig(avcC(sps, 244, 40)), {
    codec: 'h264',
    width: 1916,
    height: 1080,
    frameRate: 29.97,
    profile: 244,
    level: 40,
    chromaFormat: 3,
    bitDepth: 10,
    nalLengthSize: 4,
  });
});

test('H.264 Main SPS without VUI, POC type 2, 4:2:0 cropping: frame rate unknown', (t) => {
  const w = new TestBitWriter();
  w.u(8, 77).u(8, 0).u(8, 31).ue(0); // Main, level 3.1, sps id 0 (no chroma fields for Main)
  w.ue(0).ue(2); // log2_max_frame_num_minus4, pic_order_cnt_type 2
  w.ue(1).flag(false).ue(79).ue(45).flag(true).flag(true); // refs, gaps, 80 x 46 MBs, frame_mbs_only, 8x8
  w.flag(true).ue(0).ue(0).ue(0).ue(8); // crop bottom 8 x 2 rows: 736 → 720
  w.flag(false).trailing(); // no VUI
  const sps = Buffer.concat([Buffer.from([0x67]), escapeRbsp(w.bytes())]);
  t.like(parseAvcSps(sps), { width: 1280, height: 720, frameRate: null, profile: 77, chromaFormat: 1 });
});

test('H.264: emulation-prevention bytes are removed before reading bits', (t) => {
  // profile 66, flags 0, level 0, then ue(63) = 0000001000000: the RBSP reads "42 00 00 02 ...", which
  // must be escaped to "42 00 00 03 02 ..." on the wire.
  const w = new TestBitWriter().u(8, 66).u(8, 0).u(8, 0).ue(63);
  w.ue(0).ue(2).ue(1).flag(false).ue(19).ue(14).flag(true).flag(true).flag(false).flag(false).trailing();
  const wire = escapeRbsp(w.bytes());
  t.true(wire.includes(Buffer.from([0x00, 0x00, 0x03])), 'fixture really contains an escape');
  t.like(parseAvcSps(Buffer.concat([Buffer.from([0x67]), wire])), { width: 320, height: 240 });
});

test('H.264 errors: not an SPS, bad version, no SPS, absurd Exp-Golomb', (t) => {
  t.is((parseAvcSps(Buffer.from([0x68, 0xce])) as RtmpError).code, 'ERR_RTMP_CODEC_CONFIG');
  t.is((parseAvcDecoderConfig(Buffer.from([2, 100, 0, 31, 0xff, 0xe1, 0, 0])) as RtmpError).code, 'ERR_RTMP_CODEC_CONFIG');
  t.is((parseAvcDecoderConfig(Buffer.from([1, 100, 0, 31, 0xff, 0xe0, 0, 0])) as RtmpError).code, 'ERR_RTMP_CODEC_CONFIG');
  const zeros = Buffer.concat([Buffer.from([0x67, 66, 0, 30]), Buffer.alloc(8, 0), Buffer.from([0xff])]);
  t.is((parseAvcSps(zeros) as RtmpError).code, 'ERR_RTMP_CODEC_CONFIG');
});

/*
 * hevc-1920x1080-main.hvcC (x265, testsrc2 1920x1080 25 fps): 23-byte header (version 1, Main,
 * level 120, avgFrameRate 0, lengthSizeMinusOne 3, 3 arrays), then VPS (32), SPS (33) and PPS (34)
 * arrays of one NAL each. The SPS codes 1920x1088 with a conformance window of 4 chroma rows (8 luma)
 * at the bottom and VUI timing 1/25.
 */
test('real x265 Main 1920x1080 hvcC: conformance window and VUI frame rate', (t) => {
  t.deepEqual(parseHevcDecoderConfig(fixture('hevc-1920x1080-main.hvcC')), {
    codec: 'hevc',
    width: 1920,
    height: 1080,
    frameRate: 25,
    profile: 1,
    level: 120,
    tier: 'main',
    chromaFormat: 1,
    bitDepth: 8,
    nalLengthSize: 4,
  });
});

/** An H.265 SPS exercising sub-layers, 4:2:2 conformance window, scaling lists, RPS prediction, VUI. */
function hevcSps(options: { vuiTiming: boolean }): Buffer {
  const w = new TestBitWriter();
  w.u(4, 0).u(3, 1).flag(true); // vps id, sps_max_sub_layers_minus1 1, temporal_id_nesting
  w.u(2, 0).flag(true).u(5, 4).u(32, 0x08000000).u(48, 0).u(8, 150); // PTL: high tier, RExt (4), level 5
  w.flag(true).flag(true).u(2 * 7, 0); // sub_layer_profile/level present for layer 0; reserved_zero_2bits x7
  w.u(88, 0).u(8, 120); // sub-layer profile (88 bits), sub-layer level
  w.ue(0).ue(2); // sps id, chroma_format_idc 4:2:2
  w.ue(1280).ue(720); // pic_width/height_in_luma_samples
  w.flag(true).ue(4).ue(0).ue(0).ue(4); // conformance window: 2 x 4 columns left, 1 x 4 rows bottom
  w.ue(2).ue(2).ue(4); // bit depths 10, log2_max_pic_order_cnt_lsb_minus4 4 (8 bits)
  w.flag(true); // sps_sub_layer_ordering_info_present_flag: for both sub-layers
  for (let i = 0; i < 2; i++) w.ue(4).ue(2).ue(0);
  w.ue(0).ue(3).ue(0).ue(3).ue(1).ue(1); // block sizes, hierarchy depths
  w.flag(true).flag(true); // scaling_list_enabled, sps_scaling_list_data_present
  for (let sizeId = 0; sizeId < 4; sizeId++) {
    for (let matrixId = 0; matrixId < 6; matrixId += sizeId === 3 ? 3 : 1) {
      const explicit = matrixId === 0;
      w.flag(explicit);
      if (!explicit) {
        w.ue(0); // scaling_list_pred_matrix_id_delta
        continue;
      }
      if (sizeId > 1) w.se(8); // scaling_list_dc_coef_minus8
      for (let i = 0; i < Math.min(64, 1 << (4 + (sizeId << 1))); i++) w.se(i % 3 === 0 ? 1 : -1);
    }
  }
  w.flag(true).flag(true); // amp, sao
  w.flag(true).u(4, 7).u(4, 7).ue(0).ue(1).flag(false); // pcm
  w.ue(3); // num_short_term_ref_pic_sets
  w.ue(2).ue(1); // set 0: 2 negative, 1 positive
  for (let i = 0; i < 3; i++) w.ue(i).flag(true);
  w.flag(true).flag(false).ue(0); // set 1 predicted from set 0: sign, abs_delta_rps_minus1
  w.flag(true).flag(false).flag(false).flag(true); // j=0 used; j=1 not used, use_delta 0; j=2 not used, use_delta 1
  w.flag(false); // j=3 used_by_curr 0
  w.flag(true); //   use_delta 1 → set 1 has 3 delta POCs
  w.flag(true).flag(true).ue(0); // set 2 predicted from set 1
  for (let j = 0; j <= 3; j++) w.flag(true); // all used: 4 delta POCs
  w.flag(true).ue(2); // long_term_ref_pics_present, 2 of them
  for (let i = 0; i < 2; i++) w.u(8, i).flag(true); // lt_ref_pic_poc_lsb_sps (8 bits), used flag
  w.flag(true).flag(true); // temporal MVP, strong intra smoothing
  w.flag(true); // vui_parameters_present_flag
  w.flag(true).u(8, 1); // aspect_ratio_idc 1 (square)
  w.flag(false); // overscan
  w.flag(true).u(3, 5).flag(true).flag(true).u(8, 9).u(8, 16).u(8, 9); // video signal, BT.2020 PQ
  w.flag(false); // chroma loc
  w.flag(false).flag(false).flag(false); // neutral chroma, field_seq, frame_field_info
  w.flag(true).ue(0).ue(0).ue(0).ue(0); // default display window
  w.flag(options.vuiTiming);
  if (options.vuiTiming) w.u(32, 1).u(32, 50).flag(false);
  w.align();
  return Buffer.concat([Buffer.from([33 << 1, 0x01]), escapeRbsp(w.bytes())]);
}

test('H.265 SPS with sub-layers, 4:2:2 window, scaling lists, predicted RPS, long-term refs, VUI timing', (t) => {
  t.deepEqual(parseHevcDecoderConfig(hvcC(hevcSps({ vuiTiming: true }))), {
    codec: 'hevc',
    width: 1272,
    height: 716,
    frameRate: 50,
    profile: 4,
    level: 150,
    tier: 'high',
    chromaFormat: 2,
    bitDepth: 10,
    nalLengthSize: 4,
  });
});

test('H.265 without VUI timing falls back to the record avgFrameRate, else null', (t) => {
  const sps = hevcSps({ vuiTiming: false });
  t.like(parseHevcDecoderConfig(hvcC(sps, 30 * 256)), { frameRate: 30, width: 1272 });
  t.like(parseHevcDecoderConfig(hvcC(sps, 0)), { frameRate: null });
  // A record whose SPS ends right after the picture size keeps the size and loses only the rate.
  const short = hevcSps({ vuiTiming: true }).subarray(0, 48); // cut inside the scaling lists
  t.like(parseHevcDecoderConfig(hvcC(short, 0)), { width: 1272, height: 716, frameRate: null });
});

test('H.265 errors: no SPS array, wrong version, sub-layers 7', (t) => {
  const noSps = hvcC(Buffer.from([32 << 1, 1, 0]));
  noSps[23] = 0x80 | 32; // the only array holds a VPS
  t.is((parseHevcDecoderConfig(noSps) as RtmpError).code, 'ERR_RTMP_CODEC_CONFIG');
  const v2 = hvcC(hevcSps({ vuiTiming: true }));
  v2[0] = 2;
  t.is((parseHevcDecoderConfig(v2) as RtmpError).code, 'ERR_RTMP_CODEC_CONFIG');
  const seven = hvcC(Buffer.from([33 << 1, 1, 0x0f, 0, 0, 0]));
  t.is((parseHevcDecoderConfig(seven) as RtmpError).code, 'ERR_RTMP_CODEC_CONFIG');
});

/*
 * av1-640x360.av1C (libaom): 81 (marker, version 1) 01 (profile 0, level idx 1) 0c (tier 0, 8-bit,
 * 4:2:0 x/y) 00 (no presentation delay), then a sequence header OBU: 0a (type 1, has_size) 0b (11
 * bytes) 00 00 00 0c c4 ff 67 36 be 40 10 → reduced_still_picture_header 0, no timing info, one
 * operating point, frame_width_bits 10, height bits 9, max 640 x 360.
 */
test('real libaom av1C: 640x360, profile 0, level index 1, no timing info', (t) => {
  t.deepEqual(parseAv1CodecConfig(fixture('av1-640x360.av1C')), {
    codec: 'av1',
    width: 640,
    height: 360,
    frameRate: null,
    profile: 0,
    level: 1,
  });
});

function av1SequenceObu(build: (w: TestBitWriter) => void, extension = false): Buffer {
  const w = new TestBitWriter();
  build(w);
  const payload = w.trailing().bytes();
  const header = (1 << 3) | (extension ? 0x04 : 0) | 0x02; // OBU_SEQUENCE_HEADER, extension?, has_size_field
  return Buffer.from([header, ...(extension ? [0x00] : []), payload.length, ...payload]);
}

test('AV1 sequence header with timing, decoder model, tiers and display delays (an extension OBU)', (t) => {
  const obu = av1SequenceObu((w) => {
    w.u(3, 1).flag(false).flag(false); // profile 1, still_picture 0, reduced 0
    w.flag(true).u(32, 1001).u(32, 60000).flag(true).ue(0); // timing_info: equal interval, 1 tick
    w.flag(true).u(5, 9).u(32, 1).u(5, 4).u(5, 4); // decoder_model_info: buffer delay length 10
    w.flag(true).u(5, 1); // initial_display_delay_present, 2 operating points
    w.u(12, 0x101).u(5, 12).flag(true); // op 0: level 12 (> 7: tier bit)
    w.flag(true).u(10, 1).u(10, 2).flag(false); // decoder model for op 0
    w.flag(true).u(4, 3); // initial display delay for op 0
    w.u(12, 0x102).u(5, 4).flag(false).flag(false); // op 1: level 4, no model, no delay
    w.u(4, 11).u(4, 11).u(12, 3839).u(12, 2159); // 3840 x 2160
  }, true);
  // ue(0) above is uvlc(0): the single "1" bit, the same code as Exp-Golomb 0.
  t.deepEqual(parseAv1CodecConfig(Buffer.concat([Buffer.from([0x81, 0x2c, 0x00, 0x00]), obu])), {
    codec: 'av1',
    width: 3840,
    height: 2160,
    frameRate: 59.94,
    profile: 1,
    level: 12,
  });
});

test('AV1 reduced still picture header as plain OBUs (no av1C), after a temporal delimiter', (t) => {
  const obu = av1SequenceObu((w) => {
    w.u(3, 0).flag(true).flag(true).u(5, 8); // profile 0, still, reduced, level 8
    w.u(4, 7).u(4, 7).u(8, 199).u(8, 99); // 200 x 100
  });
  const temporalDelimiter = Buffer.from([0x12, 0x00]);
  t.like(parseAv1CodecConfig(Buffer.concat([temporalDelimiter, obu])), { width: 200, height: 100, level: 8 });
});

test('AV1 errors: no sequence header, leb128 too long, OBU overrun', (t) => {
  t.is((parseAv1CodecConfig(Buffer.from([0x81, 0, 0, 0, 0x12, 0x00])) as RtmpError).code, 'ERR_RTMP_CODEC_CONFIG');
  const longLeb = Buffer.from([0x0a, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01]);
  t.is((parseAv1CodecConfig(longLeb) as RtmpError).code, 'ERR_RTMP_CODEC_CONFIG');
  t.is((parseAv1CodecConfig(Buffer.from([0x0a, 0x20, 0x00])) as RtmpError).code, 'ERR_RTMP_TRUNCATED');
});

const realConfigs = [
  { name: 'avc-1280x720-high.avcC', parse: parseAvcDecoderConfig, essential: 8 + 26 },
  { name: 'avc-1920x1080-baseline.avcC', parse: parseAvcDecoderConfig, essential: 8 + 26 },
  { name: 'hevc-1920x1080-main.hvcC', parse: parseHevcDecoderConfig, essential: 23 + 3 + 2 + 24 + 3 + 2 + 42 },
  { name: 'av1-640x360.av1C', parse: parseAv1CodecConfig, essential: 17 },
] as const;

for (const { name, parse, essential } of realConfigs) {
  test(`${name} truncated at every offset: an RtmpError while the SPS/sequence header is cut, never a throw`, (t) => {
    const whole = fixture(name);
    const full = parse(whole);
    t.false(full instanceof RtmpError);
    for (let length = 0; length < whole.length; length++) {
      const result = parse(whole.subarray(0, length));
      if (length < essential) {
        if (!(result instanceof RtmpError)) return t.fail(`prefix ${length} parsed`);
      } else {
        t.deepEqual(result, full, `prefix ${length}`);
      }
    }
  });
}

test('property: random and mutated configuration records never throw', (t) => {
  const parsers = [parseAvcDecoderConfig, parseHevcDecoderConfig, parseAv1CodecConfig];
  const seeds = realConfigs.map((c) => fixture(c.name));
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) =>
      parsers.every((parse) => {
        const result = parse(Buffer.from(bytes));
        return result instanceof RtmpError || result.width > 0;
      }),
    ),
    { numRuns: 5000 },
  );
  fc.assert(
    fc.property(fc.nat(seeds.length - 1), fc.array(fc.tuple(fc.nat(), fc.nat(255)), { maxLength: 4 }), (which, edits) => {
      const bytes = Buffer.from(seeds[which]!);
      for (const [at, value] of edits) bytes[at % bytes.length] = value;
      const result = realConfigs[which]!.parse(bytes);
      return result instanceof RtmpError || (result.width > 0 && result.height > 0);
    }),
    { numRuns: 5000 },
  );
  t.pass();
});

function wrapEnhanced(fourCc: string, record: Buffer): Buffer {
  return Buffer.concat([Buffer.from([0x90]), Buffer.from(fourCc, 'latin1'), record]); // key | SequenceStart
}

test('videoCodecFacts reads the record behind a classic, an enhanced and a multitrack sequence header', (t) => {
  const facts = (payload: Buffer) => videoCodecFacts(payload, classifyVideo(payload) as VideoTagInfo);
  const classic = Buffer.concat([Buffer.from([0x17, 0x00, 0, 0, 0]), fixture('avc-1280x720-high.avcC')]);
  t.like(facts(classic), { codec: 'h264', width: 1280, height: 720 });
  t.like(facts(wrapEnhanced('hvc1', fixture('hevc-1920x1080-main.hvcC'))), { codec: 'hevc', width: 1920 });
  t.like(facts(wrapEnhanced('av01', fixture('av1-640x360.av1C'))), { codec: 'av1', width: 640 });
  const av1 = fixture('av1-640x360.av1C');
  const multitrack = Buffer.concat([
    Buffer.from([0x96, 0x20]), // key | Multitrack; ManyTracksManyCodecs | SequenceStart
    Buffer.from('av01', 'latin1'),
    Buffer.from([0x00, 0x00, 0x00, av1.length]), // track 0 and its size
    av1,
  ]);
  t.like(facts(multitrack), { codec: 'av1', height: 360 });
  t.is(facts(Buffer.from([0x27, 0x01, 0, 0, 0, 0x41])), null, 'coded frames say nothing');
  t.is(facts(wrapEnhanced('vp09', Buffer.from([1, 0, 0, 0]))), null, 'VP9 records are not read');
  t.true(facts(Buffer.from([0x17, 0x00, 0, 0, 0, 0x01])) instanceof RtmpError, 'a cut record is an error');
});
