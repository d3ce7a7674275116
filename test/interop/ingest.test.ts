// Issue 2/8, the ingest, against our real server process (CONTRACT §1, §2): ffmpeg publishes over
// RTMP and RTMPS and plays back; wrong keys, wrong apps and a second publisher are refused with
// BadName while another stream keeps flowing; a silent publisher is taken over; playing a key that is
// not live gets StreamNotFound; SIGTERM ends everything in time. Limits and brute force: ingest-limits.
import { join } from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { startFfmpegPublisher, type FfmpegPublisher } from '../helpers/ffmpeg.js';
import { checkRecording, probeFile } from '../helpers/ffprobe.js';
import { FLV_TAG_VIDEO, isAvcSequenceHeader, isVideoKeyframe, type FlvTag } from '../helpers/flv-tags.js';
import { describeExit, spawnPeer } from '../helpers/processes.js';
import { startRelayServer, type RelayServer } from '../helpers/relay-server.js';
import { peerTest } from '../helpers/require-binary.js';
import { connectPlayer, type RtmpPlayer } from '../helpers/rtmp-player.js';
import { connectPublisher, makeSampleFlv, orTimeout, sleep, type RtmpClientOptions, type RtmpPublisher } from '../helpers/rtmp-publisher.js';
import { toFlvTags } from '../helpers/rtmp-sink.js';
import { makeTestPki } from '../helpers/tls.js';
import { tmpDirFor } from '../helpers/tmp.js';

const KEY = 'evt-key-7f3a9c2e41b8';
const OTHER_KEY = 'evt-key-second-55d0e1';
const GOP = 30;
type Log = Record<string, unknown>;

