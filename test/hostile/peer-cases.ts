// The hostile peers of test/hostile/peers.test.ts, one function per attack. Each peer connects from
// its own 127/8 address, so the server's `connection closed` log line (which names remoteAddress
// and reason) tells why exactly that peer was cut. Edges already proven one by one elsewhere (brute
// force, --max-message-size at 1000 B, --handshake-timeout, --max-connections 3) are in
// test/interop/ingest-limits.test.ts; here they run at scale, all at once, next to a live relay.
import { randomBytes } from 'node:crypto';
import type { ExecutionContext } from 'ava';
import type { RelayServer } from '../helpers/relay-server.js';
import { connectPublisher, orTimeout, sleep } from '../helpers/rtmp-publisher.js';
import type { RtmpSink, SinkPublish } from '../helpers/rtmp-sink.js';
import {
  amf0,
  avcFrame,
  basicHeader,
  fmt0,
  fmt1,
  fmt3,
  message,
  nestedObjects,
  openRawPeer,
  publishCommands,
  setChunkSize,
  type RawPeer,
} from './wire.js';

export interface CaseContext {
  readonly t: ExecutionContext;
  readonly server: RelayServer;
  readonly handshakeMs: number;
  /** The raw sink that receives the hostile publishers' events. */
  readonly hostileSink: RtmpSink;
}

type Log = Record<string, unknown>;

/** The server's close reasons for connections from `address`, in order. */
export function closeReasons(server: RelayServer, address: string): string[] {
  return server.logs().filter((l) => l['msg'] === 'connection closed' && l['remoteAddress'] === address).map((l) => String(l['reason']));
}

/** Waits for `count` close lines from `address`, then returns their reasons. */
export async function closedBy(server: RelayServer, address: string, count = 1): Promise<string[]> {
  let seen = 0;
  await server.waitForLog((l: Log) => l['msg'] === 'connection closed' && l['remoteAddress'] === address && ++seen >= count, 30_000);
  return closeReasons(server, address);
}

async function handshaken(ctx: CaseContext, address: string): Promise<RawPeer> {
  const peer = await openRawPeer(ctx.server.rtmpPort, address);
  ctx.t.teardown(peer.destroy);
  await peer.handshake();
  return peer;
}

/** Sends bytes after a valid handshake and expects that connection alone closed for `reason`. */
async function expectProtocolClose(ctx: CaseContext, address: string, bytes: Buffer, reason: RegExp, label: string): Promise<void> {
  const peer = await handshaken(ctx, address);
  peer.write(bytes);
  const closed = await orTimeout(peer.closed, 10_000, `${label}: closed by the server`);
  ctx.t.true(closed.byPeer, label);
  ctx.t.true(closed.afterMs < ctx.handshakeMs, `${label}: closed at once (${closed.afterMs} ms), not at the handshake timeout`);
  const reasons = await closedBy(ctx.server, address);
  ctx.t.regex(reasons[0] ?? '', reason, label);
}

/** A message length field of 0xFFFFFF (16 MiB − 1, the most 24 bits declare) and 8 MiB + 1: closed on the header. */
export async function declaredLengths(ctx: CaseContext): Promise<void> {
  const huge = Buffer.concat([fmt0(3, { timestamp: 0, length: 0xffffff, typeId: 20, streamId: 0 }), Buffer.alloc(100, 0x41)]);
  await expectProtocolClose(ctx, '127.0.0.12', huge, /^protocol error ERR_RTMP_MESSAGE_TOO_LARGE: message of 16777215 bytes/, 'length 0xFFFFFF');
  const over = fmt0(6, { timestamp: 0, length: 8 * 1024 * 1024 + 1, typeId: 9, streamId: 1 });
  await expectProtocolClose(ctx, '127.0.0.13', over, /^protocol error ERR_RTMP_MESSAGE_TOO_LARGE: message of 8388609 bytes/, 'length 8 MiB + 1');
}

