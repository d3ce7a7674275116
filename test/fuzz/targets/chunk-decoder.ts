/**
 * ChunkDecoder.push: chunk-stream bytes in, whole messages out. Input: a flags byte (limits), then
 * the bytes a peer sends after the handshake. Oracles: messages stay under maxMessageSize, their
 * payloads never add up to more than the bytes received, the chunk-stream cap holds, a dead
 * decoder stays dead — and decoding the bytes in pieces gives exactly what decoding them whole does.
 */
import { ChunkDecoder } from '../../../src/rtmp/chunk/decoder.js';
import type { RtmpError } from '../../../src/rtmp/errors.js';
import type { RtmpMessage } from '../../../src/rtmp/message/types.js';
import { check, type FuzzTarget } from '../harness.js';
import { bucket, checkMessage, checkRtmpError, pieces, tokens } from './common.js';

const MAX_MESSAGE_SIZES = [8 * 1024 * 1024, 65536, 300, 0] as const;
const MAX_CHUNK_STREAMS = [64, 4, 1, 1000] as const;

interface Decoded {
  readonly messages: RtmpMessage[];
  readonly error: RtmpError | undefined;
  readonly decoder: ChunkDecoder;
}

function decode(parts: readonly Buffer[], maxMessageSize: number, maxChunkStreams: number): Decoded {
  const decoder = new ChunkDecoder({ maxMessageSize, maxChunkStreams });
  const messages: RtmpMessage[] = [];
  let error: RtmpError | undefined;
  for (const part of parts) {
    const result = decoder.push(part, messages);
    if (error !== undefined) check(result === error, 'a failed decoder answered a later push with a different result');
    error = result;
  }
  return { messages, error, decoder };
}

function sameMessage(a: RtmpMessage, b: RtmpMessage): boolean {
  return a.typeId === b.typeId && a.timestamp === b.timestamp && a.streamId === b.streamId && a.payload.equals(b.payload);
}

export const chunkDecoderTarget: FuzzTarget = {
  name: 'chunk-decoder',
  description: 'ChunkDecoder.push over chunk-stream bytes, whole and split (flags byte: limits)',
  maxInputLength: 64 * 1024,
  dictionary: tokens(
    [0x02, 0, 0, 0, 0, 0, 4, 1, 0, 0, 0, 0], // fmt 0 Set Chunk Size header on csid 2
    [0x03, 0xff, 0xff, 0xff], // fmt 0 with an extended timestamp marker
    [0xc3], // fmt 3 on csid 3
    [0x43], // fmt 1 on csid 3
    [0x83], // fmt 2 on csid 3
    [0x00, 0xff], // 2-byte basic header, csid 319
    [0x01, 0xff, 0xff], // 3-byte basic header, csid 65599
    [0x7f, 0xff, 0xff, 0xff], // chunk size 0x7FFFFFFF
    [0xff, 0xff, 0xff], // 24-bit maximum (length or timestamp)
  ),
  run(input: Buffer): string {
    const flags = input[0] ?? 0;
    const maxMessageSize = MAX_MESSAGE_SIZES[flags & 3]!;
    const maxChunkStreams = MAX_CHUNK_STREAMS[(flags >> 2) & 3]!;
    const data = input.subarray(1);

    const whole = decode([data], maxMessageSize, maxChunkStreams);
    let payloadBytes = 0;
    for (const message of whole.messages) {
      checkMessage(message, maxMessageSize, 'chunk-decoder');
      payloadBytes += message.payload.length;
    }
    check(payloadBytes <= data.length, `messages carry ${payloadBytes} payload bytes out of ${data.length} received`);
    check(whole.decoder.chunkStreamCount <= maxChunkStreams, `${whole.decoder.chunkStreamCount} chunk streams over the cap ${maxChunkStreams}`);
    check(whole.decoder.bytesConsumed === data.length, 'bytesConsumed differs from the bytes pushed');
    const size = whole.decoder.inboundChunkSize;
    check(Number.isInteger(size) && size >= 1 && size <= 0x7fffffff, `inbound chunk size ${size}`);
    if (whole.error !== undefined) {
      checkRtmpError(whole.error, 'chunk-decoder');
      const extra: RtmpMessage[] = [];
      check(whole.decoder.push(Buffer.from([0x02]), extra) === whole.error && extra.length === 0, 'a failed decoder came back to life');
    }

    const parts = pieces(data);
    if (parts.length > 1) {
      const split = decode(parts, maxMessageSize, maxChunkStreams);
      check(
        split.error?.code === whole.error?.code,
        `split into ${parts.length} pieces the decoder ends with ${split.error?.code ?? 'no error'}, whole with ${whole.error?.code ?? 'no error'}`,
      );
      check(split.messages.length === whole.messages.length, `split gives ${split.messages.length} messages, whole ${whole.messages.length}`);
      split.messages.forEach((message, i) => check(sameMessage(message, whole.messages[i]!), `message ${i} differs when the input is split`));
    }

    const types = [...new Set(whole.messages.map((m) => m.typeId))].sort((a, b) => a - b).slice(0, 8);
    return `${whole.error?.code ?? 'ok'}|${bucket(whole.messages.length)}|${types.join(',')}|${bucket(whole.decoder.chunkStreamCount)}|${flags & 15}`;
  },
};
