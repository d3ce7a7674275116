// nginx-rtmp as a real RTMP(S) server for interop tests: records every publish to FLV, reports
// on_publish/on_publish_done/on_play to an HTTP receiver in the test process, and terminates TLS with
// nginx's stream module in front of the RTMP listener. Everything lives in one temp dir.
import { readFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { nginxExecutable, NGINX_RTMP_MODULE, NGINX_STREAM_MODULE } from './peer-files.js';
import { startNotifyReceiver, type NotifyDecider, type NotifyReceiver, type NotifyRecord } from './notify.js';
import { freePort, LOCALHOST, waitForPort } from './ports.js';
import { spawnPeer, type PeerProcess } from './processes.js';
import { makeTmpDir, type TmpDir } from './tmp.js';

export type { NotifyRecord } from './notify.js';

export interface NginxSinkOptions {
  /** RTMP applications, each `live on`. Default `['live']`. */
  readonly apps?: readonly string[];
  /** Record every publish to `recordDir/<app>/<name>.flv` (record_unique off). Default true. */
  readonly record?: boolean;
  /** Send on_publish/on_publish_done/on_play to a receiver in this process. Default true. */
  readonly notify?: boolean;
  /** Status answered to each notification (2xx allows, other refuses). Default: 200. */
  readonly decideNotify?: NotifyDecider;
  /** Adds an RTMPS listener (nginx stream module, TLS terminated, proxied to the RTMP port). */
  readonly tls?: { readonly certPem: string; readonly keyPem: string };
  /** nginx-rtmp's outgoing chunk size. Default 4096. */
  readonly chunkSize?: number;
  /** Extra directives placed in every application block (e.g. `drop_idle_publisher 5s;`). */
  readonly extraAppConfig?: string;
  readonly startTimeoutMs?: number;
}

export interface NginxSink {
  readonly rtmpPort: number;
  readonly tlsPort: number | undefined;
  readonly dir: string;
  readonly recordDir: string;
  readonly process: PeerProcess;
  /** Every notification received so far (empty unless `notify`). */
  readonly notifications: readonly NotifyRecord[];
  /** `rtmp://127.0.0.1:PORT/app` */
  rtmpUrl(app?: string): string;
  /** `rtmps://HOST:TLSPORT/app`; host defaults to `localhost` (the name in makeTestPki's certificate). */
  rtmpsUrl(app?: string, host?: string): string;
  /** The on_publish for `name` (any name if omitted); `name` is compared without its `?query`. */
  waitForPublish(name?: string, timeoutMs?: number): Promise<NotifyRecord>;
  /** The on_publish_done for `name`: once it arrives, the recording for `name` is closed and complete. */
  waitForPublishDone(name?: string, timeoutMs?: number): Promise<NotifyRecord>;
  waitForNotification(call: string, name?: string, timeoutMs?: number): Promise<NotifyRecord>;
  /** Where the publish of `name` (its `?query` ignored) to `app` is recorded. */
  recordingPath(app: string, name: string): string;
  /** The last lines of nginx's error log (info level: connects, publishes, notify calls, errors). */
  errorLogTail(lines?: number): Promise<string>;
  /** Stops nginx and the receiver and removes the temp dir (recordings included). */
  stop(): Promise<void>;
}

const APP_NAME = /^[A-Za-z0-9_.-]+$/;

interface Layout {
  readonly dir: string;
  readonly recordDir: string;
  readonly errorLog: string;
  readonly certPath: string;
  readonly keyPath: string;
}

function renderConfig(
  layout: Layout,
  options: NginxSinkOptions,
  apps: readonly string[],
  rtmpPort: number,
  tlsPort: number | undefined,
  notify: NotifyReceiver | undefined,
): string {
  const appBlocks = apps.map((app) => {
    const lines = [`    application ${app} {`, '      live on;'];
    if (options.record !== false) {
      lines.push('      record all;', `      record_path ${join(layout.recordDir, app)};`, '      record_unique off;');
    }
    if (notify !== undefined) {
      for (const call of ['on_publish', 'on_publish_done', 'on_play']) lines.push(`      ${call} ${notify.baseUrl}/${call};`);
    }
    if (options.extraAppConfig !== undefined) lines.push(`      ${options.extraAppConfig}`);
    lines.push('    }');
    return lines.join('\n');
  });
  const config = [
    `load_module ${NGINX_RTMP_MODULE};`,
    `load_module ${NGINX_STREAM_MODULE};`,
    'daemon off;',
    'master_process off;',
    `pid ${join(layout.dir, 'nginx.pid')};`,
    `error_log ${layout.errorLog} info;`,
    'events { worker_connections 256; }',
    'rtmp {',
    '  server {',
    `    listen ${LOCALHOST}:${rtmpPort};`,
    `    access_log ${join(layout.dir, 'rtmp-access.log')};`, // the default is under /var/log
    `    chunk_size ${options.chunkSize ?? 4096};`,
    ...appBlocks,
    '  }',
    '}',
  ];
  if (tlsPort !== undefined) {
    config.push(
      'stream {',
      '  access_log off;',
      '  server {',
      `    listen ${LOCALHOST}:${tlsPort} ssl;`,
      `    ssl_certificate ${layout.certPath};`,
      `    ssl_certificate_key ${layout.keyPath};`,
      `    proxy_pass ${LOCALHOST}:${rtmpPort};`,
      '  }',
      '}',
    );
  }
  return config.join('\n') + '\n';
}

async function tailOf(path: string, lines: number): Promise<string> {
  const text = await readFile(path, 'utf8').catch(() => '');
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

/** Starts nginx and waits until its listeners accept connections. */
async function launch(layout: Layout, options: NginxSinkOptions, apps: readonly string[], notify?: NotifyReceiver) {
  for (let attempt = 1; ; attempt++) {
    const rtmpPort = await freePort();
    const tlsPort = options.tls === undefined ? undefined : await freePort();
    const confPath = join(layout.dir, 'nginx.conf');
    await writeFile(confPath, renderConfig(layout, options, apps, rtmpPort, tlsPort, notify));
    const nginx = spawnPeer(nginxExecutable(), ['-p', layout.dir, '-c', confPath, '-e', layout.errorLog], { cwd: layout.dir });
    try {
      const wait = { timeoutMs: options.startTimeoutMs ?? 20_000, signal: nginx.exitSignal };
      await waitForPort(rtmpPort, wait);
      if (tlsPort !== undefined) await waitForPort(tlsPort, wait);
      return { nginx, rtmpPort, tlsPort };
    } catch (error) {
      const exit = await nginx.stop();
      const log = await tailOf(layout.errorLog, 20);
      // Another process may have taken a probed port between the probe and nginx's bind.
      if (attempt < 3 && /Address already in use/.test(log + exit.stderrTail)) continue;
      throw new Error(`nginx did not start: ${(error as Error).message}\nerror log:\n${log}\nstderr:\n${exit.stderrTail}`);
    }
  }
}

export async function startNginxSink(options: NginxSinkOptions = {}): Promise<NginxSink> {
  const apps = options.apps ?? ['live'];
  for (const app of apps) if (!APP_NAME.test(app)) throw new Error(`startNginxSink: bad app name ${JSON.stringify(app)}`);
  const tmp: TmpDir = await makeTmpDir('rtmp-relay-nginx-');
  const layout: Layout = {
    dir: tmp.path,
    recordDir: join(tmp.path, 'rec'),
    errorLog: join(tmp.path, 'error.log'),
    certPath: join(tmp.path, 'server.pem'),
    keyPath: join(tmp.path, 'server.key'),
  };
  let notify: NotifyReceiver | undefined;
  try {
    for (const app of apps) await mkdir(join(layout.recordDir, app), { recursive: true });
    if (options.tls !== undefined) {
      await writeFile(layout.certPath, options.tls.certPem);
      await writeFile(layout.keyPath, options.tls.keyPem, { mode: 0o600 });
    }
    if (options.notify !== false) notify = await startNotifyReceiver(options.decideNotify);
    const { nginx, rtmpPort, tlsPort } = await launch(layout, options, apps, notify);
    return makeSink(layout, tmp, nginx, rtmpPort, tlsPort, notify);
  } catch (error) {
    await notify?.stop();
    await tmp.remove();
    throw error;
  }
}

function makeSink(
  layout: Layout,
  tmp: TmpDir,
  nginx: PeerProcess,
  rtmpPort: number,
  tlsPort: number | undefined,
  notify: NotifyReceiver | undefined,
): NginxSink {
  const waitForNotification = async (call: string, name?: string, timeoutMs = 20_000): Promise<NotifyRecord> => {
    if (notify === undefined) throw new Error('nginx sink started with notify: false');
    const bare = name?.split('?')[0];
    const what = `${call}${bare === undefined ? '' : ` of "${bare}"`}`;
    try {
      return await notify.waitFor((r) => r.call === call && (bare === undefined || r.name === bare), timeoutMs, what);
    } catch (error) {
      throw new Error(`${(error as Error).message}\nnginx error log:\n${await tailOf(layout.errorLog, 30)}`);
    }
  };
  let stopped: Promise<void> | undefined;
  return {
    rtmpPort,
    tlsPort,
    dir: layout.dir,
    recordDir: layout.recordDir,
    process: nginx,
    notifications: notify?.records ?? [],
    rtmpUrl: (app = 'live') => `rtmp://${LOCALHOST}:${rtmpPort}/${app}`,
    rtmpsUrl: (app = 'live', host = 'localhost') => {
      if (tlsPort === undefined) throw new Error('nginx sink started without tls');
      return `rtmps://${host}:${tlsPort}/${app}`;
    },
    waitForPublish: (name, timeoutMs) => waitForNotification('publish', name, timeoutMs),
    waitForPublishDone: (name, timeoutMs) => waitForNotification('publish_done', name, timeoutMs),
    waitForNotification,
    recordingPath: (app, name) => join(layout.recordDir, app, `${name.split('?')[0]}.flv`),
    errorLogTail: (lines = 40) => tailOf(layout.errorLog, lines),
    stop: () =>
      (stopped ??= (async () => {
        await nginx.stop({ signal: 'SIGTERM', graceMs: 5_000 });
        await notify?.stop();
        await tmp.remove();
      })()),
  };
}
