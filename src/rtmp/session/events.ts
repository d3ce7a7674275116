import type { RtmpError } from '../errors.js';
import type { RtmpMessage } from '../message/types.js';

/** What a session asks its adapter to do after a call: bytes to write, events to act on. */
export interface SessionOutput<E> {
  send: Buffer[];
  events: E[];
}

export type ServerSessionEvent =
  | { type: 'handshake-done' }
  | { type: 'connect'; app: string; tcUrl: string | null; flashVer: string | null; objectEncoding: number }
  /** The app answers with acceptPublish/rejectPublish; nothing is sent to the client before that. */
  | { type: 'publish-request'; streamId: number; app: string; streamName: string; publishType: string }
  | { type: 'play-request'; streamId: number; app: string; streamName: string }
  /** Audio, video or data on an accepted publish. */
  | { type: 'media'; streamId: number; message: RtmpMessage }
  | { type: 'unpublish'; streamId: number; reason: 'FCUnpublish' | 'deleteStream' | 'closeStream' }
  | { type: 'stop-play'; streamId: number }
  | { type: 'acknowledged'; sequence: number }
  | { type: 'error'; error: RtmpError };

export type ClientSessionEvent =
  | { type: 'handshake-done' }
  | { type: 'connected' }
  /** The server answered onStatus NetStream.Publish.Start: media may flow. */
  | { type: 'publishing'; streamId: number }
  /** The server refused (connect _error, publish onStatus error, ...). The adapter closes. */
  | { type: 'rejected'; stage: 'connect' | 'createStream' | 'publish'; code: string; description: string }
  | { type: 'status'; level: string; code: string; description: string }
  | { type: 'acknowledged'; sequence: number }
  | { type: 'error'; error: RtmpError };
