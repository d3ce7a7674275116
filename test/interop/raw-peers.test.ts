// Self-tests of the raw RTMP helpers (rtmp-publisher, rtmp-sink, rtmp-player), which are our own
// sans-IO sessions on real sockets: against each other byte for byte, and against real peers in both
// roles (our publisher → nginx-rtmp, our player ← nginx-rtmp, ffmpeg → our sink).
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { startFfmpegPublisher } from '../helpers/ffmpeg.js';
import { checkRecording } from '../helpers/ffprobe.js';
import { FLV_TAG_VIDEO, isAvcSequenceHeader, isVideoKeyframe, readFlv, type FlvTag } from '../helpers/flv-tags.js';
import { startNginxSink } from '../helpers/nginx.js';
import { describeExit } from '../helpers/processes.js';
import { peerTest } from '../helpers/require-binary.js';
import { connectPlayer } from '../helpers/rtmp-player.js';
import { connectPublisher, makeSampleFlv, within, type RtmpClientOptions, type RtmpPublisher } from '../helpers/rtmp-publisher.js';
import { startRtmpSink, toFlvFile, toFlvTags, type RecordedMessage, type RtmpSinkOptions } from '../helpers/rtmp-sink.js';
import { makeTestPki } from '../helpers/tls.js';
import { makeTmpDir, tmpDirFor } from '../helpers/tmp.js';

// One 2 s H.264 (with B-frames) + AAC file for the whole file's tests, made by ffmpeg, not by us.
const sampleDir = makeTmpDir('rtmp-relay-raw-');
let sample: Promise<readonly FlvTag[]> | undefined;
function sampleTags(): Promise<readonly FlvTag[]> {
  return (sample ??= (async () => {
    const tags = await makeSampleFlv(join((await sampleDir).path, 'sample.flv'));
    if (tags.length < 100) throw new Error(`ffmpeg made a bad sample (${tags.length} tags)`);
    return tags;
  })());
}
test.after.always(async () => (await sampleDir).remove());

async function sinkFor(t: ExecutionContext, options: RtmpSinkOptions = {}) {
  const sink = await startRtmpSink(options);
  t.teardown(sink.stop);
  return sink;
}

function publisherFor(t: ExecutionContext, options: RtmpClientOptions): RtmpPublisher {
  const publisher = connectPublisher(options);
  t.teardown(publisher.destroy);
  return publisher;
}

/** Where the recorded messages first differ from the tags sent, or null when identical. */
function firstDifference(sent: readonly FlvTag[], got: readonly Pick<RecordedMessage, 'typeId' | 'timestamp' | 'payload'>[]): string | null {
  const received = toFlvTags(got);
  for (let i = 0; i < Math.max(sent.length, received.length); i++) {
    const a = sent[i];
    const b = received[i];
    if (a === undefined || b === undefined) return `message ${i}: sent ${a ? 'one' : 'none'}, received ${b ? 'one' : 'none'}`;
    if (a.type !== b.type || a.timestamp !== b.timestamp || !a.data.equals(b.data)) {
      return `message ${i}: sent type ${a.type} ts ${a.timestamp} ${a.data.length} B, received type ${b.type} ts ${b.timestamp} ${b.data.length} B`;
    }
  }
  return null;
}

/** An AVC inter frame of exactly `size` bytes (FLV video tag body; the NAL bytes are filler). */
function interFrame(size: number): Buffer {
  const payload = Buffer.alloc(size, 0x41);
  payload.set([0x27, 0x01, 0x00, 0x00, 0x00], 0); // inter frame | AVC, NALU, composition time 0
  return payload;
}

