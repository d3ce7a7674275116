// Interop tests need real peers (ffmpeg, nginx-rtmp, openssl). Whether they may be skipped is decided
// when the test is declared, so a missing peer shows as "skipped" in ava's summary (never as passed),
// and under CI a missing peer is a failure with a message naming what is missing.
import { accessSync, constants } from 'node:fs';
import test, { type ExecutionContext } from 'ava';
import { findExecutable, NGINX_RTMP_MODULE, NGINX_STREAM_MODULE } from './peer-files.js';

/** Something an interop test runs. `nginx-rtmp` means nginx plus the rtmp and stream dynamic modules. */
export type Peer = 'ffmpeg' | 'ffprobe' | 'nginx-rtmp' | 'openssl' | 'chromium' | 'gstreamer' | 'rtmpdump';

/** Debian's chromium, which the browser tests drive with playwright-core (no browser is downloaded). */
export const CHROMIUM_EXECUTABLE = '/usr/bin/chromium';

const peerFiles: Record<Peer, readonly { readonly executable?: string; readonly file?: string }[]> = {
  ffmpeg: [{ executable: 'ffmpeg' }],
  ffprobe: [{ executable: 'ffprobe' }],
  'nginx-rtmp': [{ executable: 'nginx' }, { file: NGINX_RTMP_MODULE }, { file: NGINX_STREAM_MODULE }],
  openssl: [{ executable: 'openssl' }],
  chromium: [{ file: CHROMIUM_EXECUTABLE }],
  // The plugins (rtmp2sink, rtmpsink, x264enc, avenc_aac, flvmux) come with .ci/run's gstreamer packages.
  gstreamer: [{ executable: 'gst-launch-1.0' }, { executable: 'gst-inspect-1.0' }],
  rtmpdump: [{ executable: 'rtmpdump' }],
};

/** True when running under CI (CI set to anything but empty, "0" or "false"). */
export function isCi(env: NodeJS.ProcessEnv = process.env): boolean {
  const value = env['CI'];
  return value !== undefined && value !== '' && value !== '0' && value.toLowerCase() !== 'false';
}

function isReadable(path: string): boolean {
  try {
    accessSync(path, constants.R_OK);
    return true;
  } catch {
    return false;
  }
}

/** Human-readable descriptions of what is missing for the given peers (empty when all are present). */
export function missingPeers(peers: readonly Peer[]): string[] {
  const missing: string[] = [];
  for (const peer of new Set(peers)) {
    for (const need of peerFiles[peer]) {
      if (need.executable !== undefined && findExecutable(need.executable) === undefined) {
        missing.push(`${peer}: executable "${need.executable}" not found on PATH or in the sbin directories`);
      }
      if (need.file !== undefined && !isReadable(need.file)) missing.push(`${peer}: ${need.file} not found`);
    }
  }
  return missing;
}

export interface PeerTestOptions {
  /** Run the test serially (ava `test.serial`). */
  readonly serial?: boolean;
}

export type PeerTestImplementation = (t: ExecutionContext) => Promise<void> | void;

/**
 * Declares an ava test that needs real peers:
 * - all present: an ordinary test;
 * - missing, CI: the test fails with a message naming what is missing;
 * - missing, not CI: the test is declared with `test.skip` (reported as skipped, not passed).
 */
export function peerTest(
  peers: readonly Peer[],
  title: string,
  implementation: PeerTestImplementation,
  options: PeerTestOptions = {},
): void {
  const missing = missingPeers(peers);
  const declare = options.serial === true ? test.serial : test;
  if (missing.length === 0) {
    declare(title, implementation);
  } else if (isCi()) {
    declare(title, (t) => {
      t.fail(`interop peers are required under CI but missing: ${missing.join('; ')}`);
    });
  } else {
    const skip = options.serial === true ? test.serial.skip : test.skip;
    skip(`${title} (skipped, missing: ${missing.join('; ')})`, implementation);
  }
}