/**
 * 20 connections each declare a message of exactly 8 MiB (the limit: accepted) and send 60 KiB of
 * it: memory follows the bytes that arrived, never the declared length (the RSS bound would catch
 * 160 MiB). They never publish, so the handshake timeout closes them.
 */
export async function declaredButNotSent(ctx: CaseContext): Promise<void> {
  const address = '127.0.0.14';
  const peers = await Promise.all(Array.from({ length: 20 }, () => handshaken(ctx, address)));
  for (const peer of peers) {
    peer.write(setChunkSize(65_536));
    peer.write(Buffer.concat([fmt0(6, { timestamp: 0, length: 8 * 1024 * 1024, typeId: 9, streamId: 1 }), Buffer.alloc(60 * 1024, 0x5a)]));
  }
  const closed = await orTimeout(Promise.all(peers.map((p) => p.closed)), ctx.handshakeMs + 10_000, 'held messages closed');
  for (const c of closed) ctx.t.true(c.afterMs >= ctx.handshakeMs - 500, `declared-8MiB peer closed after ${c.afterMs} ms`);
  ctx.t.deepEqual(await closedBy(ctx.server, address, 20), Array(20).fill('handshake timeout'));
}

/** 10,000 chunk streams (one-, two- and three-byte basic headers): cut at the 65th. */
export async function manyChunkStreams(ctx: CaseContext): Promise<void> {
  const chunks: Buffer[] = [];
  for (let i = 0; i < 10_000; i++) {
    // csid 3.. 10002: 1-byte form up to 63, 2-byte up to 319, 3-byte beyond. A 1-byte audio message each.
    chunks.push(fmt0(3 + i, { timestamp: 0, length: 1, typeId: 8, streamId: 1 }), Buffer.from([0xaf]));
  }
  await expectProtocolClose(
    ctx,
    '127.0.0.15',
    Buffer.concat(chunks),
    /^protocol error ERR_RTMP_TOO_MANY_CHUNK_STREAMS: chunk stream 67 would be number 65, over the limit of 64/,
    '10,000 chunk streams',
  );
}

/** A connect whose command object nests 10,000 objects deep: a coded error, not a stack overflow. */
export async function deepAmf(ctx: CaseContext): Promise<void> {
  const body = Buffer.concat([amf0('connect', 1), nestedObjects(10_000)]);
  const bytes = Buffer.concat([setChunkSize(1 << 20), message(3, { timestamp: 0, typeId: 20, streamId: 0 }, body, 1 << 20)]);
  await expectProtocolClose(ctx, '127.0.0.16', bytes, /^protocol error ERR_RTMP_AMF_DEPTH/, 'AMF nesting 10,000 deep');
}

/** Garbage after a valid handshake: all-0xFF (fmt 3 first on csid 63), then 64 KiB of random bytes. */
export async function garbage(ctx: CaseContext): Promise<void> {
  await expectProtocolClose(ctx, '127.0.0.17', Buffer.alloc(4096, 0xff), /^protocol error ERR_RTMP_CHUNK_FIRST_HEADER/, '0xFF garbage');
  // Random bytes may also look like the start of a long message and wait for it: then the
  // handshake timeout ends them. Either way only this connection pays.
  const peers = await Promise.all(Array.from({ length: 8 }, () => handshaken(ctx, '127.0.0.18')));
  for (const peer of peers) peer.write(randomBytes(64 * 1024));
  await orTimeout(Promise.all(peers.map((p) => p.closed)), ctx.handshakeMs + 10_000, 'random garbage closed');
  for (const reason of await closedBy(ctx.server, '127.0.0.18', 8)) ctx.t.regex(reason, /^protocol error ERR_RTMP_[A-Z_]+: |^handshake timeout$/);
}