for (const chunkSize of [4096, 128, 100]) {
  peerTest(['ffmpeg'], `our publisher → our sink (chunk size ${chunkSize}): every message arrives byte-identical`, async (t) => {
    const tags = await sampleTags();
    const sink = await sinkFor(t);
    const name = 'raw-key?x=1&y=2';
    const publisher = publisherFor(t, { url: sink.url('live'), streamName: name, chunkSize });
    t.like(await publisher.outcome, { kind: 'publishing' });
    t.is(await publisher.sendFlvTags(tags), tags.length);
    publisher.finish();
    const publish = await sink.waitForPublish();
    t.is(await publish.ended, 'FCUnpublish');
    t.like(publish, { app: 'live', tcUrl: `rtmp://127.0.0.1:${sink.port}/live`, streamName: name, publishType: 'live', accepted: true });
    t.is(firstDifference(tags, publish.messages), null);
    // The sample itself: metadata, then the AVC sequence header before the first keyframe.
    const video = toFlvTags(publish.messages).filter((tag) => tag.type === FLV_TAG_VIDEO);
    t.true(video[0] !== undefined && isAvcSequenceHeader(video[0]));
    t.true(video[1] !== undefined && isVideoKeyframe(video[1]) && !isAvcSequenceHeader(video[1]));
  });
}

peerTest(['ffmpeg', 'openssl'], 'our publisher → our sink over RTMPS, trusting the test CA; an untrusted CA is refused', async (t) => {
  const tags = await sampleTags();
  const pki = await makeTestPki();
  t.teardown(pki.remove);
  const sink = await sinkFor(t, { tls: { certPem: pki.certPem, keyPem: pki.keyPem } });
  const untrusted = publisherFor(t, { url: sink.url(), streamName: 'tls-key', tls: { ca: pki.untrusted.caPem } });
  const refused = await untrusted.outcome;
  t.true(refused.kind === 'closed' && refused.close.stage === 'tcp' && /VERIFY|SELF_SIGNED/.test(refused.close.error ?? ''), JSON.stringify(refused));

  const publisher = publisherFor(t, { url: sink.url(), streamName: 'tls-key', tls: { ca: pki.caPem } });
  t.like(await publisher.outcome, { kind: 'publishing' });
  await publisher.sendFlvTags(tags, { setDataFrame: true });
  publisher.finish();
  const publish = await sink.waitForPublish((p) => p.streamName === 'tls-key');
  t.is(await publish.ended, 'FCUnpublish');
  t.is(publish.tcUrl, `rtmps://localhost:${sink.port}/live`);
  t.is(firstDifference(tags, publish.messages), null, '@setDataFrame is stripped back off by toFlvTags');
  t.true(publish.messages[0]?.payload.includes(Buffer.from('@setDataFrame')));
});

test('a refused publish gets the onStatus code and is closed by the sink; another name is accepted', async (t) => {
  const sink = await sinkFor(t, {
    decide: (request) => (request.streamName === 'good' ? { accept: true } : { accept: false, code: 'NetStream.Publish.BadName', description: 'no such key' }),
  });
  const bad = publisherFor(t, { url: sink.url(), streamName: 'bad' });
  t.deepEqual(await bad.outcome, { kind: 'rejected', stage: 'publish', code: 'NetStream.Publish.BadName', description: 'no such key' });
  const closed = await bad.closed;
  t.true(closed.byPeer);
  t.is(closed.stage, 'stream');
  const good = publisherFor(t, { url: sink.url(), streamName: 'good' });
  t.like(await good.outcome, { kind: 'publishing' });
  t.deepEqual(sink.publishes.map((p) => [p.streamName, p.accepted]), [['bad', false], ['good', true]]);
});

test('the sink acknowledges as the window asks, or never when told not to', async (t) => {
  for (const acknowledge of [true, false]) {
    const sink = await sinkFor(t, { acknowledge });
    const publisher = publisherFor(t, { url: sink.url(), streamName: 'acks', windowAckSize: 16 * 1024 });
    t.like(await publisher.outcome, { kind: 'publishing' });
    for (let i = 0; i < 50; i++) publisher.send({ typeId: 9, timestamp: i * 33, payload: interFrame(4096) });
    const publish = await sink.waitForPublish();
    await publish.waitForMessages(50);
    const connection = publish.connection;
    if (acknowledge) {
      // One acknowledgement per read that completes a window: its sequence covers all sent so far.
      const acked = (): number[] => publisher.events.flatMap((e) => (e.type === 'acknowledged' ? [e.sequence] : []));
      const everything = publish.connection.bytesReceived() - 3073; // the sink counts from after C0+C1+C2
      await publisher.waitUntil(() => (acked().at(-1) ?? 0) > everything - 16 * 1024, 20_000, 'acknowledgement of the last window');
      t.true(acked().length >= 1);
      t.is(publisher.acknowledgements(), connection.acknowledgementsSent());
    } else {
      // A ping-free round trip: the publisher's FCUnpublish reaches the sink after anything sent earlier.
      publisher.finish();
      await publish.ended;
      t.is(publisher.acknowledgements(), 0);
      t.is(connection.acknowledgementsSent(), 0);
    }
  }
});

