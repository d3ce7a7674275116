import { readFileSync } from 'node:fs';
import { parseDuration, parseSize } from './units.js';

/**
 * The CLI flags of CONTRACT §1, described once: yargs builds `--help` and the parser from this
 * table, and the config-file loader uses it to refuse unknown keys.
 */
export const SERVE_OPTIONS = {
  'rtmp-host': { type: 'string', default: '0.0.0.0', group: 'Ingest:', describe: 'RTMP ingest listen address' },
  'rtmp-port': { type: 'number', default: 1935, group: 'Ingest:', describe: 'RTMP ingest port (0 = pick a free port and log it)' },
  'rtmps-port': { type: 'number', group: 'Ingest:', describe: 'RTMPS (TLS) ingest port; needs --tls-cert and --tls-key (off by default)' },
  'tls-cert': { type: 'string', group: 'Ingest:', describe: 'PEM certificate (chain) for the RTMPS listener' },
  'tls-key': { type: 'string', group: 'Ingest:', describe: 'PEM private key for the RTMPS listener' },
  'public-url': { type: 'string', group: 'Ingest:', describe: 'ingest URL shown to admins [default: rtmp://<hostname>:<rtmp-port>/live]' },
  'ingest-key': { type: 'string', array: true, group: 'Ingest:', describe: 'accept publishes with this key without an event (manual trials; repeatable)' },
  'admin-host': { type: 'string', default: '127.0.0.1', group: 'Admin:', describe: 'admin HTTP API, web page and /metrics listen address' },
  'admin-port': { type: 'number', default: 8080, group: 'Admin:', describe: 'admin HTTP port (0 = pick a free port and log it)' },
  'admin-token': { type: 'string', group: 'Admin:', describe: 'bearer token for the admin API [default: generated once, stored 0600 in --data-dir]' },
  'data-dir': { type: 'string', default: './data', group: 'Admin:', describe: 'where events, destinations and the admin token persist' },
  'ca-file': { type: 'string', group: 'Relay:', describe: 'extra PEM CA certificates trusted for RTMPS destinations' },
  'publish-grace': { type: 'string', default: '10', group: 'Relay:', describe: 'seconds destinations stay connected after the encoder drops (or 500ms)' },
  'stall-timeout': { type: 'string', default: '10', group: 'Relay:', describe: 'seconds without an acknowledgement before a destination is retried' },
  'destination-queue': { type: 'string', default: '2000', group: 'Relay:', describe: 'per-destination queue bound in media milliseconds (also capped by --destination-queue-bytes)' },
  'destination-queue-bytes': { type: 'string', default: '8', group: 'Relay:', describe: 'per-destination queue cap in MiB (or 512KiB), bytes sent but not acknowledged included; at least --max-message-size' },
  'gop-cache': { type: 'string', default: '16', group: 'Relay:', describe: 'MiB of the current GOP kept per live event for late joiners (0 = off; or 512KiB)' },
  'max-connections': { type: 'number', default: 1000, group: 'Limits:', describe: 'RTMP(S) connections at once; more are closed at accept' },
  'max-message-size': { type: 'string', default: '8', group: 'Limits:', describe: 'largest inbound RTMP message in MiB (or 1048576B); larger closes that connection' },
  'handshake-timeout': { type: 'string', default: '10', group: 'Limits:', describe: 'seconds from accept to publish/play' },
  'idle-timeout': { type: 'string', default: '10', group: 'Limits:', describe: 'seconds a publisher may send nothing' },
  'log-level': { type: 'string', default: 'info', choices: ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'], group: 'Logging:', describe: 'log level' },
  'log-format': { type: 'string', choices: ['json', 'pretty'], group: 'Logging:', describe: 'log format, to stdout [default: json, pretty on a TTY]' },
} as const;

export type ServeOptionName = keyof typeof SERVE_OPTIONS;

export interface RelayConfig {
  rtmpHost: string;
  rtmpPort: number;
  rtmpsPort: number | null;
  tlsCert: string | null;
  tlsKey: string | null;
  publicUrl: string | null;
  ingestKeys: string[];
  adminHost: string;
  adminPort: number;
  adminToken: string | null;
  dataDir: string;
  caFile: string | null;
  publishGraceMs: number;
  stallTimeoutMs: number;
  destinationQueueMs: number;
  destinationQueueMaxBytes: number;
  gopCacheBytes: number;
  maxConnections: number;
  maxMessageSize: number;
  handshakeTimeoutMs: number;
  idleTimeoutMs: number;
  logLevel: string;
  logFormat: 'json' | 'pretty';
}

const camel = (dashed: string): string => dashed.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

const KNOWN_CONFIG_KEYS = new Set<string>(
  Object.keys(SERVE_OPTIONS).flatMap((name) => [name, camel(name)]),
);

/**
 * Reads a `--config FILE`: a JSON object keyed by flags (camelCase or dashed). An unknown key is
 * an error at start, so a typo never silently falls back to a default.
 */
export function loadConfigFile(path: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new Error(`--config ${path}: ${(error as Error).message}`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new Error(`--config ${path}: expected a JSON object keyed by flag names`);
  }
  for (const key of Object.keys(parsed)) {
    if (!KNOWN_CONFIG_KEYS.has(key)) {
      throw new Error(`--config ${path}: unknown key "${key}" (known: ${[...Object.keys(SERVE_OPTIONS).map(camel)].join(', ')})`);
    }
  }
  return parsed as Record<string, unknown>;
}

function port(value: unknown, flag: string, allowZero = true): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < (allowZero ? 0 : 1) || n > 65535) {
    throw new Error(`--${flag}: expected a port number 0-65535, got "${String(value)}"`);
  }
  return n;
}

