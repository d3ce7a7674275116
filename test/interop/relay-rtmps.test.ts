import { peerTest } from '../helpers/require-binary.js';
import { startNginxSink } from '../helpers/nginx.js';
import { startFfmpegPublisher } from '../helpers/ffmpeg.js';
import { checkRecording } from '../helpers/ffprobe.js';
import { makeTestPki } from '../helpers/tls.js';
import { eventually, startInProcessRelay } from '../helpers/in-process-relay.js';
import type { DestinationConfig } from '../../src/relay/destination.js';

const INGEST_KEY = 'rtmps-test-ingest-key';
const EVENT = 'key_1';

function destination(id: string, primaryUrl: string, streamKey: string): DestinationConfig {
  return { id, systemName: id, primaryUrl, secondaryUrl: null, secondaryMode: 'redundant', streamKey, enabled: true };
}

peerTest(
  ['ffmpeg', 'ffprobe', 'nginx-rtmp', 'openssl'],
  'RTMPS destinations: verified with --ca-file and SNI; a certificate for another host never goes live',
  async (t) => {
    const pki = await makeTestPki();
    t.teardown(() => pki.remove());
    const good = await startNginxSink({ tls: { certPem: pki.certPem, keyPem: pki.keyPem } });
    t.teardown(() => good.stop());
    const wrong = await startNginxSink({ tls: { certPem: pki.wrongHost.certPem, keyPem: pki.wrongHost.keyPem } });
    t.teardown(() => wrong.stop());
    const relay = await startInProcessRelay(t, { ingestKeys: [INGEST_KEY], extraCaPem: pki.caPem });
    relay.destinations.set(EVENT, [
      destination('dst_tls', good.rtmpsUrl('live'), 'tls-key'),
      destination('dst_wrong_host', wrong.rtmpsUrl('live'), 'never-key-1234'),
    ]);
    const publisher = startFfmpegPublisher({ url: `rtmp://127.0.0.1:${relay.rtmpPort}/live/${INGEST_KEY}`, durationS: 6 });
    t.teardown(() => publisher.stop().then(() => undefined));

    const statusOf = (id: string) => relay.relay.status(EVENT, relay.destinations.get(EVENT)!).find((s) => s.id === id)!;
    await eventually(() => statusOf('dst_tls').state === 'live', 20_000, 'the RTMPS destination to go live');
    await eventually(() => statusOf('dst_wrong_host').lastError !== null, 20_000, 'the wrong-host destination to report an error');
    const refused = statusOf('dst_wrong_host');
    t.not(refused.state, 'live');
    t.regex(refused.lastError ?? '', /altname|certificate|Hostname/i);
    t.false((refused.lastError ?? '').includes('never-key-1234'), 'the key is masked in lastError');

    t.is((await publisher.exited).code, 0);
    await good.waitForPublishDone('tls-key', 15_000);
    const problems = await checkRecording(good.recordingPath('live', 'tls-key'), { videoCodec: 'h264', audioCodec: 'aac', minVideoFrames: 150 });
    t.deepEqual(problems, []);
    t.is(wrong.notifications.filter((n) => n.call === 'publish').length, 0, 'nothing was ever published to the wrong host');
  },
  { serial: true },
);
