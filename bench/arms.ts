// The relays under test ("arms"): ours, node-media-server 4.x and nginx-rtmp, plus a bare Node
// copier as the floor of any Node.js relay (bench/copier-host.ts), each in its own process, each configured with the same topology — K events, each pushed to N destinations — so
// that the only difference between the runs is the relay.
import { startOursArm } from './arm-ours.js';
import { startNginxArm } from './arm-nginx.js';
import { startNmsArm } from './arm-nms.js';
import { startCopierArm } from './arm-copier.js';

/** Our relay's default --destination-queue-bytes (CONTRACT §1), before scaling to the pace. */
export const DEFAULT_QUEUE_BYTES = 8 * 1024 * 1024;

export const ARM_NAMES = ['ours', 'nms', 'nginx', 'copier'] as const;
export type ArmName = (typeof ARM_NAMES)[number];

export const ARM_LABELS: Record<ArmName, string> = {
  ours: 'rtmp-relay',
  nms: 'node-media-server',
  nginx: 'nginx-rtmp',
  copier: 'bare Node copier',
};

export interface PushTarget {
  /** `rtmp://127.0.0.1:PORT/app` */
  readonly appUrl: string;
  readonly streamName: string;
}

export interface Topology {
  readonly events: number;
  readonly destinationsPerEvent: number;
  /** Where destination `d` of event `e` pushes. */
  target(event: number, destination: number): PushTarget;
}

export interface ArmOptions {
  /**
   * Per-destination queue bound in media milliseconds, for the relays that have one in media time
   * (ours). The benchmark sends at `speed` × real time, so the default 2000 ms of media is scaled.
   */
  readonly queueMediaMs: number;
  /**
   * Per-destination queue cap in bytes (ours: --destination-queue-bytes), scaled like queueMediaMs:
   * the default 8 MiB is about 10 s of a 6 Mbit/s stream at 1x but only 1 s at 10x.
   */
  readonly queueBytes: number;
  /** Write a V8 CPU profile of the relay (ours, nms) into this directory. */
  readonly cpuProfileDir?: string;
  /** ours only: run the relay core without the admin API (bench/ours-host.ts). */
  readonly oursHarness?: boolean;
}

export interface RelayUnderTest {
  readonly arm: ArmName;
  /** The process whose CPU and memory are measured. */
  readonly pid: number;
  /** Where the publisher of event `e` publishes. */
  ingest(event: number): PushTarget;
  /** Whether its pushes end when their publisher does (node-media-server's push tasks stay connected). */
  readonly closesPushesAtUnpublish: boolean;
  /** The last lines of its output, for error messages. */
  tail(): string;
  stop(): Promise<void>;
}

export function startArm(arm: ArmName, topology: Topology, options: ArmOptions): Promise<RelayUnderTest> {
  switch (arm) {
    case 'ours':
      return startOursArm(topology, options);
    case 'nms':
      return startNmsArm(topology, options);
    case 'nginx':
      return startNginxArm(topology);
    case 'copier':
      return startCopierArm(topology, options);
  }
}
