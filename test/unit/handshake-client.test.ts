import test from 'ava';
import { ClientHandshake } from '../../src/rtmp/handshake/client.js';
import { ServerHandshake } from '../../src/rtmp/handshake/server.js';
import type { HandshakeResult } from '../../src/rtmp/handshake/types.js';
import {
  PLAYER_KEY,
  SERVER_KEY,
  counterBytes,
  oracleFindDigest,
  oracleImprint,
  oracleSignature,
} from './handshake-oracle.js';

const newClient = (form: 'simple' | 'digest' = 'simple'): ClientHandshake =>
  new ClientHandshake({ form, now: () => 1234, randomBytes: counterBytes(21) });

/** An FMS-like S0+S1+S2 built by the oracle: digest S1 at `fieldAt`, S2 signed for the C1 digest or echoed. */
function fmsReply(c1: Buffer, fieldAt: 8 | 772, signS2: boolean): { reply: Buffer; s1: Buffer; s1Digest: Buffer } {
  const reply = Buffer.alloc(3073);
  reply[0] = 3; // S0
  const s1 = reply.subarray(1, 1537);
  s1.writeUInt32BE(99, 0); // time
  Buffer.from([4, 5, 0, 1]).copy(s1, 4); // server version 4.5.0.1
  counterBytes(33)(1528).copy(s1, 8);
  const s1Digest = oracleImprint(s1, fieldAt, 36, SERVER_KEY);
  const s2 = reply.subarray(1537);
  if (signS2) {
    counterBytes(44)(1504).copy(s2);
    const c1Digest = oracleFindDigest(c1, 30, PLAYER_KEY)!.digest;
    oracleSignature(s2, c1Digest, SERVER_KEY).copy(s2, 1504);
  } else {
    c1.copy(s2);
  }
  return { reply, s1, s1Digest };
}

test('simple client: C0=3, C1 with time and zero version', (t) => {
  const client = newClient();
  const c0c1 = client.start();
  t.is(c0c1.length, 1537);
  t.is(c0c1[0], 3);
  t.is(c0c1.readUInt32BE(1), 1234);
  t.is(c0c1.readUInt32BE(5), 0);
  t.is(client.start(), c0c1, 'start() is idempotent');
});

test('digest client: C1 like ffmpeg (9.0.124.2, player digest at field 8)', (t) => {
  const c1 = newClient('digest').start().subarray(1);
  t.deepEqual([...c1.subarray(4, 8)], [9, 0, 124, 2]);
  t.is(oracleFindDigest(c1, 30, PLAYER_KEY)?.fieldAt, 8);
});

test('digest client and an FMS-style server (S1 digest at field 772): C2 signed for the S1 digest', (t) => {
  const client = newClient('digest');
  const c1 = client.start().subarray(1);
  const { reply, s1Digest } = fmsReply(c1, 772, true);
  const result = client.feed(reply);
  if (result.status !== 'done') return t.fail(result.status);
  t.is(result.send.length, 1);
  const c2 = result.send[0]!;
  t.is(c2.length, 1536);
  t.deepEqual(c2.subarray(1504), oracleSignature(c2, s1Digest, PLAYER_KEY));
  t.is(client.serverHandshakeForm, 'digest');
  t.true(client.serverResponseMatched);
});

test('digest client and a simple server: C2 echoes S1; a wrong S2 is tolerated but reported', (t) => {
  const client = newClient('digest');
  client.start();
  const reply = Buffer.alloc(3073, 0x11);
  reply[0] = 3;
  const result = client.feed(reply);
  if (result.status !== 'done') return t.fail(result.status);
  t.deepEqual(result.send[0], reply.subarray(1, 1537));
  t.is(client.serverHandshakeForm, 'simple');
  t.false(client.serverResponseMatched);
});

