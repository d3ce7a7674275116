// Issue 8/8: hostile peers against the real server process while a healthy stream is relayed and
// verified. ffmpeg publishes to one event whose destination is a raw sink; meanwhile hostile raw
// sockets (hand-built bytes after a valid handshake, see peer-cases.ts) attack the ingest port,
// then 1,000 idle sockets and a connection flood past --max-connections. Each attack may cost its
// own connection only: the server stays up, the healthy destination receives every frame ffmpeg
// sent (and the recording decodes), and the server's peak RSS stays under RSS_BOUND_MB.
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ExecutionContext } from 'ava';
import { AdminClient } from '../helpers/admin-client.js';
import { startFfmpegPublisher } from '../helpers/ffmpeg.js';
import { checkRecording } from '../helpers/ffprobe.js';
import { peerTest } from '../helpers/require-binary.js';
import { startRelayServer, type RelayServer } from '../helpers/relay-server.js';
import { connectPublisher, orTimeout, sleep } from '../helpers/rtmp-publisher.js';
import { startRtmpSink, toFlvFile } from '../helpers/rtmp-sink.js';
import { tmpDirFor } from '../helpers/tmp.js';
import {
  bruteForce,
  closedBy,
  declaredButNotSent,
  declaredLengths,
  deepAmf,
  extendedTimestamps,
  garbage,
  hugeChunkSize,
  manyChunkStreams,
  samePublishKey,
  slowloris,
  wrongProtocols,
  type CaseContext,
} from './peer-cases.js';
import { openRawPeer, type RawPeer } from './wire.js';

/**
 * Peak RSS (VmHWM) of the server over the whole test. Measured on a 2-core Xeon (see the README's
 * Reliability section): about 107 MB with 1,000 idle sockets, 20 held 8-MiB declarations and the
 * rest; 20 × 8 MiB allocated up front would add 160 MB on its own.
 */
const RSS_BOUND_MB = 150;
const HANDSHAKE_TIMEOUT_S = 4;
/** 1,000 idle sockets need 1,000 descriptors in this process (and in the server). */
const WANTED_IDLE = 1000;
const FLOOD = 50;
/** The healthy stream's length: the attacks (about 10 s here) must end well before it does. */
const STREAM_S = 24;

/** The soft limit on open files of this process (from /proc/self/limits; Infinity if unreadable). */
function openFilesLimit(): number {
  try {
    const line = readFileSync('/proc/self/limits', 'utf8').split('\n').find((l) => l.startsWith('Max open files'));
    const soft = line?.split(/\s{2,}/)[1];
    return soft === undefined || soft === 'unlimited' ? Infinity : Number(soft);
  } catch {
    return Infinity;
  }
}

function readMemoryKb(pid: number): { rss: number; hwm: number } | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const field = (name: string): number => Number(/(\d+) kB/.exec(status.split('\n').find((l) => l.startsWith(name)) ?? '')?.[1] ?? NaN);
    return { rss: field('VmRSS:'), hwm: field('VmHWM:') };
  } catch {
    return null;
  }
}

async function inboundConnections(api: AdminClient): Promise<number> {
  const text = (await api.get('/metrics')).text;
  return Number(/^rtmp_relay_connections\{kind="inbound"\} (\d+)$/m.exec(text)?.[1] ?? NaN);
}

async function waitForInbound(api: AdminClient, ready: (n: number) => boolean, timeoutMs: number, what: string): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const n = await inboundConnections(api);
    if (ready(n)) return n;
    if (Date.now() > deadline) throw new Error(`${what}: inbound connections ${n}`);
    await sleep(100);
  }
}

/** Opens `count` sockets from `address` in batches (the listen backlog is finite) without sending anything. */
async function openIdle(t: ExecutionContext, server: RelayServer, address: string, count: number): Promise<RawPeer[]> {
  const peers: RawPeer[] = [];
  for (let i = 0; i < count; i += 100) {
    const batch = await Promise.all(Array.from({ length: Math.min(100, count - i) }, () => openRawPeer(server.rtmpPort, address)));
    peers.push(...batch);
  }
  t.teardown(() => peers.forEach((p) => p.destroy()));
  return peers;
}

