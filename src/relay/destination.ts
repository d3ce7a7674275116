import type { Logger } from '../util/logger.js';
import { RtmpError } from '../rtmp/errors.js';
import { publishTarget } from '../rtmp/session/publish-target.js';
import type { DestinationQueueLimits } from './destination-queue.js';
import type { LiveStream } from './live-stream.js';
import { PushConnection, type PushTarget, type UrlRole } from './push-connection.js';

/** What the relay needs of a stored destination (the domain model owns validation). */
export interface DestinationConfig {
  readonly id: string;
  readonly systemName: string;
  readonly primaryUrl: string;
  readonly secondaryUrl: string | null;
  readonly secondaryMode: 'redundant' | 'failover';
  readonly streamKey: string;
  readonly enabled: boolean;
}

export interface RelaySettings {
  queue: DestinationQueueLimits;
  stallTimeoutMs: number;
  extraCaPem: string | null;
}

export type DestinationState = 'idle' | 'connecting' | 'live' | 'retrying' | 'disabled';

export interface ConnectionStatus {
  url: UrlRole;
  state: 'connecting' | 'live' | 'retrying';
  since: string;
  bytesSent: number;
  reconnects: number;
  lastError: string | null;
}

/** Counters of a destination that only grow while the process runs (the metrics' `_total`s). */
export interface DestinationTotals {
  bytesSent: number;
  reconnects: number;
  droppedFrames: number;
}

export const NO_TOTALS: Readonly<DestinationTotals> = { bytesSent: 0, reconnects: 0, droppedFrames: 0 };

export function addTotals(a: Readonly<DestinationTotals>, b: Readonly<DestinationTotals>): DestinationTotals {
  return { bytesSent: a.bytesSent + b.bytesSent, reconnects: a.reconnects + b.reconnects, droppedFrames: a.droppedFrames + b.droppedFrames };
}

export interface DestinationStatus {
  id: string;
  systemName: string;
  state: DestinationState;
  activeUrl: 'primary' | 'secondary' | 'both' | null;
  since: string;
  bytesSent: number;
  bitrateKbps: number;
  droppedFrames: number;
  reconnects: number;
  lastError: string | null;
  connections: ConnectionStatus[];
}

/**
 * One restream destination of a live event: its push connections (the primary; the secondary at
 * the same time in `redundant` mode, or as the other target of one push in `failover` mode).
 */
export class DestinationPush {
  private readonly pushes: PushConnection[] = [];
  private readonly startedAt = new Date();

  constructor(
    public config: DestinationConfig,
    stream: LiveStream,
    settings: RelaySettings,
    log: Logger,
  ) {
    const targets: PushTarget[] = [];
    for (const [role, url] of [['primary', config.primaryUrl], ['secondary', config.secondaryUrl]] as const) {
      if (url === null) continue;
      const target = publishTarget(url, config.streamKey);
      if (target instanceof RtmpError) continue; // validated when stored; a bad one is never dialed
      targets.push({ role, target });
    }
    const childLog = log.child({ destination: config.id, systemName: config.systemName });
    const common = { stream, queue: settings.queue, stallTimeoutMs: settings.stallTimeoutMs, extraCaPem: settings.extraCaPem, log: childLog };
    if (config.secondaryMode === 'failover' || targets.length < 2) {
      if (targets.length > 0) this.pushes.push(new PushConnection({ ...common, targets }));
    } else {
      for (const target of targets) this.pushes.push(new PushConnection({ ...common, targets: [target] }));
    }
  }

  /** The same running pushes under an edited config that changes nothing on the wire (a rename). */
  withConfig(config: DestinationConfig): this {
    this.config = config;
    return this;
  }

  start(): void {
    for (const push of this.pushes) push.start();
  }

  /** Upstream connections open or being opened now. */
  get openConnections(): number {
    let open = 0;
    for (const push of this.pushes) if (push.state === 'live' || push.state === 'connecting') open++;
    return open;
  }

  stop(): void {
    for (const push of this.pushes) push.stop();
  }

  /** The counters of every push of this destination, ended ones included. */
  totals(): DestinationTotals {
    return this.pushes.reduce<DestinationTotals>(addTotals, NO_TOTALS);
  }

  status(now: number): DestinationStatus {
    const active = this.pushes.filter((push) => push.state !== 'stopped');
    const live = active.filter((push) => push.state === 'live');
    const state: DestinationState = live.length > 0 ? 'live' : active.some((push) => push.state === 'retrying') ? 'retrying' : active.length > 0 ? 'connecting' : 'idle';
    const liveRoles = new Set(live.map((push) => push.role));
    const activeUrl = liveRoles.size === 2 ? 'both' : liveRoles.size === 1 ? [...liveRoles][0]! : null;
    const lastErrors = active.map((push) => push.lastError).filter((error): error is string => error !== null);
    const since = active.reduce((earliest, push) => (push.since < earliest ? push.since : earliest), active[0]?.since ?? this.startedAt);
    return {
      id: this.config.id,
      systemName: this.config.systemName,
      state,
      activeUrl,
      since: since.toISOString(),
      bytesSent: active.reduce((sum, push) => sum + push.bytesSent, 0),
      bitrateKbps: active.reduce((sum, push) => sum + push.meter.kbps(now), 0),
      droppedFrames: active.reduce((sum, push) => sum + push.droppedFrames, 0),
      reconnects: active.reduce((sum, push) => sum + push.reconnects, 0),
      lastError: lastErrors[0] ?? null,
      connections: active.map((push) => ({
        url: push.role,
        state: push.state === 'stopped' ? 'retrying' : push.state,
        since: push.since.toISOString(),
        bytesSent: push.bytesSent,
        reconnects: push.reconnects,
        lastError: push.lastError,
      })),
    };
  }
}
