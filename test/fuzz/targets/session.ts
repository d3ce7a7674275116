/**
 * Whole sessions, sans-IO: a ServerSession after a valid handshake fed arbitrary chunk-stream bytes
 * (the application answering publish and play requests as the input's flags say), and a
 * ClientSession after a valid server handshake fed arbitrary server bytes. Oracles: handle() never
 * throws and only ever reports coded errors; a failed session stays failed and sends nothing more;
 * media is never bigger than maxMessageSize and only flows on a stream whose publish was accepted;
 * what a session writes stays proportional to what it was sent (no amplification).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MessageType } from '../../../src/rtmp/message/types.js';
import { ClientSession } from '../../../src/rtmp/session/client-session.js';
import type { ClientSessionEvent, ServerSessionEvent, SessionOutput } from '../../../src/rtmp/session/events.js';
import { ServerSession } from '../../../src/rtmp/session/server-session.js';
import { check, type FuzzTarget } from '../harness.js';
import { amf0String, checkMessage, checkRtmpError, pieces, tokens } from './common.js';

/** A simple-form C0 C1 C2 (zero version field: no digest work per input). */
const CLIENT_HANDSHAKE = (() => {
  const bytes = Buffer.alloc(1 + 2 * 1536, 0x37);
  bytes[0] = 3;
  bytes.writeUInt32BE(0, 1); // C1 time
  bytes.writeUInt32BE(0, 5); // C1 version: zero, the simple form
  return bytes;
})();

const MAX_MESSAGE_SIZES = [8 * 1024 * 1024, 4096] as const;
const PUBLISH_START = Buffer.from('NetStream.Publish.Start', 'latin1');
const CHUNK_DICTIONARY = [
  ...tokens([0x03, 0, 0, 0, 0, 0, 0x20, 0x14, 0, 0, 0, 0], [0x04, 0, 0, 0, 0, 0, 0x10, 0x09, 1, 0, 0, 0], [0xc3], [0xc4], [0x42]),
  ...tokens([0x02, 0, 0, 0, 0, 0, 4, 1, 0, 0, 0, 0, 0, 0, 0x10, 0], [0x02, 0, 0, 0, 0, 0, 6, 4, 0, 0, 0, 0, 0, 6]),
  ...['connect', 'createStream', 'publish', 'play', 'deleteStream', 'closeStream', 'FCUnpublish', 'releaseStream', '_result', 'onStatus'].map(amf0String),
];

function sentBytes(send: readonly Buffer[]): number {
  let total = 0;
  for (const buffer of send) {
    check(Buffer.isBuffer(buffer), 'a session asked to send something that is not a Buffer');
    total += buffer.length;
  }
  return total;
}

export const serverSessionTarget: FuzzTarget = {
  name: 'server-session',
  description: 'ServerSession.handle after a valid handshake, over arbitrary chunk bytes (flags byte: app answers, limits)',
  maxInputLength: 32 * 1024,
  dictionary: CHUNK_DICTIONARY,
  run(input: Buffer): string {
    const flags = input[0] ?? 0;
    const maxMessageSize = MAX_MESSAGE_SIZES[(flags >> 4) & 1]!;
    const session = new ServerSession({ now: () => 0, maxMessageSize, maxChunkStreams: (flags & 0x20) !== 0 ? 4 : 64 });
    const data = input.subarray(1);
    const parts = pieces(data);
    // The handshake's last packet and the first chunk bytes often share one read.
    const first = (flags & 0x40) !== 0 ? Buffer.concat([CLIENT_HANDSHAKE, parts[0] ?? Buffer.alloc(0)]) : CLIENT_HANDSHAKE;
    const feeds = (flags & 0x40) !== 0 ? [first, ...parts.slice(1)] : [first, ...parts];

    const publishing = new Set<number>();
    const seen = new Set<string>();
    let failed = false;
    let sent = 0;
    const take = (out: SessionOutput<ServerSessionEvent>): void => {
      sent += sentBytes(out.send);
      for (const event of out.events) {
        seen.add(event.type);
        switch (event.type) {
          case 'error':
            checkRtmpError(event.error, 'server-session');
            failed = true;
            break;
          case 'media':
            check(publishing.has(event.streamId), `media on stream ${event.streamId}, which is not publishing`);
            check(event.message.streamId === event.streamId, 'a media event names another stream than its message');
            check([MessageType.Audio, MessageType.Video, MessageType.DataAmf0, MessageType.DataAmf3].includes(event.message.typeId as 8), `media of type ${event.message.typeId}`);
            checkMessage(event.message, maxMessageSize, 'server-session media');
            break;
          case 'publish-request':
            check(typeof event.streamName === 'string' && typeof event.app === 'string', 'publish request mistyped');
            if ((flags & 1) !== 0) {
              publishing.add(event.streamId);
              take(session.acceptPublish(event.streamId, event.streamName));
            } else {
              sent += sentBytes(session.rejectPublish(event.streamId, 'NetStream.Publish.BadName', 'refused'));
            }
            break;
          case 'play-request':
            if ((flags & 2) !== 0) {
              sent += sentBytes(session.acceptPlay(event.streamId, event.streamName));
              if ((flags & 4) !== 0) sent += sentBytes(session.endPlay(event.streamId, event.streamName));
            } else {
              sent += sentBytes(session.rejectPlay(event.streamId, 'NetStream.Play.StreamNotFound', 'not live'));
            }
            break;
          case 'unpublish':
            publishing.delete(event.streamId);
            break;
          default:
            break;
        }
      }
    };

    for (const feed of feeds) {
      const wasFailed = failed;
      const out = session.handle(feed);
      // CONTRACT §2: nothing like Publish.Start goes out before the application accepted the publish.
      for (const buffer of out.send) check(buffer.indexOf(PUBLISH_START) < 0, 'Publish.Start sent before the application answered');
      if (wasFailed) {
        check(out.send.length === 0, 'a failed server session still sends');
        check(out.events.length === 1 && out.events[0]!.type === 'error', 'a failed server session reports something else than its error');
      }
      take(out);
    }
    check(session.isHandshakeDone, 'a valid handshake did not complete');
    // Answers (connect result, stream ids, pings, acknowledgements) stay proportional to the input.
    const limit = 3073 + 2048 + 16 * data.length;
    check(sent <= limit, `the session wrote ${sent} bytes for ${data.length} received (limit ${limit})`);
    return `${[...seen].sort().join(',')}|${flags & 0x37}`;
  },
};