/** 1,000 idle sockets, then a flood of 50 more past --max-connections (= base + idle + 20). */
async function idleAndFlood(t: ExecutionContext, server: RelayServer, api: AdminClient, idleCount: number, cap: number): Promise<void> {
  const base = await waitForInbound(api, (n) => n === 1, 15_000, 'only the healthy publisher connected');
  const idle = await openIdle(t, server, '127.0.0.30', idleCount);
  await waitForInbound(api, (n) => n === base + idleCount, 10_000, `${idleCount} idle sockets admitted`);
  const floodStart = Date.now();
  const flood = await openIdle(t, server, '127.0.0.31', FLOOD);
  const admitted = cap - base - idleCount;
  const floodClosed = await orTimeout(Promise.all(flood.map((p) => p.closed)), HANDSHAKE_TIMEOUT_S * 1000 + 15_000, 'flood closed');
  const refusedAtAccept = floodClosed.filter((c) => c.afterMs < 1000).length;
  t.is(refusedAtAccept, FLOOD - admitted, `${FLOOD} over the cap: ${FLOOD - admitted} refused at accept`);
  const refusals = server.logs().filter((l) => l['msg'] === 'connection refused: too many connections' && l['remoteAddress'] === '127.0.0.31');
  t.is(refusals.length, FLOOD - admitted, 'each refusal logged');
  const idleClosed = await orTimeout(Promise.all(idle.map((p) => p.closed)), HANDSHAKE_TIMEOUT_S * 1000 + 15_000, 'idle sockets closed');
  t.true(idleClosed.every((c) => c.byPeer && c.afterMs >= HANDSHAKE_TIMEOUT_S * 1000 - 500), 'idle sockets closed by the server at the handshake timeout');
  t.deepEqual(new Set(await closedBy(server, '127.0.0.30', idleCount)), new Set(['handshake timeout']));
  t.deepEqual(await closedBy(server, '127.0.0.31', admitted), Array(admitted).fill('handshake timeout'));
  t.log(`${idleCount} idle + ${FLOOD} flood (cap ${cap}): ${FLOOD - admitted} refused at accept, all closed ${Date.now() - floodStart} ms after the flood`);
  await waitForInbound(api, (n) => n === base, 10_000, 'slots released');
}

