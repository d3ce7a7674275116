import test from 'ava';
import fc from 'fast-check';
import { RtmpError } from '../../src/rtmp/errors.js';
import { ServerHandshake } from '../../src/rtmp/handshake/server.js';
import type { HandshakeResult } from '../../src/rtmp/handshake/types.js';
import {
  SERVER_KEY,
  buildC0C1,
  counterBytes,
  oracleDigestPos,
  oracleFindDigest,
  oracleSignature,
} from './handshake-oracle.js';

const C2 = Buffer.alloc(1536, 0x5a); // the server does not check C2's content
// A chunk that follows C2 in the same TCP read: fmt 0, csid 3, connect command header start.
const FIRST_CHUNK_BYTES = Buffer.from([0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x9e, 0x14, 0x00, 0x00, 0x00, 0x00]);

const newServer = (): ServerHandshake =>
  new ServerHandshake({ now: () => 0x01020304, randomBytes: counterBytes(7) });

interface Outcome {
  sent: Buffer;
  rest: Buffer;
  results: HandshakeResult['status'][];
}

/** Feeds the pieces in order and gathers what the server sent and left over. */
function run(server: ServerHandshake, pieces: Buffer[]): Outcome {
  const sent: Buffer[] = [];
  const results: HandshakeResult['status'][] = [];
  let rest: Buffer = Buffer.alloc(0);
  let done = false;
  for (const piece of pieces) {
    if (piece.length === 0) continue; // the socket adapter never feeds empty reads
    if (done) {
      rest = Buffer.concat([rest, piece]); // after done, bytes go to the chunk layer
      continue;
    }
    const result = server.feed(piece);
    results.push(result.status);
    if (result.status === 'failed') throw result.error;
    sent.push(...result.send);
    if (result.status === 'done') {
      rest = result.rest;
      done = true;
    }
  }
  return { sent: Buffer.concat(sent), rest, results };
}

test('ffmpeg C1 (FP9 9.0.124.2, digest at field 8) gets a digest-form S1 and a signed S2', (t) => {
  const { c0c1, digest } = buildC0C1({ version: [9, 0, 124, 2], digestFieldAt: 8, seed: 1 });
  const server = newServer();
  const { sent } = run(server, [c0c1]);
  t.is(server.form, 'digest');
  t.is(sent.length, 3073);
  t.is(sent[0], 3); // S0
  const s1 = sent.subarray(1, 1537);
  const s2 = sent.subarray(1537);
  t.is(s1.readUInt32BE(0), 0x01020304); // time from the injected clock
  t.not(s1.readUInt32BE(4), 0); // a nonzero server version announces the digest form
  const found = oracleFindDigest(s1, 36, SERVER_KEY);
  t.truthy(found, 'S1 carries a valid FMS digest');
  t.is(found?.fieldAt, 8, 'same schema as the client');
  t.deepEqual(s2.subarray(1504), oracleSignature(s2, digest!, SERVER_KEY), 'S2 signed for the client digest');
});

test('librtmp FP9 C1 (10.0.45.2, digest at field 772) gets the digest form with the same schema', (t) => {
  const { c0c1, digest } = buildC0C1({ version: [10, 0, 45, 2], digestFieldAt: 772, seed: 2 });
  const server = newServer();
  const { sent } = run(server, [c0c1]);
  t.is(server.form, 'digest');
  const s1 = sent.subarray(1, 1537);
  const s2 = sent.subarray(1537);
  t.is(oracleFindDigest(s1, 36, SERVER_KEY)?.fieldAt, 772);
  t.deepEqual(s2.subarray(1504), oracleSignature(s2, digest!, SERVER_KEY));
});

test('a zero-version C1 (librtmp/OBS simple form) gets S1 with zero version and S2 = C1', (t) => {
  const { c0c1 } = buildC0C1({ time: 0xaabbccdd, version: [0, 0, 0, 0], seed: 3 });
  const server = newServer();
  const { sent } = run(server, [c0c1]);
  t.is(server.form, 'simple');
  t.is(sent.readUInt32BE(1 + 4), 0);
  t.deepEqual(sent.subarray(1537), c0c1.subarray(1));
});

test('a nonzero version with a wrong digest falls back to the simple form', (t) => {
  const { c0c1 } = buildC0C1({ version: [9, 0, 124, 2], digestFieldAt: 8, seed: 4 });
  const pos = oracleDigestPos(c0c1.subarray(1), 8);
  c0c1[1 + pos] = c0c1[1 + pos]! ^ 0xff; // break one digest byte
  const server = newServer();
  const { sent } = run(server, [c0c1]);
  t.is(server.form, 'simple');
  t.deepEqual(sent.subarray(1537), c0c1.subarray(1));
  t.is(oracleFindDigest(sent.subarray(1, 1537), 36, SERVER_KEY), null);
});

test('C2 and the first chunk bytes in one buffer: done, and rest is a view of exactly the chunk bytes', (t) => {
  const { c0c1 } = buildC0C1({ version: [0, 0, 0, 0], seed: 5 });
  const server = newServer();
  t.is(server.feed(c0c1).status, 'in-progress');
  const tail = Buffer.concat([C2, FIRST_CHUNK_BYTES]);
  const result = server.feed(tail);
  if (result.status !== 'done') return t.fail(result.status);
  t.deepEqual(result.send, []);
  t.deepEqual(result.rest, FIRST_CHUNK_BYTES);
  t.is(result.rest.buffer, tail.buffer, 'rest is not a copy');
});