test('a paused sink connection backs the publisher up; resumed, everything arrives', async (t) => {
  const sink = await sinkFor(t);
  const publisher = publisherFor(t, { url: sink.url(), streamName: 'stall' });
  t.like(await publisher.outcome, { kind: 'publishing' });
  const publish = await sink.waitForPublish();
  publish.connection.pause();
  let sent = 0;
  // Write until the socket stops draining: the kernel buffers on both sides are full.
  for (; sent < 256; sent++) {
    publisher.send({ typeId: 9, timestamp: sent * 33, payload: interFrame(256 * 1024) });
    if ((await within(publisher.drain().then(() => true), 500)) === undefined) break;
  }
  t.true(sent < 256, 'the publisher was never held back');
  const backedUp = publisher.bytesWritten() - publish.connection.bytesReceived();
  t.true(backedUp > 512 * 1024, `only ${backedUp} bytes were waiting`);
  publish.connection.resume();
  await publisher.drain();
  await publish.waitForMessages(sent + 1, 60_000);
  t.true(publish.messages.every((m, i) => m.timestamp === i * 33 && m.payload.length === 256 * 1024));
});

test('the sink enforces its message size limit at the edge: 1000 B passes, 1001 B closes', async (t) => {
  const sink = await sinkFor(t, { maxMessageSize: 1000 });
  const publisher = publisherFor(t, { url: sink.url(), streamName: 'limit' });
  t.like(await publisher.outcome, { kind: 'publishing' });
  publisher.send({ typeId: 9, timestamp: 0, payload: interFrame(1000) });
  const publish = await sink.waitForPublish();
  await publish.waitForMessages(1);
  t.is(publish.messages[0]?.payload.length, 1000);
  publisher.send({ typeId: 9, timestamp: 33, payload: interFrame(1001) });
  const closed = await publisher.closed;
  t.true(closed.byPeer);
  t.is(publish.messages.length, 1);
  t.is(publish.connection.errors.length, 1);
  t.regex(publish.connection.errors[0] ?? '', /^ERR_RTMP_\w+: /);
});

peerTest(['ffmpeg', 'ffprobe', 'nginx-rtmp'], 'our publisher → nginx-rtmp: the recording probes clean, video bytes unchanged', async (t) => {
  const tags = await sampleTags();
  const nginx = await startNginxSink();
  t.teardown(nginx.stop);
  const publisher = publisherFor(t, { url: nginx.rtmpUrl(), streamName: 'raw-nginx' });
  t.like(await publisher.outcome, { kind: 'publishing' });
  await nginx.waitForPublish('raw-nginx');
  await publisher.sendFlvTags(tags, { setDataFrame: true });
  publisher.finish();
  await nginx.waitForPublishDone('raw-nginx');
  const path = nginx.recordingPath('live', 'raw-nginx');
  const problems = await checkRecording(path, { videoCodec: 'h264', audioCodec: 'aac', width: 320, height: 240, minVideoFrames: 60, maxVideoFrames: 60 });
  t.deepEqual(problems, [], await nginx.errorLogTail());
  const recorded = readFlv(await readFile(path)).tags.filter((tag) => tag.type === FLV_TAG_VIDEO);
  const sentVideo = tags.filter((tag) => tag.type === FLV_TAG_VIDEO);
  t.is(recorded.length, sentVideo.length);
  t.true(recorded.every((tag, i) => tag.data.equals(sentVideo[i]!.data)));
});

