// Issue 2/8, the ingest's limits against our real server process (CONTRACT §1, §2), each at its
// edge: brute-force throttling per address, --max-message-size, --handshake-timeout and
// --max-connections. Our raw publisher and player show exactly where a connection was cut.
import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import test, { type ExecutionContext } from 'ava';
import { ClientHandshake } from '../../src/rtmp/handshake/client.js';
import { startRelayServer, type RelayServer } from '../helpers/relay-server.js';
import { connectPlayer, type RtmpPlayer } from '../helpers/rtmp-player.js';
import { connectPublisher, orTimeout, type PublishOutcome, type RtmpClientOptions, type RtmpPublisher } from '../helpers/rtmp-publisher.js';
import { tmpDirFor } from '../helpers/tmp.js';

const KEY = 'evt-key-7f3a9c2e41b8';
const OTHER_KEY = 'evt-key-second-55d0e1';
type Log = Record<string, unknown>;

async function relayFor(t: ExecutionContext, args: readonly string[]): Promise<RelayServer> {
  return startRelayServer(t, ['--data-dir', await tmpDirFor(t, 'rtmp-relay-data-'), '--log-level', 'debug', ...args]);
}

function publisherFor(t: ExecutionContext, options: RtmpClientOptions): RtmpPublisher {
  const publisher = connectPublisher(options);
  t.teardown(publisher.destroy);
  return publisher;
}

function playerFor(t: ExecutionContext, options: RtmpClientOptions): RtmpPlayer {
  const player = connectPlayer(options);
  t.teardown(player.destroy);
  return player;
}

/** Closed by the server before the RTMP handshake completed (refused at accept). */
function refusedAtAccept(outcome: PublishOutcome): boolean {
  return outcome.kind === 'closed' && outcome.close.byPeer && (outcome.close.stage === 'tcp' || outcome.close.stage === 'handshake');
}

/** An AVC keyframe (FLV video tag body) of exactly `size` bytes; the NAL bytes are filler. */
function keyframe(size: number, fill: number): Buffer {
  const payload = Buffer.alloc(size, fill);
  payload.set([0x17, 0x01, 0x00, 0x00, 0x00], 0); // keyframe | AVC, NALU, composition time 0
  return payload;
}

/** A waitForLog predicate that holds on the n-th matching line (each line is offered once). */
function nth(n: number, match: (line: Log) => boolean): (line: Log) => boolean {
  let seen = 0;
  return (line) => match(line) && ++seen >= n;
}

const closedWith = (reason: RegExp) => (line: Log): boolean => line['msg'] === 'connection closed' && reason.test(String(line['reason']));

test('brute force: after 5 refused keys the address is refused at accept; another address still publishes', async (t) => {
  const server = await relayFor(t, ['--ingest-key', KEY]);
  const outcomes: PublishOutcome[] = [];
  for (let i = 0; i < 10; i++) {
    const guess = publisherFor(t, { url: server.rtmpUrl, streamName: `guess-${i}-a1b2c3d4e5` });
    outcomes.push(await guess.outcome);
    await orTimeout(guess.closed, 10_000, `guess ${i} closed by the server`);
  }
  const described = outcomes.map((o) => (o.kind === 'rejected' ? o.code : o.kind === 'closed' ? `closed in ${o.close.stage}` : o.kind));
  t.deepEqual(described.slice(0, 5), Array(5).fill('NetStream.Publish.BadName'), described.join(', '));
  t.true(outcomes.slice(5).every(refusedAtAccept), described.join(', '));

  const sameAddress = publisherFor(t, { url: server.rtmpUrl, streamName: KEY });
  t.true(refusedAtAccept(await sameAddress.outcome), 'the address is refused, whatever the key');
  const otherAddress = publisherFor(t, { url: server.rtmpUrl, streamName: KEY, localAddress: '127.0.0.2' });
  t.like(await otherAddress.outcome, { kind: 'publishing' });
  const isThrottled = (line: Log): boolean => line['msg'] === 'address throttled: too many refused publishes';
  await server.waitForLog(isThrottled);
  const throttled = server.logs().filter(isThrottled);
  t.is(throttled.length, 1, 'logged once per address and window');
  t.is(throttled[0]?.['remoteAddress'], '127.0.0.1');
});