/** HTTP and RTMPE sent to the RTMP port: refused on the version byte, at once. */
export async function wrongProtocols(ctx: CaseContext): Promise<void> {
  const cases: Array<[string, Buffer, string]> = [
    ['127.0.0.19', Buffer.from('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: curl/8\r\n\r\n', 'latin1'), 'HTTP GET'],
    ['127.0.0.20', Buffer.concat([Buffer.from([0x06]), randomBytes(1536)]), 'RTMPE C0 (version 6)'],
  ];
  for (const [address, bytes, label] of cases) {
    const peer = await openRawPeer(ctx.server.rtmpPort, address);
    ctx.t.teardown(peer.destroy);
    peer.write(bytes);
    const closed = await orTimeout(peer.closed, 10_000, label);
    ctx.t.true(closed.afterMs < ctx.handshakeMs, `${label}: closed after ${closed.afterMs} ms`);
    ctx.t.false(peer.received().includes('HTTP/', 0, 'latin1'), `${label}: no HTTP answer`);
    ctx.t.regex((await closedBy(ctx.server, address))[0] ?? '', /^protocol error ERR_RTMP_HANDSHAKE_VERSION/, label);
  }
}

/** Slowloris: C0+C1 one byte per 100 ms (10 peers), and a connect trickled after the handshake. */
export async function slowloris(ctx: CaseContext): Promise<void> {
  const c0c1 = Buffer.concat([Buffer.from([0x03]), Buffer.alloc(1536)]);
  const trickle = async (peer: RawPeer, bytes: Buffer): Promise<void> => {
    for (let i = 0; i < bytes.length && !peer.isClosed(); i++) {
      peer.write(bytes.subarray(i, i + 1));
      await sleep(100);
    }
  };
  const handshakePeers = await Promise.all(Array.from({ length: 10 }, () => openRawPeer(ctx.server.rtmpPort, '127.0.0.21')));
  for (const peer of handshakePeers) {
    ctx.t.teardown(peer.destroy);
    void trickle(peer, c0c1);
  }
  const afterHandshake = await handshaken(ctx, '127.0.0.22');
  void trickle(afterHandshake, publishCommands(ctx.server.rtmpPort, 'never-gets-there'));
  const closed = await orTimeout(Promise.all([...handshakePeers, afterHandshake].map((p) => p.closed)), ctx.handshakeMs + 10_000, 'slowloris closed');
  for (const c of closed) {
    ctx.t.true(c.byPeer && c.afterMs >= ctx.handshakeMs - 300 && c.afterMs < ctx.handshakeMs + 3000, `slowloris closed after ${c.afterMs} ms`);
  }
  ctx.t.deepEqual(await closedBy(ctx.server, '127.0.0.21', 10), Array(10).fill('handshake timeout'));
  ctx.t.deepEqual(await closedBy(ctx.server, '127.0.0.22'), ['handshake timeout']);
}

/** A second publisher on the healthy event's key while it is live: refused, the first keeps going. */
export async function samePublishKey(ctx: CaseContext, liveKey: string): Promise<void> {
  const second = connectPublisher({ url: ctx.server.rtmpUrl, streamName: liveKey, localAddress: '127.0.0.23' });
  ctx.t.teardown(second.destroy);
  ctx.t.like(await second.outcome, { kind: 'rejected', stage: 'publish', code: 'NetStream.Publish.BadName' });
  await orTimeout(second.closed, 10_000, 'second publisher closed');
  ctx.t.deepEqual(await closedBy(ctx.server, '127.0.0.23'), ['publish refused: NetStream.Publish.BadName']);
}

/** Six guessed keys from one address: five refused by name, the sixth at accept (details: ingest-limits). */
export async function bruteForce(ctx: CaseContext): Promise<void> {
  const outcomes: string[] = [];
  for (let i = 0; i < 6; i++) {
    const guess = connectPublisher({ url: ctx.server.rtmpUrl, streamName: `guess-${i}-${randomBytes(6).toString('hex')}`, localAddress: '127.0.0.24' });
    ctx.t.teardown(guess.destroy);
    const outcome = await guess.outcome;
    outcomes.push(outcome.kind === 'rejected' ? outcome.code : outcome.kind === 'closed' ? `closed in ${outcome.close.stage}` : outcome.kind);
    await orTimeout(guess.closed, 10_000, `guess ${i} closed`);
  }
  ctx.t.deepEqual(outcomes.slice(0, 5), Array(5).fill('NetStream.Publish.BadName'), outcomes.join(', '));
  ctx.t.regex(outcomes[5] ?? '', /^closed in (tcp|handshake)$/, outcomes.join(', '));
}

