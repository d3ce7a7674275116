/**
 * Protocol errors are values with stable codes, in the style of undici's errors.
 * The protocol core never lets an exception escape its public API: a parser that
 * meets bad input returns an RtmpError, and the socket adapter decides what to close.
 */
export type RtmpErrorCode =
  | 'ERR_RTMP_TRUNCATED'
  | 'ERR_RTMP_HANDSHAKE_VERSION'
  | 'ERR_RTMP_HANDSHAKE_STATE'
  | 'ERR_RTMP_CHUNK_STREAM_ID'
  | 'ERR_RTMP_CHUNK_FIRST_HEADER'
  | 'ERR_RTMP_CHUNK_SIZE'
  | 'ERR_RTMP_CHUNK_INTERRUPTED'
  | 'ERR_RTMP_TOO_MANY_CHUNK_STREAMS'
  | 'ERR_RTMP_MESSAGE_TOO_LARGE'
  | 'ERR_RTMP_AMF_MARKER'
  | 'ERR_RTMP_AMF_DEPTH'
  | 'ERR_RTMP_AMF_LIMIT'
  | 'ERR_RTMP_AMF_REFERENCE'
  | 'ERR_RTMP_COMMAND'
  | 'ERR_RTMP_CONTROL'
  | 'ERR_RTMP_FLV'
  | 'ERR_RTMP_CODEC_CONFIG'
  | 'ERR_RTMP_URL'
  | 'ERR_RTMP_PROTOCOL';

export class RtmpError extends Error {
  readonly code: RtmpErrorCode;
  constructor(code: RtmpErrorCode, message: string) {
    super(message);
    this.name = 'RtmpError';
    this.code = code;
  }
}

export function isRtmpError(value: unknown): value is RtmpError {
  return value instanceof RtmpError;
}