/** These tests are about the ingest: no encoder grace, so a publish ends when its publisher leaves. */
async function relayFor(t: ExecutionContext, args: readonly string[]): Promise<RelayServer> {
  return startRelayServer(t, ['--data-dir', await tmpDirFor(t, 'rtmp-relay-data-'), '--log-level', 'debug', '--publish-grace', '0', ...args]);
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

function ffmpegFor(t: ExecutionContext, ...args: Parameters<typeof startFfmpegPublisher>): FfmpegPublisher {
  const ffmpeg = startFfmpegPublisher(...args);
  t.teardown(async () => void (await ffmpeg.stop()));
  return ffmpeg;
}

const videoOf = (player: RtmpPlayer): FlvTag[] => toFlvTags(player.messages).filter((tag) => tag.type === FLV_TAG_VIDEO);
const framesOf = (player: RtmpPlayer): FlvTag[] => videoOf(player).filter((tag) => !isAvcSequenceHeader(tag));

/** What a viewer must see: the AVC sequence header, then a keyframe first, timestamps never going back. */
function viewerProblems(player: RtmpPlayer): string[] {
  const problems: string[] = [];
  const video = videoOf(player);
  if (video[0] === undefined || !isAvcSequenceHeader(video[0])) problems.push('the first video message is not the AVC sequence header');
  const first = framesOf(player)[0];
  if (first === undefined || !isVideoKeyframe(first)) problems.push('the first video frame is not a keyframe');
  const media = player.messages.filter((m) => m.typeId === 8 || m.typeId === 9);
  const back = media.findIndex((m, i) => i > 0 && m.timestamp < media[i - 1]!.timestamp);
  if (back > 0) {
    const around = media.slice(Math.max(0, back - 4), back + 3).map((m) => `${m.typeId === 9 ? 'v' : 'a'}${m.timestamp}`);
    problems.push(`timestamps go back at media message ${back}: ${around.join(' ')}`);
  }
  return problems;
}

/** A waitForLog predicate that holds on the n-th matching line (each line is offered once). */
function nth(n: number, match: (line: Log) => boolean): (line: Log) => boolean {
  let seen = 0;
  return (line) => match(line) && ++seen >= n;
}

const isMsg = (msg: string) => (line: Log): boolean => line['msg'] === msg;

for (const secure of [false, true]) {
  const scheme = secure ? 'RTMPS' : 'RTMP';
  const peers = secure ? (['ffmpeg', 'ffprobe', 'openssl'] as const) : (['ffmpeg', 'ffprobe'] as const);
  peerTest([...peers], `ffmpeg publishes 10 s over ${scheme}; ffmpeg plays it back from the GOP start to the end`, async (t) => {
    const pki = secure ? await makeTestPki() : undefined;
    if (pki) t.teardown(pki.remove);
    const tlsArgs = pki ? ['--rtmps-port', '0', '--tls-cert', pki.certPath, '--tls-key', pki.keyPath] : [];
    const server = await relayFor(t, ['--ingest-key', KEY, ...tlsArgs]);
    const base = secure ? `rtmps://localhost:${server.rtmpsPort}/live` : server.rtmpUrl;
    const publisher = ffmpegFor(t, { url: `${base}/${KEY}`, durationS: 10, keyint: GOP, ...(secure ? { tls: { verify: false } } : {}) });
    await server.waitForLog(isMsg('publish started'));
    await publisher.waitForFrames(GOP + GOP / 2); // join mid-GOP: the GOP cache decides where playback starts
    const out = join(await tmpDirFor(t), 'played.flv');
    const tlsIn = secure ? ['-tls_verify', '0'] : [];
    const framesBeforePlay = publisher.framesSent();
    // -copyts keeps the server's timestamps, so the recording shows where in the stream playback began.
    const player = spawnPeer('ffmpeg', ['-hide_banner', '-nostdin', '-loglevel', 'warning', ...tlsIn, '-i', `${base}/${KEY}`, '-c', 'copy', '-copyts', '-f', 'flv', '-y', out]);
    t.teardown(async () => void (await player.stop()));
    await server.waitForLog(isMsg('play started'));
    const framesAtJoin = publisher.framesSent() + GOP / 2; // progress is reported every 0.5 s

    const published = await publisher.exited;
    t.is(published.code, 0, describeExit('publisher', published));
    // The server ends the play (StreamEOF, UnpublishNotify, close): the player exits by itself.
    const played = await orTimeout(player.exited, 30_000, 'ffmpeg player exit after the publish ended');
    t.is(played.code, 0, describeExit('player', played));
    t.deepEqual(await checkRecording(out, { videoCodec: 'h264', audioCodec: 'aac', width: 640, height: 360, minAudioPackets: 100 }), []);

    // Playback starts at the keyframe that opened the GOP in progress at the join (the GOP cache)…
    const probe = await probeFile(out);
    // ffmpeg's video timestamps start at the AAC priming delay (23 ms), less than one frame: floor.
    const startFrame = Math.floor(((probe.videoPackets[0]?.dts ?? Number.NaN) * 30) / 1000);
    const earliest = Math.floor(framesBeforePlay / GOP) * GOP;
    const latest = Math.floor(framesAtJoin / GOP) * GOP;
    t.true(startFrame % GOP === 0 && startFrame >= earliest && startFrame <= latest, `playback began at frame ${startFrame}, expected a keyframe in ${earliest}..${latest}`);
    // …and runs to the end: every frame sent from there on, within one GOP.
    const sent = published.framesSent ?? 0;
    const received = probe.videoPackets.length;
    t.true(Math.abs(received - (sent - startFrame)) <= GOP, `received ${received} frames, sent ${sent - startFrame} from frame ${startFrame} on (${sent} in all)`);
    await server.waitForLog((line) => line['msg'] === 'connection closed' && line['reason'] === 'stream ended');
  }, { serial: true });
}

peerTest(['ffmpeg'], 'wrong key, wrong app and a second publisher get BadName and are closed; the live stream keeps flowing', async (t) => {
  const server = await relayFor(t, ['--ingest-key', KEY, '--ingest-key', OTHER_KEY, '--idle-timeout', '20']);
  // The query after `?` is ignored when the key is matched (CONTRACT §2).
  const ffmpeg = ffmpegFor(t, { url: `${server.rtmpUrl}/${KEY}?src=ffmpeg` });
  await server.waitForLog(isMsg('publish started'));
  const player = playerFor(t, { url: server.rtmpUrl, streamName: KEY });
  t.like(await player.outcome, { kind: 'playing' });
  await player.waitUntil(() => framesOf(player).length >= GOP, 30_000, 'a GOP of video');

  const refusals: Array<[string, RtmpClientOptions]> = [
    ['wrong key', { url: server.rtmpUrl, streamName: 'wrong-key-0a1b2c3d4e' }],
    ['wrong app', { url: server.rtmpUrl.replace(/\/live$/, '/other'), streamName: KEY }],
    ['second publisher', { url: server.rtmpUrl, streamName: `${KEY}?second=1` }],
  ];
  for (const [what, options] of refusals) {
    const intruder = publisherFor(t, options);
    const outcome = await intruder.outcome;
    t.like(outcome, { kind: 'rejected', stage: 'publish', code: 'NetStream.Publish.BadName' }, what);
    const statuses = intruder.events.flatMap((e) => (e.type === 'status' ? [`${e.level} ${e.code}`] : []));
    t.deepEqual(statuses, ['error NetStream.Publish.BadName'], `${what}: no Publish.Start before the refusal`);
    const closed = await orTimeout(intruder.closed, 10_000, `${what}: connection closed by the server`);
    t.true(closed.byPeer, what);
  }

  const before = framesOf(player).length;
  await player.waitUntil(() => framesOf(player).length >= before + GOP, 30_000, 'another GOP after the refusals');
  t.false(ffmpeg.process.hasExited(), 'the ffmpeg publish was not disturbed');
  t.deepEqual(viewerProblems(player), []);

  await ffmpeg.stop();
  await orTimeout(player.closed, 15_000, 'player closed after the publish ended');
  t.true(player.statuses.some((s) => s.code === 'NetStream.Play.UnpublishNotify'));
  t.true(player.userControl.some((e) => e.type === 'stream-eof'));
  const unknown = (line: Log): boolean => line['msg'] === 'publish refused: unknown key or app';
  await server.waitForLog(nth(2, unknown));
  t.is(server.logs().filter(unknown).length, 2);
  const everything = JSON.stringify(server.logs());
  t.false(everything.includes(KEY) || everything.includes('wrong-key-0a1b2c3d4e'), 'ingest keys never appear in the log in full');
}, { serial: true });

peerTest(['ffmpeg'], 'a publisher silent for 3 s is taken over; before that a newcomer is refused', async (t) => {
  const tags = await makeSampleFlv(join(await tmpDirFor(t), 'sample.flv'), { seconds: 4 });
  const server = await relayFor(t, ['--ingest-key', KEY, '--idle-timeout', '20']);
  const first = publisherFor(t, { url: server.rtmpUrl, streamName: KEY });
  t.like(await first.outcome, { kind: 'publishing' });
  const stopSending = new AbortController();
  const sending = first.sendFlvTags(tags, { realtime: true, setDataFrame: true, signal: stopSending.signal });
  await sleep(500); // the first publisher is mid-stream

  const early = publisherFor(t, { url: server.rtmpUrl, streamName: KEY });
  t.like(await early.outcome, { kind: 'rejected', code: 'NetStream.Publish.BadName' }, 'refused while the first one sends');
  stopSending.abort();
  await sending;
  const silentSince = Date.now(); // the socket stays open: a half-open encoder connection
  await sleep(1000);
  const tooSoon = publisherFor(t, { url: server.rtmpUrl, streamName: KEY });
  t.like(await tooSoon.outcome, { kind: 'rejected', code: 'NetStream.Publish.BadName' }, 'refused after 1 s of silence');
  t.false(first.isClosed());

  await sleep(silentSince + 3300 - Date.now());
  const next = publisherFor(t, { url: server.rtmpUrl, streamName: KEY });
  t.like(await next.outcome, { kind: 'publishing' }, 'takes over after 3 s of silence');
  const old = await orTimeout(first.closed, 10_000, 'the silent publisher is closed');
  t.true(old.byPeer);
  const takeover = await server.waitForLog(isMsg('publisher takeover'));
  t.true(Number(takeover['silentForMs']) >= 3000);

  // The stream now comes from the new publisher: a viewer gets it from a keyframe on.
  const firstFrame = tags.findIndex((tag) => tag.type === FLV_TAG_VIDEO && !isAvcSequenceHeader(tag));
  await next.sendFlvTags(tags.slice(0, firstFrame + 40), { setDataFrame: true });
  const player = playerFor(t, { url: server.rtmpUrl, streamName: KEY });
  t.like(await player.outcome, { kind: 'playing' });
  await next.sendFlvTags(tags.slice(firstFrame + 40), { realtime: true });
  await player.waitUntil(() => framesOf(player).length >= GOP, 20_000, 'a GOP from the new publisher');
  t.deepEqual(viewerProblems(player), []);
  next.finish();
  await orTimeout(player.closed, 15_000, 'player closed after the unpublish');
}, { serial: true });

peerTest(['ffmpeg'], 'viewers across a takeover: timestamps never go back, the new publisher is seen from a keyframe', async (t) => {
  // CONTRACT §2/§4: after a takeover the stream continues as through the publish grace, where
  // timestamps continue monotonically; a preview player is held to the same (a production viewer
  // would stall or glitch on time going backwards).
  const tags = await makeSampleFlv(join(await tmpDirFor(t), 'sample.flv'), { seconds: 3 });
  const firstFrame = tags.findIndex((tag) => tag.type === FLV_TAG_VIDEO && !isAvcSequenceHeader(tag));
  const server = await relayFor(t, ['--ingest-key', KEY, '--idle-timeout', '20']);
  const first = publisherFor(t, { url: server.rtmpUrl, streamName: KEY });
  t.like(await first.outcome, { kind: 'publishing' });
  await first.sendFlvTags(tags.slice(0, firstFrame), { setDataFrame: true });
  const watching = playerFor(t, { url: server.rtmpUrl, streamName: KEY });
  t.like(await watching.outcome, { kind: 'playing' });
  await first.sendFlvTags(tags.slice(firstFrame).filter((tag) => tag.timestamp < 1000), { realtime: true });
  await watching.waitUntil(() => framesOf(watching).length >= 25, 20_000, 'the first publisher\'s video');
  await sleep(3300); // the first publisher is silent, its socket open

  const next = publisherFor(t, { url: server.rtmpUrl, streamName: KEY });
  t.like(await next.outcome, { kind: 'publishing' });
  const takenOverAt = Date.now();
  const joining = playerFor(t, { url: server.rtmpUrl, streamName: KEY });
  t.like(await joining.outcome, { kind: 'playing' });
  await next.sendFlvTags(tags.filter((tag) => tag.timestamp < 2000), { realtime: true, setDataFrame: true });
  const newFrames = (player: RtmpPlayer): number =>
    toFlvTags(player.messages.filter((m) => m.receivedAt >= takenOverAt)).filter((tag) => tag.type === FLV_TAG_VIDEO && !isAvcSequenceHeader(tag)).length;
  await watching.waitUntil(() => newFrames(watching) >= 45, 20_000, 'the new publisher\'s video (watching player)');
  await joining.waitUntil(() => newFrames(joining) >= 45, 20_000, 'the new publisher\'s video (joining player)');
  // One assertion, so that a failure shows both viewers.
  t.deepEqual(
    { watchingAcrossTakeover: viewerProblems(watching), joiningRightAfterTakeover: viewerProblems(joining) },
    { watchingAcrossTakeover: [], joiningRightAfterTakeover: [] },
  );
}, { serial: true });

peerTest(['ffmpeg'], 'with --gop-cache 0 a viewer joining mid-GOP still starts at a keyframe (the next one)', async (t) => {
  const server = await relayFor(t, ['--ingest-key', KEY, '--gop-cache', '0']);
  const ffmpeg = ffmpegFor(t, { url: `${server.rtmpUrl}/${KEY}`, keyint: GOP });
  await server.waitForLog(isMsg('publish started'));
  await ffmpeg.waitForFrames(GOP + GOP / 2);
  const player = playerFor(t, { url: server.rtmpUrl, streamName: KEY });
  t.like(await player.outcome, { kind: 'playing' });
  await player.waitUntil(() => framesOf(player).length >= GOP, 30_000, 'a GOP of video');
  t.deepEqual(viewerProblems(player), []);
  const startFrame = Math.floor(((framesOf(player)[0]?.timestamp ?? Number.NaN) * 30) / 1000);
  t.true(startFrame % GOP === 0 && startFrame >= 2 * GOP, `started at frame ${startFrame}: no GOP cache, so at a keyframe after the join`);
});

test('play of a key that is not live gets StreamNotFound and the connection is closed', async (t) => {
  const server = await relayFor(t, ['--ingest-key', KEY]);
  for (const name of [KEY, 'never-a-key-9e8d7c']) {
    const player = playerFor(t, { url: server.rtmpUrl, streamName: name });
    t.like(await player.outcome, { kind: 'rejected', stage: 'play', code: 'NetStream.Play.StreamNotFound' }, name);
    t.deepEqual(player.statuses.map((s) => s.level), ['error']);
    t.true((await orTimeout(player.closed, 10_000, 'closed after StreamNotFound')).byPeer);
    t.is(player.messages.length, 0);
  }
  const notFound = (line: Log): boolean => line['msg'] === 'connection closed' && line['reason'] === 'play refused: NetStream.Play.StreamNotFound';
  await server.waitForLog(nth(2, notFound));
  t.is(server.logs().filter(notFound).length, 2);
});

peerTest(['ffmpeg'], 'SIGTERM with a live publisher and a player: the server exits 0 within 5 s', async (t) => {
  const server = await relayFor(t, ['--ingest-key', KEY]);
  const ffmpeg = ffmpegFor(t, { url: `${server.rtmpUrl}/${KEY}` });
  await server.waitForLog(isMsg('publish started'));
  const player = playerFor(t, { url: server.rtmpUrl, streamName: KEY });
  t.like(await player.outcome, { kind: 'playing' });
  await player.waitUntil(() => framesOf(player).length >= 10, 30_000, 'video');
  const started = Date.now();
  const exit = await server.stop('SIGTERM');
  const tookMs = Date.now() - started;
  t.is(exit.code, 0, describeExit('relay', exit));
  t.true(tookMs < 5000, `took ${tookMs} ms`);
  await orTimeout(player.closed, 5000, 'player closed');
  t.true(player.statuses.some((s) => s.code === 'NetStream.Play.UnpublishNotify'), 'the player is told the stream ended');
  const published = await orTimeout(ffmpeg.exited, 15_000, 'ffmpeg notices the closed connection');
  t.not(published.code, null);
  t.true(server.logs().some(isMsg('stopped')));
}, { serial: true });