test('everything in one buffer: S0S1S2 and done at once', (t) => {
  const { c0c1 } = buildC0C1({ version: [0, 0, 0, 0], seed: 6 });
  const result = newServer().feed(Buffer.concat([c0c1, C2, FIRST_CHUNK_BYTES]));
  if (result.status !== 'done') return t.fail(result.status);
  t.is(result.send.length, 1);
  t.is(result.send[0]!.length, 3073);
  t.deepEqual(result.rest, FIRST_CHUNK_BYTES);
});

for (const [label, version, fieldAt] of [
  ['digest', [9, 0, 124, 2], 8],
  ['simple', [0, 0, 0, 0], undefined],
] as const) {
  test(`${label}: the same output when the input is split at every offset`, (t) => {
    const { c0c1 } = buildC0C1({ version, ...(fieldAt === undefined ? {} : { digestFieldAt: fieldAt }), seed: 8 });
    const whole = Buffer.concat([c0c1, C2, FIRST_CHUNK_BYTES]);
    const reference = run(newServer(), [whole]);
    for (let cut = 0; cut <= whole.length; cut++) {
      const split = run(newServer(), [whole.subarray(0, cut), whole.subarray(cut)]);
      if (!split.sent.equals(reference.sent) || !split.rest.equals(reference.rest)) {
        return t.fail(`split at ${cut} differs`);
      }
    }
    const handshakeOnly = whole.subarray(0, 1537 + 1536);
    const byteByByte = run(newServer(), [...handshakeOnly].map((b) => Buffer.from([b])));
    t.deepEqual(byteByByte.sent, reference.sent);
    t.is(byteByByte.results.at(-1), 'done');
    t.is(byteByByte.results.filter((status) => status === 'done').length, 1);
    t.is(byteByByte.rest.length, 0);
  });
}

test('no output and no completion before the last byte of C1 and of C2', (t) => {
  const { c0c1 } = buildC0C1({ version: [0, 0, 0, 0], seed: 9 });
  const server = newServer();
  const first = server.feed(c0c1.subarray(0, 1536));
  t.deepEqual(first, { status: 'in-progress', send: [] });
  const second = server.feed(Buffer.concat([c0c1.subarray(1536), C2.subarray(0, 1535)]));
  t.is(second.status, 'in-progress');
  t.is(second.status === 'in-progress' ? second.send.length : -1, 1);
  const third = server.feed(C2.subarray(1535));
  t.is(third.status, 'done');
  t.is(third.status === 'done' ? third.rest.length : -1, 0);
});

for (const version of [6, 8, 9, 0, 0xff]) {
  test(`C0 version ${version} is refused with ERR_RTMP_HANDSHAKE_VERSION at the first byte`, (t) => {
    const server = newServer();
    const result = server.feed(Buffer.from([version]));
    if (result.status !== 'failed') return t.fail(result.status);
    t.true(result.error instanceof RtmpError);
    t.is(result.error.code, 'ERR_RTMP_HANDSHAKE_VERSION');
    // A failed machine stays failed.
    const again = server.feed(Buffer.alloc(1537, 3));
    t.is(again.status === 'failed' ? again.error.code : again.status, 'ERR_RTMP_HANDSHAKE_VERSION');
  });
}

test('bytes fed after completion are a state error', (t) => {
  const { c0c1 } = buildC0C1({ version: [0, 0, 0, 0], seed: 10 });
  const server = newServer();
  t.is(server.feed(Buffer.concat([c0c1, C2])).status, 'done');
  const after = server.feed(Buffer.from([1]));
  t.is(after.status === 'failed' ? after.error.code : after.status, 'ERR_RTMP_HANDSHAKE_STATE');
});

test('an empty feed before anything arrived is harmless', (t) => {
  const server = newServer();
  t.deepEqual(server.feed(Buffer.alloc(0)), { status: 'in-progress', send: [] });
  t.is(server.form, null);
});

test('the server queues only what it needs: a large tail after C2 comes back whole as rest', (t) => {
  const { c0c1 } = buildC0C1({ version: [0, 0, 0, 0], seed: 11 });
  const big = Buffer.alloc(1 << 20, 0x33);
  const input = Buffer.concat([c0c1, C2, big]);
  const result = newServer().feed(input);
  if (result.status !== 'done') return t.fail(result.status);
  t.is(result.rest.length, big.length);
  t.is(result.rest.byteOffset - input.byteOffset, 1537 + 1536);
});

test('property: random bytes after C0=3, in random pieces, never throw and end done or in progress', (t) => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 4000 }), fc.array(fc.nat(4000), { maxLength: 6 }), (body, cuts) => {
      const input = Buffer.concat([Buffer.from([3]), Buffer.from(body)]);
      const server = new ServerHandshake({ randomBytes: counterBytes(1) });
      const points = [...new Set(cuts.map((c) => c % (input.length + 1)))].sort((a, b) => a - b);
      let start = 0;
      let last: HandshakeResult | null = null;
      for (const point of [...points, input.length]) {
        last = server.feed(input.subarray(start, point));
        start = point;
        if (last.status !== 'in-progress') break;
      }
      const expected = input.length >= 3073 ? 'done' : 'in-progress';
      return last !== null && last.status === expected;
    }),
  );
  t.pass();
});
