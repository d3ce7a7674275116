import { peerTest } from '../helpers/require-binary.js';
import { startNginxSink } from '../helpers/nginx.js';
import { startFfmpegPublisher } from '../helpers/ffmpeg.js';
import { checkRecording, probeFile } from '../helpers/ffprobe.js';
import { eventually, startInProcessRelay } from '../helpers/in-process-relay.js';
import type { DestinationConfig } from '../../src/relay/destination.js';

const INGEST_KEY = 'edits-test-ingest-key';
const EVENT = 'key_1';

function destination(id: string, primaryUrl: string, streamKey: string, extra: Partial<DestinationConfig> = {}): DestinationConfig {
  return { id, systemName: id, primaryUrl, secondaryUrl: null, secondaryMode: 'redundant', streamKey, enabled: true, ...extra };
}

peerTest(
  ['ffmpeg', 'ffprobe', 'nginx-rtmp'],
  'Facebook-style keys and YouTube-style redundant backup URLs arrive as nginx-rtmp reports them',
  async (t) => {
    const nginx = await startNginxSink({ apps: ['live', 'live2', 'rtmp'] });
    t.teardown(() => nginx.stop());
    const relay = await startInProcessRelay(t, { ingestKeys: [INGEST_KEY] });
    relay.destinations.set(EVENT, [
      destination('dst_fb', nginx.rtmpUrl('rtmp'), 'FB-123-0-Ab?s_bl=1&s_psm=1&a=xyz'),
      destination('dst_yt', nginx.rtmpUrl('live2'), 'yt-key', { secondaryUrl: `${nginx.rtmpUrl('live')}?backup=1` }),
    ]);
    const publisher = startFfmpegPublisher({ url: `rtmp://127.0.0.1:${relay.rtmpPort}/live/${INGEST_KEY}`, durationS: 5 });
    t.teardown(() => publisher.stop().then(() => undefined));
    await eventually(() => relay.relay.status(EVENT, relay.destinations.get(EVENT)!).every((s) => s.state === 'live'), 20_000, 'live');
    const yt = relay.relay.status(EVENT, relay.destinations.get(EVENT)!).find((s) => s.id === 'dst_yt')!;
    t.is(yt.activeUrl, 'both');
    t.deepEqual(yt.connections.map((c) => [c.url, c.state]), [['primary', 'live'], ['secondary', 'live']]);
    t.is((await publisher.exited).code, 0);

    const fb = await nginx.waitForPublish('FB-123-0-Ab');
    t.is(fb.app, 'rtmp');
    t.deepEqual(fb.args, { s_bl: '1', s_psm: '1', a: 'xyz' });
    const publishes = nginx.notifications.filter((n) => n.call === 'publish' && n.name === 'yt-key');
    const primary = publishes.find((n) => n.app === 'live2');
    const secondary = publishes.find((n) => n.app === 'live');
    t.truthy(primary && secondary, JSON.stringify(publishes));
    t.false(primary!.tcurl.includes('?'), `primary tcUrl ${primary!.tcurl}`);
    t.true(secondary!.tcurl.endsWith('/live?backup=1'), `secondary tcUrl ${secondary!.tcurl}`);
    await nginx.waitForPublishDone('yt-key', 15_000);
    await eventually(() => nginx.notifications.filter((n) => n.call === 'publish_done' && n.name === 'yt-key').length === 2, 15_000, 'both yt pushes done');
    for (const app of ['live2', 'live']) {
      t.deepEqual(await checkRecording(nginx.recordingPath(app, 'yt-key'), { videoCodec: 'h264', audioCodec: 'aac', minVideoFrames: 100 }), [], app);
    }
  },
  { serial: true },
);