/** Publishes `key` with raw commands (after `prelude`) and waits for Publish.Start. */
async function rawPublisher(ctx: CaseContext, address: string, key: string, prelude: Buffer, chunkSize: number): Promise<RawPeer> {
  const peer = await handshaken(ctx, address);
  peer.write(Buffer.concat([prelude, publishCommands(ctx.server.rtmpPort, key, chunkSize)]));
  await peer.waitForText('NetStream.Publish.Start');
  return peer;
}

/** Waits until the sink's publish holds `payloads` (in order) after its first message. */
async function expectRelayed(ctx: CaseContext, publish: SinkPublish, payloads: readonly Buffer[], label: string): Promise<void> {
  await publish.waitForMessages(payloads.length, 15_000).catch(() => undefined);
  const got = publish.messages.map((m) => m.payload);
  ctx.t.is(got.length, payloads.length, `${label}: message count`);
  ctx.t.true(payloads.every((p, i) => got[i]?.equals(p) === true), `${label}: payloads byte for byte, in order`);
  // CONTRACT §4: monotonic per track on a destination connection (the relay keeps each track's own clock).
  for (const typeId of new Set(publish.messages.map((m) => m.typeId))) {
    const stamps = publish.messages.filter((m) => m.typeId === typeId).map((m) => m.timestamp);
    ctx.t.true(stamps.every((ts, i) => i === 0 || ts >= stamps[i - 1]!), `${label}: type ${typeId} timestamps never go back (${stamps.join(',')})`);
  }
}

/**
 * Set Chunk Size 0x7FFFFFFF, then an ordinary publish of small messages: each message is one chunk,
 * nothing is sized by the chunk size, and the relay forwards them byte for byte.
 */
export async function hugeChunkSize(ctx: CaseContext, key: string, destinationKey: string): Promise<void> {
  const peer = await rawPublisher(ctx, '127.0.0.11', key, setChunkSize(0x7fffffff), 0x7fffffff);
  const first = avcFrame(true, 100, 0x11);
  peer.write(message(6, { timestamp: 0, typeId: 9, streamId: 1 }, first, 0x7fffffff));
  const publish = await ctx.hostileSink.waitForPublish((p) => p.streamName === destinationKey, 15_000);
  await publish.waitForMessages(1, 15_000);
  const small = Array.from({ length: 30 }, (_, i) => (i % 3 === 0 ? Buffer.from([0xaf, 0x01, i, i]) : avcFrame(false, 20 + i, i)));
  small.forEach((body, i) => peer.write(message(body[0] === 0xaf ? 4 : 6, { timestamp: 33 * (i + 1), typeId: body[0] === 0xaf ? 8 : 9, streamId: 1 }, body, 0x7fffffff)));
  await expectRelayed(ctx, publish, [first, ...small], 'after Set Chunk Size 0x7FFFFFFF');
  ctx.t.false(peer.isClosed(), 'the huge-chunk-size publisher is still connected');
  peer.destroy();
  ctx.t.deepEqual(await closedBy(ctx.server, '127.0.0.11'), ['peer closed']);
}

/**
 * Extended-timestamp tricks on a publishing connection: a 32-bit timestamp with the extended field
 * repeated on continuation chunks (spec), a fmt-3 message start that carries its own extended
 * field, continuations that omit it (librtmp 2.3), a timestamp going backwards, a 32-bit wrap, and
 * onMetaData nested 10,000 deep. All are tolerated: the relay forwards every payload unchanged,
 * no track's timestamps go back on the destination, and the connection stays up.
 */
