// Micro-benchmarks (tinybench) of the per-byte and per-message work of the relay, on the payloads
// of the real source stream. Every task folds its results into `consumed`, printed at the end, so
// nothing can be optimized away.
import { Bench } from 'tinybench';
import { ChunkDecoder } from '../src/rtmp/chunk/decoder.js';
import { ChunkEncoder, prepareMessage } from '../src/rtmp/chunk/encoder.js';
import { SHARED_HEADER_ROOM } from '../src/rtmp/chunk/header.js';
import { OUT_CHUNK_SIZE } from '../src/relay/live-stream.js';
import { buildConnect, decodeCommand } from '../src/rtmp/message/commands.js';
import { setChunkSizeMessage } from '../src/rtmp/message/control.js';
import { decodeData, encodeSetDataFrame } from '../src/rtmp/message/data.js';
import { ChunkStreamId, MessageType, type RtmpMessage } from '../src/rtmp/message/types.js';
import { classifyMedia } from '../src/relay/media-class.js';
import { classifyVideo } from '../src/rtmp/flv/video.js';
import { RtmpError } from '../src/rtmp/errors.js';
import { FLV_TAG_SCRIPT, type FlvTag } from '../test/helpers/flv-tags.js';
import { withSetDataFrame } from '../test/helpers/rtmp-publisher.js';
import { isVideoCodedFrame, type SourceStream } from './source-media.js';

export interface MicroResult {
  readonly name: string;
  /** Mean time per task call, microseconds. */
  readonly usPerOp: number;
  readonly opsPerS: number;
  /** Payload megabytes (10^6) per second, where the task has a byte count. */
  readonly mbPerS: number | null;
  /** Relative margin of error of the mean, percent. */
  readonly rmePct: number;
  readonly samples: number;
}

let consumed = 0;

/** A deterministic PRNG (mulberry32), so every run splits the stream the same way. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function csidOf(typeId: number): number {
  return typeId === MessageType.Audio ? ChunkStreamId.Audio : typeId === MessageType.Video ? ChunkStreamId.Video : ChunkStreamId.Data;
}

/** The first `bytes` of the source's media as one chunk stream at `chunkSize`, cut into random reads. */
function chunkedStream(tags: readonly FlvTag[], chunkSize: number, bytes: number): { pieces: Buffer[]; payloadBytes: number } {
  const encoder = new ChunkEncoder();
  const parts: Buffer[] = [];
  const announce = setChunkSizeMessage(chunkSize);
  parts.push(...encoder.encode(announce, ChunkStreamId.Control));
  encoder.setChunkSize(chunkSize);
  let payloadBytes = 0;
  for (const tag of tags) {
    if (payloadBytes >= bytes) break;
    const message: RtmpMessage = { typeId: tag.type, timestamp: tag.timestamp, streamId: 1, payload: tag.data };
    parts.push(...encoder.encode(message, csidOf(tag.type)));
    payloadBytes += tag.data.length;
  }
  const whole = Buffer.concat(parts);
  // Socket reads of 1 byte to 64 KiB, uniformly: headers and bodies split everywhere.
  const next = random(chunkSize);
  const pieces: Buffer[] = [];
  for (let at = 0; at < whole.length; ) {
    const size = 1 + Math.floor(next() * 65536);
    pieces.push(whole.subarray(at, Math.min(at + size, whole.length)));
    at += size;
  }
  return { pieces, payloadBytes };
}

interface TaskSpec {
  readonly name: string;
  readonly fn: () => void;
  /** Payload bytes one call handles, for MB/s. */
  readonly bytes?: number;
}

function decodeTasks(source: SourceStream): TaskSpec[] {
  const media = source.tags.slice(source.headerCount);
  return [128, 4096, 65536].map((chunkSize) => {
    const { pieces, payloadBytes } = chunkedStream(media, chunkSize, 8 * 1024 * 1024);
    const out: RtmpMessage[] = [];
    return {
      name: `chunk decode, chunk size ${chunkSize}, random reads`,
      bytes: payloadBytes,
      fn: () => {
        const decoder = new ChunkDecoder();
        let sum = 0;
        for (const piece of pieces) {
          out.length = 0;
          const error = decoder.push(piece, out);
          if (error !== undefined) throw error;
          for (const message of out) sum += message.payload.length;
        }
        if (sum !== payloadBytes + 4) throw new Error(`decoded ${sum} bytes, expected ${payloadBytes + 4}`);
        consumed += sum;
      },
    };
  });
}