function positiveInt(value: unknown, flag: string, min = 1): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new Error(`--${flag}: expected an integer >= ${min}, got "${String(value)}"`);
  return n;
}

function optionalString(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

/** Turns parsed argv (flags, env and config already merged by yargs) into a checked config. */
export function resolveConfig(argv: Record<string, unknown>, isTty = false): RelayConfig {
  const config: RelayConfig = {
    rtmpHost: String(argv['rtmp-host']),
    rtmpPort: port(argv['rtmp-port'], 'rtmp-port'),
    rtmpsPort: argv['rtmps-port'] === undefined ? null : port(argv['rtmps-port'], 'rtmps-port'),
    tlsCert: optionalString(argv['tls-cert']),
    tlsKey: optionalString(argv['tls-key']),
    publicUrl: optionalString(argv['public-url']),
    ingestKeys: ((argv['ingest-key'] as unknown[] | undefined) ?? []).map(String),
    adminHost: String(argv['admin-host']),
    adminPort: port(argv['admin-port'], 'admin-port'),
    adminToken: optionalString(argv['admin-token']),
    dataDir: String(argv['data-dir']),
    caFile: optionalString(argv['ca-file']),
    publishGraceMs: parseDuration(argv['publish-grace'], '--publish-grace'),
    stallTimeoutMs: parseDuration(argv['stall-timeout'], '--stall-timeout'),
    destinationQueueMs: parseDuration(argv['destination-queue'], '--destination-queue', 'ms'),
    destinationQueueMaxBytes: parseSize(argv['destination-queue-bytes'], '--destination-queue-bytes'),
    gopCacheBytes: parseSize(argv['gop-cache'], '--gop-cache'),
    maxConnections: positiveInt(argv['max-connections'], 'max-connections'),
    maxMessageSize: parseSize(argv['max-message-size'], '--max-message-size'),
    handshakeTimeoutMs: parseDuration(argv['handshake-timeout'], '--handshake-timeout'),
    idleTimeoutMs: parseDuration(argv['idle-timeout'], '--idle-timeout'),
    logLevel: String(argv['log-level']),
    logFormat: (optionalString(argv['log-format']) ?? (isTty ? 'pretty' : 'json')) as 'json' | 'pretty',
  };
  if (config.rtmpsPort !== null && (!config.tlsCert || !config.tlsKey)) {
    throw new Error('--rtmps-port needs --tls-cert and --tls-key (PEM files)');
  }
  if (config.maxMessageSize < 1) throw new Error('--max-message-size must be at least 1 byte');
  // A keyframe that can never fit would be dropped forever, and the video with it.
  if (config.destinationQueueMaxBytes < config.maxMessageSize) {
    throw new Error('--destination-queue-bytes must be at least --max-message-size, so any frame the ingest accepts fits');
  }
  if (config.stallTimeoutMs < 1 || config.handshakeTimeoutMs < 1 || config.idleTimeoutMs < 1) {
    throw new Error('timeouts must be positive');
  }
  for (const key of config.ingestKeys) {
    if (!/^[\x21-\x7e]{1,1024}$/.test(key)) throw new Error('--ingest-key: 1-1024 printable characters, no whitespace');
  }
  return config;
}
