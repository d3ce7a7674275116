/** RTMP message type ids (RTMP spec 5.4, 7.1). */
export const MessageType = {
  SetChunkSize: 1,
  Abort: 2,
  Acknowledgement: 3,
  UserControl: 4,
  WindowAckSize: 5,
  SetPeerBandwidth: 6,
  Audio: 8,
  Video: 9,
  DataAmf3: 15,
  SharedObjectAmf3: 16,
  CommandAmf3: 17,
  DataAmf0: 18,
  SharedObjectAmf0: 19,
  CommandAmf0: 20,
  Aggregate: 22,
} as const;
export type MessageTypeId = (typeof MessageType)[keyof typeof MessageType];

/**
 * One whole RTMP message as the chunk layer delivers it. `timestamp` is the absolute
 * 32-bit timestamp (already summed from deltas, modulo 2^32); `payload` may be a view
 * into a larger buffer and must not be mutated.
 */
export interface RtmpMessage {
  typeId: number;
  timestamp: number;
  streamId: number;
  payload: Buffer;
  /**
   * Bytes right in front of `payload`, in its buffer, that belong to this message (the decoder
   * reserves SHARED_HEADER_ROOM when it assembles a payload): a relay may write a chunk header
   * there. Absent or 0: none.
   */
  headroom?: number;
}

/** Chunk stream ids we use when sending, as most servers (nginx-rtmp, SRS, librtmp) do. */
export const ChunkStreamId = {
  Control: 2,
  Command: 3,
  Audio: 4,
  Video: 6,
  Data: 5,
} as const;