test('--max-message-size 1000B: 1000 bytes pass byte for byte, 1001 close that connection only', async (t) => {
  // No grace: the viewer of the cut publisher is told at once that its stream ended.
  const server = await relayFor(t, ['--ingest-key', KEY, '--ingest-key', OTHER_KEY, '--max-message-size', '1000B', '--publish-grace', '0']);
  const big = publisherFor(t, { url: server.rtmpUrl, streamName: KEY, chunkSize: 128 }); // messages span chunks
  const other = publisherFor(t, { url: server.rtmpUrl, streamName: OTHER_KEY });
  t.like(await big.outcome, { kind: 'publishing' });
  t.like(await other.outcome, { kind: 'publishing' });
  const viewer = playerFor(t, { url: server.rtmpUrl, streamName: KEY });
  const otherViewer = playerFor(t, { url: server.rtmpUrl, streamName: OTHER_KEY });
  t.like(await viewer.outcome, { kind: 'playing' });
  t.like(await otherViewer.outcome, { kind: 'playing' });

  const atLimit = keyframe(1000, 0xa5);
  big.send({ typeId: 9, timestamp: 0, payload: atLimit });
  await viewer.waitUntil(() => viewer.messages.some((m) => m.typeId === 9), 10_000, 'the 1000-byte message');
  t.true(viewer.messages.find((m) => m.typeId === 9)?.payload.equals(atLimit));

  big.send({ typeId: 9, timestamp: 33, payload: keyframe(1001, 0x5a) });
  t.true((await orTimeout(big.closed, 10_000, 'the 1001-byte publisher is closed')).byPeer);
  const closed = await server.waitForLog(closedWith(/./));
  t.regex(String(closed['reason']), /protocol error|too large|message size/i, 'the close is logged with its reason');
  await orTimeout(viewer.closed, 10_000, 'its viewer is told the stream ended');
  t.false(viewer.messages.some((m) => m.payload.length === 1001), 'the oversized message was not forwarded');

  const stillFine = keyframe(1000, 0x3c);
  other.send({ typeId: 9, timestamp: 0, payload: stillFine });
  await otherViewer.waitUntil(() => otherViewer.messages.some((m) => m.typeId === 9), 10_000, 'the other publisher\'s message');
  t.true(otherViewer.messages.find((m) => m.typeId === 9)?.payload.equals(stillFine));
  t.false(other.isClosed());
  t.false(otherViewer.isClosed());
});

/** Opens a TCP connection that does `behave` and resolves with the ms until the server closed it. */
function timeToClose(port: number, behave: (socket: Socket) => void): Promise<number> {
  return new Promise((resolve) => {
    const started = Date.now();
    const socket = connect({ port, host: '127.0.0.1' }, () => behave(socket));
    socket.on('error', () => undefined);
    socket.on('data', () => undefined);
    socket.on('end', () => socket.end());
    socket.once('close', () => resolve(Date.now() - started));
  });
}

test('--handshake-timeout 1: silent, half-C1 and never-publishing connections are closed after about 1 s', async (t) => {
  const server = await relayFor(t, ['--handshake-timeout', '1']);
  const silent = timeToClose(server.rtmpPort, () => undefined);
  const halfC1 = timeToClose(server.rtmpPort, (socket) => socket.write(Buffer.concat([Buffer.from([3]), randomBytes(768)])));
  // A full handshake, then nothing: the timeout runs until publish/play, not just the handshake.
  const idleAfterHandshake = timeToClose(server.rtmpPort, (socket) => {
    const handshake = new ClientHandshake();
    socket.write(handshake.start());
    socket.on('data', (bytes: Buffer) => {
      const step = handshake.feed(bytes);
      if (step.status !== 'failed') for (const out of step.send) socket.write(out);
    });
  });
  const times = await orTimeout(Promise.all([silent, halfC1, idleAfterHandshake]), 20_000, 'all three closed');
  for (const [i, ms] of times.entries()) t.true(ms >= 500 && ms <= 10_000, `connection ${i} closed after ${ms} ms`);
  await server.waitForLog(nth(3, closedWith(/handshake timeout/)));
  t.is(server.logs().filter(closedWith(/handshake timeout/)).length, 3);
});

test('--max-connections 3: the 4th connection is closed at accept while 3 stay open', async (t) => {
  const keys = ['cap-key-1-aaaaaa', 'cap-key-2-bbbbbb', 'cap-key-3-cccccc', 'cap-key-4-dddddd'];
  const server = await relayFor(t, [...keys.flatMap((key) => ['--ingest-key', key]), '--max-connections', '3']);
  const open = keys.slice(0, 3).map((key) => publisherFor(t, { url: server.rtmpUrl, streamName: key }));
  for (const publisher of open) t.like(await publisher.outcome, { kind: 'publishing' });

  const fourth = publisherFor(t, { url: server.rtmpUrl, streamName: keys[3]! });
  const refused = await fourth.outcome;
  t.true(refusedAtAccept(refused), JSON.stringify(refused));
  await server.waitForLog((line) => line['msg'] === 'connection refused: too many connections');
  for (const publisher of open) {
    publisher.send({ typeId: 9, timestamp: 0, payload: keyframe(100, 1) });
    t.false(publisher.isClosed(), 'the three stay open');
  }

  // One leaves: its slot is free again.
  open[0]!.finish();
  await orTimeout(open[0]!.closed, 10_000, 'the first publisher closed');
  await server.waitForLog(closedWith(/./)); // the only accepted connection that closed: its slot is free
  const fifth = publisherFor(t, { url: server.rtmpUrl, streamName: keys[3]! });
  t.like(await fifth.outcome, { kind: 'publishing' });
  t.false(open[1]!.isClosed() || open[2]!.isClosed());
});
