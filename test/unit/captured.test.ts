import test from 'ava';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ServerSession } from '../../src/rtmp/session/server-session.js';
import { ClientSession } from '../../src/rtmp/session/client-session.js';
import type { ClientSessionEvent, ServerSessionEvent } from '../../src/rtmp/session/events.js';
import { MessageType } from '../../src/rtmp/message/types.js';

// Bytes captured from real peers (test/fixtures/captured/README.md): ffmpeg 5.1 publishing to
// nginx-rtmp, recorded by a TCP proxy without any of our protocol code.
const dir = join(process.cwd(), 'test', 'fixtures', 'captured');
const ffmpegC0C1 = readFileSync(join(dir, 'ffmpeg-c0c1.bin'));
const ffmpegRest = readFileSync(join(dir, 'ffmpeg-c2-and-commands.bin'));
const nginxS0S1S2 = readFileSync(join(dir, 'nginx-s0s1s2.bin'));
const nginxRest = readFileSync(join(dir, 'nginx-after-handshake.bin'));

function serveFfmpeg(pieces: Buffer[]): { events: ServerSessionEvent[]; session: ServerSession } {
  const session = new ServerSession();
  const events: ServerSessionEvent[] = [];
  for (const piece of pieces) {
    const out = session.handle(piece);
    for (const event of out.events) {
      events.push(event);
      if (event.type === 'publish-request') events.push(...session.acceptPublish(event.streamId, event.streamName).events);
    }
  }
  return { events, session };
}

test("our server session understands ffmpeg's handshake, connect and publish", (t) => {
  const { events } = serveFfmpeg([ffmpegC0C1, ffmpegRest]);
  t.false(events.some((e) => e.type === 'error'), JSON.stringify(events.find((e) => e.type === 'error')));
  // The capture's tcUrl carries the proxy's port, which the README records.
  const port = /published to the proxy at port (\d+)/.exec(readFileSync(join(dir, 'README.md'), 'utf8'))?.[1];
  t.like(events.find((e) => e.type === 'connect'), { app: 'live', tcUrl: `rtmp://127.0.0.1:${port}/live` });
  t.like(events.find((e) => e.type === 'publish-request'), { app: 'live', streamName: 'fixture-key?a=b&c=d', publishType: 'live', streamId: 1 });
  const media = events.flatMap((e) => (e.type === 'media' ? [e.message] : []));
  const metadata = media.find((m) => m.typeId === MessageType.DataAmf0);
  t.truthy(metadata);
  t.true(metadata!.payload.subarray(0, 20).toString('latin1').includes('@setDataFrame'));
  const videoHeader = media.find((m) => m.typeId === MessageType.Video);
  t.deepEqual([...videoHeader!.payload.subarray(0, 2)], [0x17, 0x00], 'AVC keyframe sequence header first');
  const audioHeader = media.find((m) => m.typeId === MessageType.Audio);
  t.deepEqual([...audioHeader!.payload.subarray(0, 2)], [0xaf, 0x00], 'AAC sequence header');
});

test('the same ffmpeg bytes split at many offsets give the same events', (t) => {
  const whole = Buffer.concat([ffmpegC0C1, ffmpegRest]);
  const reference = serveFfmpeg([whole]).events;
  const summary = (events: ServerSessionEvent[]): string =>
    events.map((e) => (e.type === 'media' ? `media:${e.message.typeId}:${e.message.timestamp}:${e.message.payload.length}` : e.type)).join(',');
  const expected = summary(reference);
  let checked = 0;
  for (let at = 1; at < whole.length; at += at < 3200 ? 1 : 61) {
    const got = summary(serveFfmpeg([whole.subarray(0, at), whole.subarray(at)]).events);
    if (got !== expected) return t.fail(`split at ${at} differs`);
    checked++;
  }
  t.true(checked > 3000);
});

test("our client session follows nginx-rtmp's replies to publishing", (t) => {
  const client = new ClientSession({ target: { app: 'live', tcUrl: 'rtmp://127.0.0.1:36153/live', streamName: 'fixture-key?a=b&c=d' } });
  client.start();
  const events: ClientSessionEvent[] = [];
  events.push(...client.handle(nginxS0S1S2).events);
  events.push(...client.handle(nginxRest).events);
  t.deepEqual(
    events.map((e) => (e.type === 'status' ? `status:${e.code}` : e.type)),
    ['handshake-done', 'connected', 'status:NetStream.Publish.Start', 'publishing', 'status:NetStream.Unpublish.Success'],
  );
  t.is(client.publishStreamId, 1);
  t.is(client.chunkConnection.acks.receiveWindowSize, 5_000_000);
});
