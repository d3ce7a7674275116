// Encoders and players other than ffmpeg, each with its own handshake and chunking habits:
// GStreamer's rtmp2sink (its own RTMP code), GStreamer's rtmpsink (librtmp, as OBS uses), rtmpdump.
import { join } from 'node:path';
import { AdminClient } from '../helpers/admin-client.js';
import { startFfmpegPublisher } from '../helpers/ffmpeg.js';
import { checkRecording } from '../helpers/ffprobe.js';
import { startNginxSink } from '../helpers/nginx.js';
import { spawnPeer } from '../helpers/processes.js';
import { peerTest } from '../helpers/require-binary.js';
import { startRelayServer } from '../helpers/relay-server.js';
import { tmpDirFor } from '../helpers/tmp.js';

const FRAMES = 150;

/**
 * GStreamer's live test sources give some consecutive packets the same millisecond (seen in what
 * rtmp2sink sends straight to ffmpeg, without us), which ffmpeg's decode check reports as
 * "non monotonically increasing dts: N >= N". Equal timestamps are the source's and pass through;
 * a timestamp that goes back (checkRecording's "dts goes back") would still fail.
 */
function withoutSourceEqualDts(problems: string[]): string[] {
  return problems.filter((problem) => {
    if (!problem.startsWith('decode errors:')) return true;
    const pairs = [...problem.matchAll(/(\d+) >= (\d+)/g)];
    const others = problem.split('|').filter((part) => !/non monotonically increasing dts|Last message repeated/.test(part));
    return !(pairs.length > 0 && pairs.every((pair) => pair[1] === pair[2]) && others.length === 0);
  });
}

function gstreamerPipeline(sink: string): string[] {
  return [
    '-q',
    'videotestsrc', `num-buffers=${FRAMES}`, 'is-live=true', '!', 'video/x-raw,width=320,height=240,framerate=30/1', '!',
    'x264enc', 'tune=zerolatency', 'key-int-max=30', '!', 'h264parse', '!', 'flvmux', 'name=mux', 'streamable=true', '!', ...sink.split(' '),
    'audiotestsrc', 'num-buffers=215', 'is-live=true', '!', 'avenc_aac', '!', 'aacparse', '!', 'mux.',
  ];
}

for (const [name, sink] of [
  ['rtmp2sink', 'rtmp2sink location=URL'],
  ['rtmpsink (librtmp, as OBS)', 'rtmpsink location=URL'],
] as const) {
  peerTest(
    ['gstreamer', 'ffprobe', 'nginx-rtmp'],
    `GStreamer ${name} publishes to a stored event; the relayed recording decodes`,
    async (t) => {
      const server = await startRelayServer(t, ['--publish-grace', '0']);
      const api = AdminClient.of(server);
      const nginx = await startNginxSink({ apps: ['live'] });
      t.teardown(() => nginx.stop());
      const event = await api.createEvent({ name: `GStreamer ${name}` });
      await api.createDestination(event.id, { systemName: 'sink', primaryUrl: nginx.rtmpUrl('live'), streamKey: 'gst-out' });
      const url = `${server.rtmpUrl}/${event.ingestKey}`;
      // rtmpsink takes librtmp's option syntax after the URL; `live=1` marks a live publish.
      const location = name.startsWith('rtmpsink') ? `${url} live=1` : url;
      const args = gstreamerPipeline(sink).map((arg) => (arg === 'location=URL' ? `location=${location}` : arg));
      const gst = spawnPeer('gst-launch-1.0', args);
      t.teardown(() => gst.stop().then(() => undefined));
      const exit = await gst.exited;
      t.is(exit.code, 0, exit.stderrTail);
      await nginx.waitForPublishDone('gst-out', 15_000);
      const problems = withoutSourceEqualDts(await checkRecording(nginx.recordingPath('live', 'gst-out'), {
        videoCodec: 'h264',
        audioCodec: 'aac',
        width: 320,
        height: 240,
        minVideoFrames: Math.floor(FRAMES * 0.9),
      }));
      t.deepEqual(problems, []);
    },
    { serial: true },
  );
}

peerTest(
  ['rtmpdump', 'ffmpeg', 'ffprobe'],
  'rtmpdump (librtmp) previews a live key: the file decodes and starts on a keyframe',
  async (t) => {
    const dir = await tmpDirFor(t);
    const server = await startRelayServer(t, ['--ingest-key', 'preview-key-1234', '--publish-grace', '0']);
    const publisher = startFfmpegPublisher({ url: `${server.rtmpUrl}/preview-key-1234`, durationS: 8 });
    t.teardown(() => publisher.stop().then(() => undefined));
    await publisher.waitForFrames(45, 30_000);
    const file = join(dir, 'preview.flv');
    const dump = spawnPeer('rtmpdump', ['-q', '-r', `${server.rtmpUrl}/preview-key-1234`, '--live', '-o', file]);
    t.teardown(() => dump.stop().then(() => undefined));
    const exit = await dump.exited; // the server ends the play when the publish ends
    t.is(exit.code, 0, exit.stderrTail);
    t.deepEqual(await checkRecording(file, { videoCodec: 'h264', audioCodec: 'aac', minVideoFrames: 120 }), []);
  },
  { serial: true },
);