/** What nginx-rtmp sent in a real session (test/fixtures/captured): S0 S1 S2, then its messages. */
function loadServerHandshake(): Buffer {
  try {
    return readFileSync(join(process.cwd(), 'test', 'fixtures', 'captured', 'nginx-s0s1s2.bin'));
  } catch {
    const fallback = Buffer.alloc(3073, 0x21);
    fallback[0] = 3;
    return fallback;
  }
}
let serverHandshake: Buffer | null = null;

export const clientSessionTarget: FuzzTarget = {
  name: 'client-session',
  description: 'ClientSession.handle after nginx-rtmp\'s real S0 S1 S2, over arbitrary server bytes (flags byte: options)',
  maxInputLength: 16 * 1024,
  dictionary: CHUNK_DICTIONARY,
  run(input: Buffer): string {
    serverHandshake ??= loadServerHandshake();
    const flags = input[0] ?? 0;
    const session = new ClientSession({
      target: { app: 'live2?backup=1', tcUrl: 'rtmp://example.test/live2?backup=1', streamName: 'key?a=b' },
      now: () => 0,
      maxMessageSize: (flags & 1) !== 0 ? 4096 : 8 * 1024 * 1024,
      ...((flags & 2) !== 0 ? { fourCcList: ['hvc1', 'av01'] } : {}),
    });
    let sent = sentBytes(session.start());
    const data = input.subarray(1);
    const seen = new Set<string>();
    let closed = false;
    const feeds = [serverHandshake, ...pieces(data)];
    for (const feed of feeds) {
      const out: SessionOutput<ClientSessionEvent> = session.handle(feed);
      if (closed) check(out.send.length === 0 && out.events.length === 0, 'a closed client session still acts');
      sent += sentBytes(out.send);
      for (const event of out.events) {
        seen.add(event.type);
        if (event.type === 'error') checkRtmpError(event.error, 'client-session');
        if (event.type === 'rejected') {
          check(typeof event.code === 'string' && typeof event.description === 'string', 'a rejection without code or description');
          check(session.isClosed, 'a rejected client session is still open');
        }
        if (event.type === 'publishing') {
          // (Later messages of the same read may already have closed the session again.)
          check(event.streamId === session.publishStreamId && event.streamId > 0, 'publishing without a stream');
          if (session.isPublishing) {
            const media = Buffer.from([0x17, 0x01, 0, 0, 0, 0xaa]);
            sent += sentBytes(session.sendMessage({ typeId: MessageType.Video, timestamp: data.length, streamId: 0, payload: media }, 6));
          }
        }
      }
      closed = session.isClosed;
    }
    if ((flags & 4) !== 0) {
      const finish = session.finish();
      sent += sentBytes(finish);
      check(session.isClosed && session.finish().length === 0, 'finish() twice sent twice');
    }
    const limit = 1537 + 1536 + 4096 + 16 * data.length;
    check(sent <= limit, `the client wrote ${sent} bytes for ${data.length} received (limit ${limit})`);
    return `${[...seen].sort().join(',')}|${flags & 7}`;
  },
};