peerTest(
  ['ffmpeg', 'ffprobe'],
  'hostile peers cost only their own connection: the server stays up, the relayed stream loses nothing, RSS stays bounded',
  async (t) => {
    const fdLimit = openFilesLimit();
    // Idle + flood + the test's own files must fit under the limit; otherwise half as many, said in the log.
    const idleCount = fdLimit >= WANTED_IDLE + FLOOD + 200 ? WANTED_IDLE : 500;
    if (idleCount !== WANTED_IDLE) t.log(`open-files limit ${fdLimit}: ${idleCount} idle sockets instead of ${WANTED_IDLE}`);
    const cap = 1 + idleCount + 20;
    const server = await startRelayServer(t, [
      '--handshake-timeout', String(HANDSHAKE_TIMEOUT_S), '--max-connections', String(cap), '--publish-grace', '0', '--log-level', 'info',
    ]);
    const api = AdminClient.of(server);
    const memory = { rss: 0, hwm: 0 };
    const sampler = setInterval(() => {
      const now = readMemoryKb(server.process.pid);
      if (now) Object.assign(memory, { rss: Math.max(memory.rss, now.rss), hwm: Math.max(memory.hwm, now.hwm) });
    }, 200);
    t.teardown(() => clearInterval(sampler));

    const healthySink = await startRtmpSink();
    const hostileSink = await startRtmpSink();
    t.teardown(() => healthySink.stop());
    t.teardown(() => hostileSink.stop());
    const healthy = await api.createEvent({ name: 'Healthy' });
    await api.createDestination(healthy.id, { systemName: 'healthy', primaryUrl: healthySink.url('live'), streamKey: 'healthy-dest' });
    const tsEvent = await api.createEvent({ name: 'Extended timestamps' });
    await api.createDestination(tsEvent.id, { systemName: 'ts', primaryUrl: hostileSink.url('live'), streamKey: 'ts-dest' });
    const chunkEvent = await api.createEvent({ name: 'Huge chunk size' });
    await api.createDestination(chunkEvent.id, { systemName: 'chunk', primaryUrl: hostileSink.url('live'), streamKey: 'chunk-dest' });

    const ffmpeg = startFfmpegPublisher({ url: `${server.rtmpUrl}/${healthy.ingestKey}`, size: '320x240', durationS: STREAM_S });
    t.teardown(() => ffmpeg.stop().then(() => undefined));
    const healthyPublish = await healthySink.waitForPublish((p) => p.streamName === 'healthy-dest', 30_000);
    await ffmpeg.waitForFrames(30, 30_000);

    const ctx: CaseContext = { t, server, handshakeMs: HANDSHAKE_TIMEOUT_S * 1000, hostileSink };
    const attacksStart = Date.now();
    await Promise.all([
      hugeChunkSize(ctx, chunkEvent.ingestKey, 'chunk-dest'),
      extendedTimestamps(ctx, tsEvent.ingestKey, 'ts-dest'),
      declaredLengths(ctx),
      declaredButNotSent(ctx),
      manyChunkStreams(ctx),
      deepAmf(ctx),
      garbage(ctx),
      wrongProtocols(ctx),
      slowloris(ctx),
      samePublishKey(ctx, healthy.ingestKey),
      bruteForce(ctx),
    ]);
    await idleAndFlood(t, server, api, idleCount, cap);
    t.log(`attacks took ${Date.now() - attacksStart} ms`);
    t.false(ffmpeg.process.hasExited(), `the attacks outlasted the ${STREAM_S} s stream (machine too slow?)`);

    // The server is alive and still accepts a publisher; the healthy destination never noticed.
    t.false(server.process.hasExited());
    t.is((await api.get('/api/health')).status, 200);
    const after = connectPublisher({ url: server.rtmpUrl, streamName: chunkEvent.ingestKey, localAddress: '127.0.0.40' });
    t.teardown(after.destroy);
    t.like(await after.outcome, { kind: 'publishing' });
    after.finish();
    const status = (await api.get(`/api/events/${healthy.id}/status`)).body as { destinations: Array<{ state: string; reconnects: number; droppedFrames: number }> };
    t.like(status.destinations[0], { state: 'live', reconnects: 0, droppedFrames: 0 });
    t.is(healthySink.publishes.filter((p) => p.streamName === 'healthy-dest').length, 1, 'one publish, never reconnected');

    const exit = await orTimeout(ffmpeg.exited, (STREAM_S + 20) * 1000, 'the healthy stream ends');
    t.is(exit.code, 0, exit.stderrTail);
    t.is(exit.framesSent, ffmpeg.expectedVideoFrames);
    t.is(await orTimeout(healthyPublish.ended, 10_000, 'the healthy push ends'), 'FCUnpublish');
    // AVC packet type 1 = a coded frame (0 is the sequence header, 2 the end-of-sequence tag ffmpeg adds).
    const videoFrames = healthyPublish.messages.filter((m) => m.typeId === 9 && m.payload[1] === 1).length;
    t.is(videoFrames, exit.framesSent ?? -1, `the healthy destination got every frame ffmpeg sent (${videoFrames})`);
    const recording = join(await tmpDirFor(t, 'hostile-rec-'), 'healthy.flv');
    await writeFile(recording, toFlvFile(healthyPublish.messages));
    t.deepEqual(await checkRecording(recording, { videoCodec: 'h264', audioCodec: 'aac', minVideoFrames: videoFrames }), []);

    const final = readMemoryKb(server.process.pid);
    const peakMb = Math.max(memory.hwm, final?.hwm ?? 0) / 1024;
    t.log(`server peak RSS (VmHWM) ${peakMb.toFixed(1)} MB, bound ${RSS_BOUND_MB} MB`);
    t.true(peakMb > 0 && peakMb < RSS_BOUND_MB, `peak RSS ${peakMb.toFixed(1)} MB`);
    t.false(server.process.hasExited(), 'the server is still running');
  },
  { serial: true },
);