peerTest(['ffmpeg', 'nginx-rtmp'], 'our player plays from nginx-rtmp what our publisher sends, then sees the unpublish', async (t) => {
  const tags = await sampleTags();
  const nginx = await startNginxSink({ record: false, extraAppConfig: 'publish_notify on;' });
  t.teardown(nginx.stop);
  const publisher = publisherFor(t, { url: nginx.rtmpUrl(), streamName: 'watch' });
  t.like(await publisher.outcome, { kind: 'publishing' });
  const firstFrame = tags.findIndex((tag) => tag.type === FLV_TAG_VIDEO && !isAvcSequenceHeader(tag));
  await publisher.sendFlvTags(tags.slice(0, firstFrame), { setDataFrame: true }); // metadata and sequence headers
  const player = connectPlayer({ url: nginx.rtmpUrl(), streamName: 'watch' });
  t.teardown(player.destroy);
  t.like(await player.outcome, { kind: 'playing' });
  t.true(player.statuses.some((s) => s.code === 'NetStream.Play.Start'));
  await publisher.sendFlvTags(tags.slice(firstFrame), { realtime: true });
  const sentVideo = tags.filter((tag) => tag.type === FLV_TAG_VIDEO);
  await player.waitUntil(() => player.messages.filter((m) => m.typeId === FLV_TAG_VIDEO).length >= sentVideo.length, 30_000, 'all video');
  publisher.finish();
  await player.waitUntil(() => player.statuses.some((s) => s.code === 'NetStream.Play.UnpublishNotify'), 20_000, 'UnpublishNotify');
  t.true(player.userControl.some((event) => event.type === 'stream-begin'));
  const gotVideo = toFlvTags(player.messages).filter((tag) => tag.type === FLV_TAG_VIDEO);
  t.true(gotVideo.every((tag, i) => tag.data.equals(sentVideo[i]!.data)), 'video payloads in order, byte for byte');
});

for (const secure of [false, true]) {
  const peers = secure ? (['ffmpeg', 'ffprobe', 'openssl'] as const) : (['ffmpeg', 'ffprobe'] as const);
  peerTest([...peers], `ffmpeg → our sink over ${secure ? 'RTMPS' : 'RTMP'}: the recorded messages decode`, async (t) => {
    const pki = secure ? await makeTestPki() : undefined;
    if (pki) t.teardown(pki.remove);
    const sink = await sinkFor(t, pki ? { tls: { certPem: pki.certPem, keyPem: pki.keyPem } } : {});
    const ffmpeg = startFfmpegPublisher({
      url: `${sink.url()}/ff-key?k=v`,
      durationS: 3,
      ...(pki ? { tls: { verify: true, caFile: pki.caCertPath } } : {}),
    });
    t.teardown(async () => void (await ffmpeg.stop()));
    const publish = await sink.waitForPublish();
    t.like(publish, { app: 'live', streamName: 'ff-key?k=v', tcUrl: sink.url(), accepted: true });
    const exit = await ffmpeg.exited;
    t.is(exit.code, 0, describeExit('ffmpeg', exit));
    t.not(await publish.ended, 'connection closed', 'ffmpeg ends its publish with FCUnpublish/deleteStream');
    const first = toFlvTags(publish.messages);
    t.is(first[0]?.type, 18, 'metadata first');
    t.true(publish.messages[0]?.payload.includes(Buffer.from('@setDataFrame')));
    const file = join(await tmpDirFor(t), 'from-ffmpeg.flv');
    await writeFile(file, toFlvFile(publish.messages));
    const problems = await checkRecording(file, { videoCodec: 'h264', audioCodec: 'aac', width: 640, height: 360, minVideoFrames: 85, maxVideoFrames: 95, minAudioPackets: 120 });
    t.deepEqual(problems, []);
  });
}

peerTest(['ffmpeg'], 'ffmpeg refused by our sink exits with an error', async (t) => {
  const sink = await sinkFor(t, { decide: () => ({ accept: false, code: 'NetStream.Publish.BadName' }) });
  const ffmpeg = startFfmpegPublisher({ url: `${sink.url()}/nope`, durationS: 5 });
  t.teardown(async () => void (await ffmpeg.stop()));
  const exit = await ffmpeg.exited;
  t.not(exit.code, 0, describeExit('ffmpeg', exit));
  t.is(sink.publishes[0]?.accepted, false);
});