test('simple client: C2 echoes S1 even when S1 has a valid digest; S2 echo with a changed time2 matches', (t) => {
  const client = newClient();
  const c1 = client.start().subarray(1);
  const { reply, s1 } = fmsReply(c1, 8, false);
  reply.writeUInt32BE(777, 1537 + 4); // time2 = when the server read C1 (spec 5.2.4)
  const result = client.feed(reply);
  if (result.status !== 'done') return t.fail(result.status);
  t.deepEqual(result.send[0], s1);
  t.true(client.serverResponseMatched);
});

test('C2 goes out once S1 is complete; done (with the bytes after S2 as rest) once S2 is', (t) => {
  const client = newClient();
  const c1 = client.start().subarray(1);
  const { reply } = fmsReply(c1, 8, false);
  const trailing = Buffer.from([0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x05]); // a control chunk header
  const first = client.feed(reply.subarray(0, 1536));
  t.deepEqual(first, { status: 'in-progress', send: [] });
  const second = client.feed(reply.subarray(1536, 1537));
  t.is(second.status, 'in-progress');
  t.is(second.status === 'in-progress' ? second.send.length : -1, 1);
  const third = client.feed(Buffer.concat([reply.subarray(1537), trailing]));
  if (third.status !== 'done') return t.fail(third.status);
  t.deepEqual(third.send, []);
  t.deepEqual(third.rest, trailing);
});

test('split at every offset gives the same C2 and rest', (t) => {
  const template = newClient('digest');
  const c1 = template.start().subarray(1);
  const { reply } = fmsReply(c1, 8, true);
  const whole = Buffer.concat([reply, Buffer.from([9, 9, 9])]);
  const collect = (pieces: Buffer[]): { c2: Buffer; rest: Buffer } => {
    const client = newClient('digest');
    client.start();
    const sent: Buffer[] = [];
    let rest: Buffer = Buffer.alloc(0);
    let done = false;
    for (const piece of pieces) {
      if (piece.length === 0) continue;
      if (done) {
        rest = Buffer.concat([rest, piece]); // after done, bytes go to the chunk layer
        continue;
      }
      const r: HandshakeResult = client.feed(piece);
      if (r.status === 'failed') throw r.error;
      sent.push(...r.send);
      if (r.status === 'done') {
        rest = r.rest;
        done = true;
      }
    }
    return { c2: Buffer.concat(sent), rest };
  };
  const reference = collect([whole]);
  t.is(reference.c2.length, 1536);
  for (let cut = 0; cut <= whole.length; cut++) {
    const split = collect([whole.subarray(0, cut), whole.subarray(cut)]);
    if (!split.c2.equals(reference.c2) || !split.rest.equals(reference.rest)) return t.fail(`split at ${cut}`);
  }
  t.deepEqual(reference.rest, Buffer.from([9, 9, 9]));
});

test('server version byte other than 3 is refused; feeding before start() is a state error', (t) => {
  const client = newClient();
  client.start();
  const bad = client.feed(Buffer.from([6]));
  t.is(bad.status === 'failed' ? bad.error.code : bad.status, 'ERR_RTMP_HANDSHAKE_VERSION');
  const early = newClient().feed(Buffer.from([3]));
  t.is(early.status === 'failed' ? early.error.code : early.status, 'ERR_RTMP_HANDSHAKE_STATE');
});

for (const form of ['simple', 'digest'] as const) {
  test(`client and server in memory complete the ${form} handshake both ways`, (t) => {
    const client = new ClientHandshake({ form });
    const server = new ServerHandshake();
    const toServer = server.feed(client.start());
    if (toServer.status !== 'in-progress') return t.fail(toServer.status);
    const toClient = client.feed(Buffer.concat(toServer.send));
    if (toClient.status !== 'done') return t.fail(toClient.status);
    const connect = Buffer.from([0x03, 0, 0, 0]);
    const end = server.feed(Buffer.concat([...toClient.send, connect]));
    if (end.status !== 'done') return t.fail(end.status);
    t.deepEqual(end.rest, connect);
    t.is(server.form, form);
    t.is(client.serverHandshakeForm, form);
    t.true(client.serverResponseMatched);
  });
}