peerTest(
  ['ffmpeg', 'ffprobe', 'nginx-rtmp'],
  'live edits: an added destination starts at once, a changed key republishes, a deleted one ends, the untouched one never notices',
  async (t) => {
    const nginx = await startNginxSink({ apps: ['live', 'live2'] });
    t.teardown(() => nginx.stop());
    const relay = await startInProcessRelay(t, { ingestKeys: [INGEST_KEY] });
    const configs = [
      destination('dst_keep', nginx.rtmpUrl('live'), 'keep'),
      destination('dst_patch', nginx.rtmpUrl('live'), 'patch-one'),
      destination('dst_delete', nginx.rtmpUrl('live'), 'delete-me'),
    ];
    relay.destinations.set(EVENT, configs);
    const publisher = startFfmpegPublisher({ url: `rtmp://127.0.0.1:${relay.rtmpPort}/live/${INGEST_KEY}`, durationS: 14 });
    t.teardown(() => publisher.stop().then(() => undefined));
    await eventually(() => relay.relay.status(EVENT, relay.destinations.get(EVENT)!).every((s) => s.state === 'live'), 20_000, 'live');
    await publisher.waitForFrames(90, 30_000);

    // Add: live within 3 s.
    const added = destination('dst_added', nginx.rtmpUrl('live2'), 'added');
    relay.destinations.set(EVENT, [...relay.destinations.get(EVENT)!, added]);
    let editAt = Date.now();
    relay.relay.destinationChanged(EVENT, added);
    await nginx.waitForPublish('added', 3000);
    t.log(`added destination published after ${Date.now() - editAt} ms`);

    // Patch the key: republishes under the new name within 5 s.
    const beforePatch = relay.relay.totals(EVENT, 'dst_patch');
    t.true(beforePatch.bytesSent > 0);
    const patched = { ...configs[1]!, streamKey: 'patch-two' };
    relay.destinations.set(EVENT, relay.destinations.get(EVENT)!.map((c) => (c.id === patched.id ? patched : c)));
    editAt = Date.now();
    relay.relay.destinationChanged(EVENT, patched);
    await nginx.waitForPublishDone('patch-one', 5000);
    await nginx.waitForPublish('patch-two', 5000);
    t.log(`patched key republished after ${Date.now() - editAt} ms`);
    // The metrics' totals go on from where the ended push left them; status shows the new push.
    const afterPatch = relay.relay.totals(EVENT, 'dst_patch');
    t.true(afterPatch.bytesSent >= beforePatch.bytesSent, 'bytes total never goes back');
    const patchedStatus = relay.relay.status(EVENT, [patched])[0]!;
    t.true(patchedStatus.bytesSent < afterPatch.bytesSent, 'status counts the new push only');

    // Rename only: no reconnect.
    const renamed = { ...configs[0]!, systemName: 'Keep (renamed)' };
    relay.destinations.set(EVENT, relay.destinations.get(EVENT)!.map((c) => (c.id === renamed.id ? renamed : c)));
    relay.relay.destinationChanged(EVENT, renamed);

    // Delete: ends cleanly.
    relay.destinations.set(EVENT, relay.destinations.get(EVENT)!.filter((c) => c.id !== 'dst_delete'));
    relay.relay.destinationRemoved(EVENT, 'dst_delete');
    await nginx.waitForPublishDone('delete-me', 5000);
    t.deepEqual(relay.relay.totals(EVENT, 'dst_delete'), { bytesSent: 0, reconnects: 0, droppedFrames: 0 }, 'a deleted destination keeps no totals');

    const published = await publisher.exited;
    t.is(published.code, 0);
    await nginx.waitForPublishDone('keep', 15_000);
    t.is(nginx.notifications.filter((n) => n.call === 'publish' && n.name === 'keep').length, 1, 'the untouched destination saw exactly one publish');
    const keep = await probeFile(nginx.recordingPath('live', 'keep'));
    t.is(keep.videoPackets.length, published.framesSent ?? 420, 'and every frame');
    t.deepEqual(await checkRecording(nginx.recordingPath('live', 'keep'), { videoCodec: 'h264', audioCodec: 'aac' }), []);
    await nginx.waitForPublishDone('added', 15_000);
    t.deepEqual(await checkRecording(nginx.recordingPath('live2', 'added'), { videoCodec: 'h264', audioCodec: 'aac', minVideoFrames: 150 }), []);

    // The publish is over: ended pushes keep their totals while the event exists, and not after.
    t.true(relay.relay.totals(EVENT, 'dst_keep').bytesSent > 0, 'an ended push keeps its totals');
    relay.relay.eventRemoved(EVENT);
    for (const id of ['dst_keep', 'dst_patch', 'dst_added']) {
      t.deepEqual(relay.relay.totals(EVENT, id), { bytesSent: 0, reconnects: 0, droppedFrames: 0 }, `a deleted event keeps no totals (${id})`);
    }
  },
  { serial: true },
);

peerTest(
  ['ffmpeg', 'nginx-rtmp'],
  'enabled:false ends a push within 5 s and shows disabled; enabled:true starts it again from a keyframe',
  async (t) => {
    const nginx = await startNginxSink({ apps: ['live'] });
    t.teardown(() => nginx.stop());
    const relay = await startInProcessRelay(t, { ingestKeys: [INGEST_KEY] });
    let config = destination('dst_toggle', nginx.rtmpUrl('live'), 'toggle');
    relay.destinations.set(EVENT, [config]);
    const status = () => relay.relay.status(EVENT, [config])[0]!;
    const publisher = startFfmpegPublisher({ url: `rtmp://127.0.0.1:${relay.rtmpPort}/live/${INGEST_KEY}`, durationS: 12 });
    t.teardown(() => publisher.stop().then(() => undefined));
    await eventually(() => status().state === 'live', 20_000, 'live');

    config = { ...config, enabled: false };
    relay.destinations.set(EVENT, [config]);
    const disabledAt = Date.now();
    relay.relay.destinationChanged(EVENT, config);
    await nginx.waitForPublishDone('toggle', 5000);
    t.true(Date.now() - disabledAt < 5000);
    t.like(status(), { state: 'disabled', activeUrl: null });

    config = { ...config, enabled: true };
    relay.destinations.set(EVENT, [config]);
    relay.relay.destinationChanged(EVENT, config);
    await eventually(() => status().state === 'live', 10_000, 'live again');
    t.is(nginx.notifications.filter((n) => n.call === 'publish' && n.name === 'toggle').length, 2);
  },
  { serial: true },
);
