import test from 'ava';
import { RtmpError } from '../../src/rtmp/errors.js';
import { ChunkDecoder } from '../../src/rtmp/chunk/decoder.js';
import { decodeCommand, type Command } from '../../src/rtmp/message/commands.js';
import type { RtmpMessage } from '../../src/rtmp/message/types.js';
import type { ServerSessionEvent } from '../../src/rtmp/session/events.js';
import { ServerSession } from '../../src/rtmp/session/server-session.js';

// ServerSession's two per-connection limits at their edges (coverage showed neither was exercised):
// MAX_STREAMS message streams (a createStream flood) and MAX_HELD_MESSAGES media messages held while
// a publish awaits the application's answer. Client bytes are built here by hand, not by our encoder.

/** C0, then C1 and C2 with a zero version field (the simple handshake). */
const HANDSHAKE = Buffer.concat([Buffer.from([3]), Buffer.alloc(1536 * 2, 0x11)]);

/** One fmt-0 chunk: csid, timestamp 0, length, type, stream id (little-endian), payload (< 128 bytes). */
function chunk(csid: number, typeId: number, streamId: number, payload: Buffer): Buffer {
  if (payload.length >= 128) throw new Error('one chunk only');
  const header = Buffer.from([csid, 0, 0, 0, 0, 0, payload.length, typeId, streamId & 0xff, 0, 0, 0]);
  return Buffer.concat([header, payload]);
}

const str = (s: string): Buffer => Buffer.concat([Buffer.from([0x02, 0, s.length]), Buffer.from(s, 'latin1')]);
const num = (n: number): Buffer => {
  const b = Buffer.alloc(9);
  b[0] = 0x00;
  b.writeDoubleBE(n, 1);
  return b;
};
const NULL = Buffer.from([0x05]);
const command = (streamId: number, ...parts: Buffer[]): Buffer => chunk(3, 20, streamId, Buffer.concat(parts));
const CONNECT = command(0, str('connect'), num(1), Buffer.from([0x03]), Buffer.from([0, 3]), Buffer.from('app'), str('live'), Buffer.from([0, 0, 9]));
const createStream = (txn: number): Buffer => command(0, str('createStream'), num(txn), NULL);
const deleteStream = (txn: number, id: number): Buffer => command(0, str('deleteStream'), num(txn), NULL, num(id));

/** Feeds the buffers; returns the commands the server answered with (decoded by `decoder`) and its events. */
function run(session: ServerSession, buffers: Buffer[], decoder: ChunkDecoder): { replies: Command[]; events: ServerSessionEvent[] } {
  const events: ServerSessionEvent[] = [];
  const messages: RtmpMessage[] = [];
  for (const buffer of buffers) {
    const out = session.handle(buffer);
    events.push(...out.events);
    for (const piece of out.send.slice(buffer === HANDSHAKE ? 1 : 0)) {
      const error = decoder.push(piece, messages);
      if (error) throw error;
    }
  }
  const replies = messages.filter((m) => m.typeId === 20).map((m) => decodeCommand(m)).filter((c): c is Command => !(c instanceof RtmpError));
  return { replies, events };
}

test('createStream: exactly MAX_STREAMS streams at once, one more is refused, a deleted one frees its place', (t) => {
  t.is(ServerSession.MAX_STREAMS, 16);
  const session = new ServerSession({ now: () => 0 });
  const creates = Array.from({ length: 17 }, (_, i) => createStream(2 + i));
  const { replies } = run(session, [HANDSHAKE, CONNECT, ...creates, deleteStream(40, 3), createStream(41)], new ChunkDecoder());
  const answers = replies.filter((c) => c.transactionId >= 2);
  t.is(answers.length, 18);
  answers.slice(0, 16).forEach((answer, i) => t.like(answer, { name: '_result', transactionId: 2 + i, info: i + 1 }));
  t.like(answers[16], { name: '_error', transactionId: 18 });
  t.is(answers[16]!.name === '_error' ? answers[16]!.status?.code : null, 'NetConnection.Call.Failed');
  t.like(answers[17], { name: '_result', transactionId: 41, info: 17 }, 'the place of deleted stream 3 was not freed');
});

test('publish awaiting its answer: MAX_HELD_MESSAGES media messages are held and replayed in order, the rest dropped', (t) => {
  t.is(ServerSession.MAX_HELD_MESSAGES, 256);
  const session = new ServerSession({ now: () => 0 });
  const publish = command(1, str('publish'), num(0), NULL, str('key'));
  const media = Array.from({ length: 300 }, (_, i) => chunk(6, 9, 1, Buffer.from([0x27, 0x01, i >> 8, i & 0xff])));
  const decoder = new ChunkDecoder();
  const { events } = run(session, [HANDSHAKE, CONNECT, createStream(2), Buffer.concat([publish, ...media])], decoder);
  t.is(events.filter((e) => e.type === 'media').length, 0, 'media went out before the publish was accepted');
  t.like(
    events.find((e) => e.type === 'publish-request'),
    { streamId: 1, streamName: 'key' },
  );
  const accepted = session.acceptPublish(1, 'key');
  const replayed = accepted.events.filter((e): e is Extract<ServerSessionEvent, { type: 'media' }> => e.type === 'media');
  t.is(replayed.length, 256);
  t.deepEqual(
    replayed.map((e) => e.message.payload.readUInt16BE(2)),
    Array.from({ length: 256 }, (_, i) => i),
  );
  const later = run(session, [Buffer.from([0xc6, 0x17, 0x01, 0xff, 0xff])], decoder); // fmt 3: same header as before
  t.is(later.events.filter((e) => e.type === 'media').length, 1, 'media after the answer is not passed straight on');
});
