// The sinks of the chaos run: raw sinks that can be killed and restarted on the same port (each
// publish they saw is kept, across restarts), and nginx-rtmp sinks whose recordings are archived
// per live period. nginx records every publish of a name to the same file and truncates it on
// the next publish, so the on_publish notification (which nginx awaits before it opens the file)
// copies the previous period's recording aside first.
import { copyFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { startNginxSink, type NginxSink } from '../helpers/nginx.js';
import type { NotifyRecord } from '../helpers/notify.js';
import { startRtmpSink, type RtmpSink, type SinkPublish } from '../helpers/rtmp-sink.js';

export class RawSlot {
  readonly instances: RtmpSink[] = [];
  kills = 0;

  private constructor(
    readonly name: string,
    readonly streamKey: string,
    private current: RtmpSink,
  ) {
    this.instances.push(current);
  }

  static async start(name: string, streamKey: string): Promise<RawSlot> {
    return new RawSlot(name, streamKey, await startRtmpSink());
  }

  get url(): string {
    return this.current.url('live');
  }

  /** Every publish of our key, over every instance, in order. */
  publishes(): SinkPublish[] {
    return this.instances.flatMap((sink) => sink.publishes.filter((p) => p.streamName === this.streamKey));
  }

  latest(): SinkPublish | undefined {
    return this.publishes().at(-1);
  }

  /** The platform goes away: listener and connections closed. */
  async kill(): Promise<void> {
    this.kills++;
    await this.current.stop();
  }

  /** …and comes back on the same port. */
  async restart(): Promise<void> {
    this.current = await startRtmpSink({ port: this.current.port });
    this.instances.push(this.current);
  }

  /** Resolves with the publish number `index` (0-based) of our key once it exists. */
  async waitForPublishNumber(index: number, timeoutMs: number): Promise<SinkPublish> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.publishes()[index];
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`${this.name}: publish #${index + 1} not within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  stop(): Promise<void> {
    return this.current.stop();
  }
}

/** One nginx process serving `apps`; each destination is an (app, key) pair on it. */
export class NginxHost {
  /** Archived recordings per `app/name`, in period order (the current period is added by `finish`). */
  readonly archived = new Map<string, string[]>();
  private sequence = 0;

  private constructor(
    readonly sink: NginxSink,
    private readonly archiveDir: string,
  ) {}

  static async start(label: string, apps: readonly string[], archiveDir: string): Promise<NginxHost> {
    let host: NginxHost | undefined;
    const sink = await startNginxSink({
      apps,
      decideNotify: (record: NotifyRecord) => {
        if (record.call === 'publish') host?.archive(record.app, record.name);
        return 200;
      },
    });
    host = new NginxHost(sink, join(archiveDir, label));
    return host;
  }

  get pid(): number {
    return this.sink.process.pid;
  }

  /** Copies the recording of app/name aside, if there is one (called before nginx truncates it). */
  archive(app: string, name: string): void {
    const path = this.sink.recordingPath(app, name);
    if (!existsSync(path)) return;
    const target = `${this.archiveDir}-${app}-${name}-${++this.sequence}.flv`;
    copyFileSync(path, target);
    const key = `${app}/${name}`;
    this.archived.set(key, [...(this.archived.get(key) ?? []), target]);
  }

  count(call: 'publish' | 'publish_done', name: string): number {
    return this.sink.notifications.filter((n) => n.call === call && n.name === name).length;
  }

  /** Archives the last period's recording of each name (after its publish_done). */
  finish(app: string, name: string): string[] {
    this.archive(app, name);
    return this.archived.get(`${app}/${name}`) ?? [];
  }

  stop(): Promise<void> {
    return this.sink.stop();
  }
}