export async function extendedTimestamps(ctx: CaseContext, key: string, destinationKey: string): Promise<void> {
  const peer = await rawPublisher(ctx, '127.0.0.25', key, Buffer.alloc(0), 128);
  const k0 = avcFrame(true, 100, 0x10);
  peer.write(message(6, { timestamp: 0, typeId: 9, streamId: 1 }, k0));
  const publish = await ctx.hostileSink.waitForPublish((p) => p.streamName === destinationKey, 15_000);
  await publish.waitForMessages(1, 15_000);

  const m1 = avcFrame(false, 300, 0x21);
  const m2 = avcFrame(false, 300, 0x22);
  const m3 = avcFrame(false, 300, 0x23);
  const m4 = avcFrame(false, 50, 0x24);
  const m5 = avcFrame(false, 50, 0x25);
  const m6 = avcFrame(false, 50, 0x26);
  const m7 = avcFrame(true, 100, 0x27);
  const deepMetadata = Buffer.concat([amf0('@setDataFrame', 'onMetaData'), nestedObjects(10_000)]);
  const m9 = avcFrame(true, 100, 0x29);
  // One message per write, each awaited at the sink: each arrives in its own read, so the relay's
  // queue never holds two messages 4 hours of media apart (that would be over its 2 s bound and
  // drop inter frames, rightly: this test is about decoding and forwarding the tricks).
  const steps: Array<[Buffer, string]> = [
    // m1: fmt 0, timestamp 0x01000000 → marker 0xFFFFFF + extended field; continuations repeat it.
    [message(6, { timestamp: 0x01000000, typeId: 9, streamId: 1 }, m1), '32-bit timestamp, extended field repeated'],
    // m2: a fmt-3 chunk starting a message (same length 300) carries a new extended field: a delta of 0x01000000.
    [Buffer.concat([fmt3(6, 0x01000000), m2.subarray(0, 128), fmt3(6, 0x01000000), m2.subarray(128, 256), fmt3(6, 0x01000000), m2.subarray(256)]), 'fmt-3 message start with an extended field'],
    // m3: extended timestamp 0x02000100, continuation chunks WITHOUT the repeated field (librtmp 2.3).
    [Buffer.concat([fmt0(6, { timestamp: 0x02000100, length: 300, typeId: 9, streamId: 1 }), m3.subarray(0, 128), basicHeader(3, 6), m3.subarray(128, 256), basicHeader(3, 6), m3.subarray(256)]), 'extended field omitted on continuations'],
    // m4: backwards, to 1000 ms.
    [message(6, { timestamp: 1000, typeId: 9, streamId: 1 }, m4), 'a timestamp going back'],
    // m5 at 0xFFFFFFF0, then m6 as fmt 1 with delta 0x20: the sum wraps to 0x10.
    [message(6, { timestamp: 0xfffffff0, typeId: 9, streamId: 1 }, m5), 'timestamp 0xFFFFFFF0'],
    [Buffer.concat([fmt1(6, 0x20, m6.length, 9), m6]), '32-bit wrap by a delta'],
    [message(6, { timestamp: 2000, typeId: 9, streamId: 1 }, m7), 'a keyframe'],
    [message(5, { timestamp: 2000, typeId: 18, streamId: 1 }, deepMetadata), 'onMetaData 10,000 deep'],
    [message(6, { timestamp: 3000, typeId: 9, streamId: 1 }, m9), 'a last keyframe'],
  ];
  for (const [i, [bytes, label]] of steps.entries()) {
    peer.write(bytes);
    await publish.waitForMessages(i + 2, 10_000).catch(() => ctx.t.fail(`${label}: not relayed`));
  }
  await expectRelayed(ctx, publish, [k0, m1, m2, m3, m4, m5, m6, m7, deepMetadata, m9], 'extended-timestamp tricks');
  ctx.t.false(peer.isClosed(), 'the extended-timestamp publisher is still connected');
  peer.destroy();
  ctx.t.deepEqual(await closedBy(ctx.server, '127.0.0.25'), ['peer closed']);
}