function fanoutSerializeTasks(source: SourceStream): TaskSpec[] {
  const frames = source.tags.filter(isVideoCodedFrame);
  const sorted = [...frames].sort((a, b) => a.data.length - b.data.length);
  const typical = sorted[Math.floor(sorted.length / 2)]!; // the median inter frame
  const key = sorted[sorted.length - 1]!; // the largest: a keyframe
  const tasks: TaskSpec[] = [];
  for (const [label, frame] of [['median frame', typical], ['largest frame', key]] as const) {
    // As the decoder hands a payload it assembled to the relay: with free room in front of it.
    const owned = Buffer.alloc(SHARED_HEADER_ROOM + frame.data.length);
    frame.data.copy(owned, SHARED_HEADER_ROOM);
    const payload = owned.subarray(SHARED_HEADER_ROOM);
    for (const destinations of [1, 16, 64]) {
      const encoders = Array.from({ length: destinations }, () => new ChunkEncoder({ chunkSize: OUT_CHUNK_SIZE }));
      let timestamp = 0;
      tasks.push({
        name: `serialize ${label} (${frame.data.length} B) for ${destinations} destinations`,
        bytes: frame.data.length * destinations,
        fn: () => {
          timestamp += 33;
          const prepared = prepareMessage(payload, OUT_CHUNK_SIZE, ChunkStreamId.Video, SHARED_HEADER_ROOM);
          let sum = 0;
          for (const encoder of encoders) {
            const buffers = encoder.encodePrepared(prepared, MessageType.Video, timestamp, 1);
            for (const buffer of buffers) sum += buffer.length;
          }
          consumed += sum;
        },
      });
    }
  }
  return tasks;
}

function amfTasks(source: SourceStream): TaskSpec[] {
  const connectOptions = { app: 'live', tcUrl: 'rtmp://ingest.example.com:1935/live', transactionId: 1 };
  const connectPayload = buildConnect(connectOptions);
  const connect: RtmpMessage = { typeId: MessageType.CommandAmf0, timestamp: 0, streamId: 0, payload: connectPayload };
  const script = source.tags.find((tag) => tag.type === FLV_TAG_SCRIPT);
  if (script === undefined) throw new Error('the source has no onMetaData');
  const metadataPayload = withSetDataFrame(script.data);
  const metadata: RtmpMessage = { typeId: MessageType.DataAmf0, timestamp: 0, streamId: 1, payload: metadataPayload };
  const decoded = decodeData(metadata);
  if (decoded instanceof RtmpError || decoded.kind !== 'setDataFrame') throw new Error('onMetaData of the source does not decode');
  const fields = decoded.metadataValue;
  return [
    {
      name: `AMF0 decode connect (${connectPayload.length} B)`,
      bytes: connectPayload.length,
      fn: () => {
        const command = decodeCommand(connect);
        if (command instanceof RtmpError || command.name !== 'connect') throw new Error('connect does not decode');
        consumed += command.app.length;
      },
    },
    { name: 'AMF0 encode connect', fn: () => void (consumed += buildConnect(connectOptions).length) },
    {
      name: `AMF0 decode @setDataFrame onMetaData (${metadataPayload.length} B)`,
      bytes: metadataPayload.length,
      fn: () => {
        const data = decodeData(metadata);
        if (data instanceof RtmpError) throw data;
        consumed += data.payload.length;
      },
    },
    { name: 'AMF0 encode @setDataFrame onMetaData', fn: () => void (consumed += encodeSetDataFrame(fields).length) },
  ];
}

function classifyTasks(source: SourceStream): TaskSpec[] {
  const messages: RtmpMessage[] = source.tags
    .slice(0, 3000)
    .map((tag) => ({ typeId: tag.type, timestamp: tag.timestamp, streamId: 1, payload: tag.data }));
  const videoPayloads = messages.filter((m) => m.typeId === MessageType.Video).map((m) => m.payload);
  return [
    {
      name: `classifyMedia, ${messages.length} source messages (audio + video)`,
      fn: () => {
        let keys = 0;
        for (const message of messages) {
          const media = classifyMedia(message);
          if (media.kind === 'video' && media.isKeyframe) keys++;
          else if (media.kind === 'audio') keys += 2;
        }
        consumed += keys;
      },
    },
    {
      name: `classifyVideo, ${videoPayloads.length} video payloads`,
      fn: () => {
        let keys = 0;
        for (const payload of videoPayloads) {
          const info = classifyVideo(payload);
          if (!(info instanceof RtmpError) && info.isKeyframe) keys++;
        }
        consumed += keys;
      },
    },
  ];
}

export async function runMicro(source: SourceStream, options: { readonly timeMs: number; readonly log: (line: string) => void }): Promise<MicroResult[]> {
  const specs = [...decodeTasks(source), ...fanoutSerializeTasks(source), ...amfTasks(source), ...classifyTasks(source)];
  const bench = new Bench({ time: options.timeMs, warmupTime: Math.min(250, options.timeMs), throws: true });
  for (const spec of specs) bench.add(spec.name, spec.fn);
  await bench.run();
  const results: MicroResult[] = [];
  for (const spec of specs) {
    const task = bench.getTask(spec.name);
    const result = task?.result;
    if (result === undefined || !('latency' in result)) throw new Error(`micro-benchmark ${spec.name} did not complete`);
    const ms = result.latency.mean;
    results.push({
      name: spec.name,
      usPerOp: ms * 1000,
      opsPerS: 1000 / ms,
      mbPerS: spec.bytes === undefined ? null : spec.bytes / 1e6 / (ms / 1000),
      rmePct: result.latency.rme,
      samples: result.latency.samplesCount ?? 0,
    });
    options.log(`micro: ${spec.name}: ${(ms * 1000).toFixed(1)} µs/op${spec.bytes === undefined ? '' : `, ${(spec.bytes / 1e6 / (ms / 1000)).toFixed(0)} MB/s`}`);
  }
  options.log(`micro: consumed checksum ${consumed}`);
  return results;
}
