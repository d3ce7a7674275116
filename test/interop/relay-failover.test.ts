import { peerTest } from '../helpers/require-binary.js';
import { startNginxSink } from '../helpers/nginx.js';
import { startFfmpegPublisher } from '../helpers/ffmpeg.js';
import { freePort } from '../helpers/ports.js';
import { eventually, startInProcessRelay } from '../helpers/in-process-relay.js';
import type { DestinationConfig } from '../../src/relay/destination.js';

const INGEST_KEY = 'failover-test-ingest-key';
const EVENT = 'key_1';

peerTest(
  ['ffmpeg', 'nginx-rtmp'],
  'failover: primary at a closed port, the secondary goes live within 5 s',
  async (t) => {
    const nginx = await startNginxSink({ apps: ['live'] });
    t.teardown(() => nginx.stop());
    const closedPort = await freePort(); // probed and released: nothing listens there
    const relay = await startInProcessRelay(t, { ingestKeys: [INGEST_KEY] });
    const config: DestinationConfig = {
      id: 'dst_failover',
      systemName: 'failover',
      primaryUrl: `rtmp://127.0.0.1:${closedPort}/live`,
      secondaryUrl: nginx.rtmpUrl('live'),
      secondaryMode: 'failover',
      streamKey: 'failover-key',
      enabled: true,
    };
    relay.destinations.set(EVENT, [config]);
    const publisher = startFfmpegPublisher({ url: `rtmp://127.0.0.1:${relay.rtmpPort}/live/${INGEST_KEY}`, durationS: 8 });
    t.teardown(() => publisher.stop().then(() => undefined));
    await publisher.waitForFrames(1, 20_000);
    const started = Date.now();
    const status = () => relay.relay.status(EVENT, [config])[0]!;
    await eventually(() => status().state === 'live', 5000, 'the destination to go live on the secondary');
    t.log(`live on the secondary ${Date.now() - started} ms after the first frame`);
    t.like(status(), { state: 'live', activeUrl: 'secondary' });
    t.deepEqual(status().connections.map((c) => [c.url, c.state]), [['secondary', 'live']]);
    t.regex(status().lastError ?? '', /ECONNREFUSED|connect/);
    await nginx.waitForPublish('failover-key', 5000);
    // It stays on the secondary while that works.
    await publisher.waitForFrames(180, 30_000);
    t.like(status(), { state: 'live', activeUrl: 'secondary', reconnects: 1 });
  },
  { serial: true },
);
