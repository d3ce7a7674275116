// rtmp-relay as the relay: the real CLI (`node <build>/src/cli.js serve`) in its own process, the
// events and destinations created through the admin API (CONTRACT §3), as an operator would.
// With `oursHarness`, bench/ours-host.ts runs the same relay core with a static configuration.
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AdminClient } from '../test/helpers/admin-client.js';
import { freePort, LOCALHOST, waitForPort } from '../test/helpers/ports.js';
import { spawnPeer, type PeerProcess } from '../test/helpers/processes.js';
import { makeTmpDir, type TmpDir } from '../test/helpers/tmp.js';
import type { ArmOptions, PushTarget, RelayUnderTest, Topology } from './arms.js';
import type { OursHostConfig } from './ours-host.js';

const HERE = dirname(fileURLToPath(import.meta.url));
/** The CLI as compiled by tsconfig.test.json next to the bench (build-test/src/cli.js). */
export const RELAY_CLI = process.env['RELAY_BENCH_CLI'] ?? join(HERE, '..', 'src', 'cli.js');
const HOST_SCRIPT = join(HERE, 'ours-host.js');
const PUBLISH_GRACE = '500ms';

/** Node flags for the relay process: a CPU profile, plus RELAY_BENCH_NODE_ARGS (e.g. `--trace-deopt`). */
export function nodeArgs(options: ArmOptions): string[] {
  const extra = (process.env['RELAY_BENCH_NODE_ARGS'] ?? '').split(' ').filter((arg) => arg !== '');
  return [...extra, ...(options.cpuProfileDir === undefined ? [] : ['--cpu-prof', '--cpu-prof-dir', options.cpuProfileDir])];
}

async function waitOrFail(proc: PeerProcess, ports: readonly number[], tmp: TmpDir, what: string): Promise<void> {
  try {
    for (const port of ports) await waitForPort(port, { timeoutMs: 15_000, signal: proc.exitSignal });
  } catch (error) {
    await proc.stop();
    await tmp.remove();
    throw new Error(`${what} did not start: ${(error as Error).message}\n${proc.tail('stdout')}\n${proc.tail('stderr')}`);
  }
}

/**
 * The environment of the relay: ours without RTMP_RELAY_* variables, which the CLI reads as flags
 * (CONTRACT §1) — the benchmark's configuration is the flags it passes, nothing inherited.
 */
function relayEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('RTMP_RELAY_')));
}

function asArm(proc: PeerProcess, tmp: TmpDir, ingest: (event: number) => PushTarget): RelayUnderTest {
  return {
    arm: 'ours',
    pid: proc.pid,
    ingest,
    closesPushesAtUnpublish: true,
    tail: () => `${proc.tail('stdout', 20)}\n${proc.tail('stderr', 20)}`,
    stop: async () => {
      await proc.stop({ signal: 'SIGTERM', graceMs: 6000 });
      await tmp.remove();
    },
  };
}

async function startHarness(topology: Topology, options: ArmOptions): Promise<RelayUnderTest> {
  const tmp = await makeTmpDir('rtmp-relay-bench-ours-');
  const rtmpPort = await freePort();
  const events: OursHostConfig['events'][number][] = [];
  for (let e = 0; e < topology.events; e++) {
    const destinations = [];
    for (let d = 0; d < topology.destinationsPerEvent; d++) {
      const target = topology.target(e, d);
      destinations.push({ url: target.appUrl, streamKey: target.streamName });
    }
    events.push({ ingestKey: `bench-${e}-${randomBytes(6).toString('hex')}`, destinations });
  }
  const config: OursHostConfig = { rtmpPort, queueMediaMs: options.queueMediaMs, queueBytes: options.queueBytes, events };
  const configPath = join(tmp.path, 'config.json');
  await writeFile(configPath, JSON.stringify(config));
  const proc = spawnPeer(process.execPath, [...nodeArgs(options), HOST_SCRIPT, configPath], { cwd: tmp.path });
  await waitOrFail(proc, [rtmpPort], tmp, 'ours-host');
  return asArm(proc, tmp, (event) => ({ appUrl: `rtmp://${LOCALHOST}:${rtmpPort}/live`, streamName: events[event]!.ingestKey }));
}

async function startCli(topology: Topology, options: ArmOptions): Promise<RelayUnderTest> {
  const tmp = await makeTmpDir('rtmp-relay-bench-ours-');
  const rtmpPort = await freePort();
  const adminPort = await freePort();
  const token = `bench-${randomBytes(18).toString('base64url')}`;
  const args = [
    ...nodeArgs(options), RELAY_CLI, 'serve',
    '--rtmp-host', LOCALHOST, '--rtmp-port', String(rtmpPort),
    '--admin-host', LOCALHOST, '--admin-port', String(adminPort),
    '--data-dir', join(tmp.path, 'data'), '--admin-token', token,
    '--log-level', 'warn', '--log-format', 'json',
    '--destination-queue', String(options.queueMediaMs),
    '--destination-queue-bytes', `${options.queueBytes}B`,
    // Destinations of a warm-up publish close before the measured one starts (bench/fanout.ts waits
    // for it), as they do at once in the other relays; the grace does not touch the media path.
    '--publish-grace', PUBLISH_GRACE,
  ];
  const proc = spawnPeer(process.execPath, args, { cwd: tmp.path, env: relayEnv() });
  await waitOrFail(proc, [rtmpPort, adminPort], tmp, 'rtmp-relay');
  const admin = new AdminClient(`http://${LOCALHOST}:${adminPort}`, token);
  const ingestKeys: string[] = [];
  try {
    for (let e = 0; e < topology.events; e++) {
      const event = await admin.createEvent({ name: `bench event ${e}` });
      ingestKeys.push(event.ingestKey);
      for (let d = 0; d < topology.destinationsPerEvent; d++) {
        const target = topology.target(e, d);
        await admin.createDestination(event.id, { systemName: `sink ${d}`, primaryUrl: target.appUrl, streamKey: target.streamName });
      }
    }
  } catch (error) {
    await proc.stop();
    await tmp.remove();
    throw new Error(`admin API of rtmp-relay: ${(error as Error).message}`);
  }
  return asArm(proc, tmp, (event) => ({ appUrl: `rtmp://${LOCALHOST}:${rtmpPort}/live`, streamName: ingestKeys[event]! }));
}

export function startOursArm(topology: Topology, options: ArmOptions): Promise<RelayUnderTest> {
  return options.oursHarness === true ? startHarness(topology, options) : startCli(topology, options);
}
