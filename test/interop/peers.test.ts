// Self-tests of the interop helpers: each runs the real peer and checks something that would be
// wrong if the helper were broken (the checks are also shown to fail on bad input).
import { readFile, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { connect as tlsConnect, createServer as createTlsServer } from 'node:tls';
import { join } from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { startFfmpegListenSink, startFfmpegPublisher, type FfmpegPublisherOptions } from '../helpers/ffmpeg.js';
import { checkRecording, probeFile } from '../helpers/ffprobe.js';
import { isVideoKeyframe, isAvcSequenceHeader, readFlv, writeFlv, FLV_TAG_VIDEO } from '../helpers/flv-tags.js';
import { startNginxSink, type NginxSinkOptions } from '../helpers/nginx.js';
import { freePort, waitForListenSocket, waitForPort } from '../helpers/ports.js';
import { describeExit } from '../helpers/processes.js';
import { peerTest } from '../helpers/require-binary.js';
import { startTcpProxy } from '../helpers/tcp-proxy.js';
import { makeTestPki } from '../helpers/tls.js';
import { tmpDirFor } from '../helpers/tmp.js';

const H264_AAC = { videoCodec: 'h264', audioCodec: 'aac', width: 640, height: 360 } as const;

async function sinkFor(t: ExecutionContext, options: NginxSinkOptions = {}) {
  const sink = await startNginxSink(options);
  t.teardown(sink.stop);
  return sink;
}

function publisherFor(t: ExecutionContext, options: FfmpegPublisherOptions) {
  const publisher = startFfmpegPublisher(options);
  t.teardown(async () => {
    await publisher.stop();
  });
  return publisher;
}

test('freePort hands out distinct ports that can be bound on 127.0.0.1', async (t) => {
  const ports = await Promise.all(Array.from({ length: 8 }, () => freePort()));
  t.is(new Set(ports).size, ports.length, `ports repeat: ${ports.join(',')}`);
  for (const port of ports) {
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', resolve);
    });
    t.is((server.address() as AddressInfo).port, port);
    await new Promise((resolve) => server.close(resolve));
  }
});

test('waitForPort resolves once a listener appears and rejects when none does', async (t) => {
  const port = await freePort();
  const server = createServer();
  t.teardown(() => void server.close());
  const waiting = waitForPort(port, { timeoutMs: 10_000 });
  setImmediate(() => server.listen(port, '127.0.0.1'));
  await t.notThrowsAsync(waiting);
  const unused = await freePort();
  await t.throwsAsync(waitForPort(unused, { timeoutMs: 300 }), { message: /did not accept connections/ });
});

test('waitForListenSocket finds a listening socket via /proc without connecting to it', async (t) => {
  const server = createServer();
  let connections = 0;
  server.on('connection', (socket) => {
    connections++;
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => void server.close());
  const port = (server.address() as AddressInfo).port;
  await t.notThrowsAsync(waitForListenSocket(port, { pid: process.pid, timeoutMs: 5_000 }));
  t.is(connections, 0);
  // Another process does not own that socket.
  await t.throwsAsync(waitForListenSocket(port, { pid: process.ppid, timeoutMs: 300 }), { message: /nothing listened/ });
  await t.throwsAsync(waitForListenSocket(await freePort(), { timeoutMs: 300 }), { message: /nothing listened/ });
});

/** Handshake result: 'ok' or the client's error code. */
async function tlsOutcome(port: number, ca: string, options: { servername?: string; host?: string }): Promise<string> {
  return new Promise((resolve) => {
    const socket = tlsConnect({ port, host: options.host ?? '127.0.0.1', ca, servername: options.servername });
    socket.once('secureConnect', () => {
      socket.destroy();
      resolve(socket.authorized ? 'ok' : 'unauthorized');
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
  });
}

async function tlsServerFor(t: ExecutionContext, cert: string, key: string): Promise<number> {
  const server = createTlsServer({ cert, key }, (socket) => socket.end());
  server.on('tlsClientError', () => undefined); // refused handshakes are the point of these tests
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => void server.close());
  return (server.address() as AddressInfo).port;
}

peerTest(['openssl'], 'makeTestPki: node:tls trusts the server cert via the CA, refuses other names and issuers', async (t) => {
  const pki = await makeTestPki();
  t.teardown(pki.remove);
  const good = await tlsServerFor(t, pki.certPem, pki.keyPem);
  t.is(await tlsOutcome(good, pki.caPem, { servername: 'localhost' }), 'ok');
  t.is(await tlsOutcome(good, pki.caPem, { host: '127.0.0.1' }), 'ok', 'IP SAN');
  t.is(await tlsOutcome(good, pki.caPem, { servername: 'other.example' }), 'ERR_TLS_CERT_ALTNAME_INVALID');
  const wrong = await tlsServerFor(t, pki.wrongHost.certPem, pki.wrongHost.keyPem);
  t.is(await tlsOutcome(wrong, pki.caPem, { servername: pki.wrongHost.host }), 'ok', 'signed by the same CA');
  t.is(await tlsOutcome(wrong, pki.caPem, { servername: 'localhost' }), 'ERR_TLS_CERT_ALTNAME_INVALID');
  const untrusted = await tlsServerFor(t, pki.untrusted.certPem, pki.untrusted.keyPem);
  t.regex(await tlsOutcome(untrusted, pki.caPem, { servername: 'localhost' }), /UNABLE_TO_VERIFY|SELF_SIGNED/);
  t.is(await tlsOutcome(untrusted, pki.untrusted.caPem, { servername: 'localhost' }), 'ok');
});

peerTest(['ffmpeg', 'ffprobe', 'nginx-rtmp'], 'nginx sink records a 3 s ffmpeg publish over RTMP and reports it', async (t) => {
  const sink = await sinkFor(t);
  const key = 'peer-key?a=b&c=d';
  const publisher = publisherFor(t, { url: `${sink.rtmpUrl()}/${key}`, durationS: 3 });
  const published = await sink.waitForPublish(key);
  t.like(published, { call: 'publish', app: 'live', name: 'peer-key', tcurl: sink.rtmpUrl(), path: '/on_publish' });
  t.deepEqual(published.args, { a: 'b', c: 'd' });
  const exit = await publisher.exited;
  t.is(exit.code, 0, describeExit('ffmpeg', exit));
  t.is(exit.framesSent, publisher.expectedVideoFrames);
  await sink.waitForPublishDone(key);
  const problems = await checkRecording(sink.recordingPath('live', key), {
    ...H264_AAC,
    minVideoFrames: 85,
    maxVideoFrames: 95,
    minAudioPackets: 120,
  });
  t.deepEqual(problems, [], await sink.errorLogTail());
});

peerTest(['ffmpeg', 'ffprobe', 'nginx-rtmp', 'openssl'], 'nginx sink accepts RTMPS and ffmpeg verifies it with the test CA', async (t) => {
  const pki = await makeTestPki();
  t.teardown(pki.remove);
  const sink = await sinkFor(t, { tls: { certPem: pki.certPem, keyPem: pki.keyPem } });
  // With the wrong CA ffmpeg must refuse the server: proves the verification is really on.
  const refused = publisherFor(t, {
    url: `${sink.rtmpsUrl()}/untrusted`,
    durationS: 1,
    tls: { verify: true, caFile: pki.untrusted.caCertPath },
  });
  const refusedExit = await refused.exited;
  t.not(refusedExit.code, 0);
  t.false(sink.notifications.some((n) => n.name === 'untrusted'));

  const publisher = publisherFor(t, {
    url: `${sink.rtmpsUrl()}/tls-key`,
    durationS: 3,
    tls: { verify: true, caFile: pki.caCertPath },
  });
  const published = await sink.waitForPublish('tls-key');
  t.is(published.tcurl, `rtmps://localhost:${sink.tlsPort}/live`);
  const exit = await publisher.exited;
  t.is(exit.code, 0, describeExit('ffmpeg', exit));
  await sink.waitForPublishDone('tls-key');
  const problems = await checkRecording(sink.recordingPath('live', 'tls-key'), { ...H264_AAC, minVideoFrames: 85 });
  t.deepEqual(problems, [], await sink.errorLogTail());
});

peerTest(['ffmpeg', 'ffprobe'], 'ffmpeg listen sink receives a 3 s publish from another ffmpeg', async (t) => {
  const dir = await tmpDirFor(t);
  const outFile = join(dir, 'received.flv');
  const sink = await startFfmpegListenSink({ app: 'live2', key: 'dest-key', outFile });
  t.teardown(async () => {
    await sink.stop();
  });
  t.is(sink.url, `rtmp://127.0.0.1:${sink.port}/live2/dest-key`);
  const publisher = publisherFor(t, { url: sink.url, durationS: 3 });
  const published = await publisher.exited;
  t.is(published.code, 0, describeExit('publisher', published));
  const received = await sink.exited;
  t.is(received.code, 0, describeExit('listen sink', received));
  const problems = await checkRecording(outFile, { ...H264_AAC, minVideoFrames: 85, maxVideoFrames: 95 });
  t.deepEqual(problems, [], received.stderrTail);
});

peerTest(['ffmpeg', 'ffprobe'], 'checkRecording reports a missing start keyframe, dts going back, and wrong expectations', async (t) => {
  const dir = await tmpDirFor(t);
  const original = join(dir, 'original.flv');
  const encode = await startFfmpegPublisher({ url: original, durationS: 2, realtime: false }).exited;
  t.is(encode.code, 0, describeExit('ffmpeg', encode));
  t.deepEqual(await checkRecording(original, H264_AAC), [], 'the unmodified file is fine');

  const bytes = await readFile(original);
  const flv = readFlv(bytes);
  t.false(flv.truncated);
  t.true(writeFlv(flv.header, flv.tags).equals(bytes), 'independent FLV walker round-trips the file');

  // Drop the first keyframe (not the AVC sequence header): the video now starts with an inter frame.
  const firstKey = flv.tags.findIndex((tag) => isVideoKeyframe(tag) && !isAvcSequenceHeader(tag));
  t.true(firstKey >= 0);
  const noKey = join(dir, 'no-keyframe.flv');
  await writeFile(noKey, writeFlv(flv.header, flv.tags.filter((_, i) => i !== firstKey)));
  t.true((await checkRecording(noKey, H264_AAC)).some((p) => p.startsWith('first video packet is not a keyframe')));

  // Give a late video tag a timestamp before its predecessor's.
  const video = flv.tags.flatMap((tag, i) => (tag.type === FLV_TAG_VIDEO ? [i] : []));
  const late = video[video.length - 5];
  t.not(late, undefined);
  const backwards = flv.tags.map((tag, i) => (i === late ? { ...tag, timestamp: 100 } : tag));
  const goesBack = join(dir, 'dts-back.flv');
  await writeFile(goesBack, writeFlv(flv.header, backwards));
  t.true((await checkRecording(goesBack, { skipDecode: true })).some((p) => /dts goes back/.test(p)));

  const wrong = await checkRecording(original, { videoCodec: 'hevc', audioCodec: 'opus', maxVideoFrames: 10, minVideoFrames: 100 });
  t.is(wrong.length, 4, wrong.join('\n'));
  t.deepEqual(await checkRecording(join(dir, 'missing.flv')), [`${join(dir, 'missing.flv')} does not exist`]);
  const probe = await probeFile(original);
  t.is(probe.videoPackets.length, 60);
  t.true(probe.videoPackets[0]?.keyframe);
});

peerTest(['ffmpeg', 'nginx-rtmp'], 'tcp proxy records both directions, freezes and cuts a live RTMP publish', async (t) => {
  const sink = await sinkFor(t, { record: false });
  const proxy = await startTcpProxy(sink.rtmpPort);
  t.teardown(proxy.stop);
  const publisher = publisherFor(t, { url: `rtmp://127.0.0.1:${proxy.port}/live/via-proxy` });
  await sink.waitForPublish('via-proxy');
  await publisher.waitForFrames(30);
  const connection = await proxy.waitForConnection(0);
  const fromClient = connection.clientBytes();
  const fromServer = connection.serverBytes();
  t.is(fromClient[0], 3, 'C0: RTMP version 3');
  t.is(fromServer[0], 3, 'S0: RTMP version 3');
  t.true(fromClient.length > 1 + 1536 + 1536 && fromServer.length > 1 + 1536 + 1536);
  t.true(fromClient.includes(Buffer.from('via-proxy')), 'the publish name went through');

  connection.pause();
  const frozenAt = connection.clientBytes().length;
  await publisher.waitForFrames(publisher.framesSent() + 10); // ffmpeg keeps writing into socket buffers
  t.is(connection.clientBytes().length, frozenAt, 'nothing forwarded while frozen');
  connection.resume();
  await publisher.waitForFrames(publisher.framesSent() + 10);
  t.true(connection.clientBytes().length > frozenAt);

  connection.destroy();
  await sink.waitForPublishDone('via-proxy');
  const exit = await publisher.exited;
  t.not(exit.code, 0, 'ffmpeg notices the cut connection');
  await connection.closed;
});
