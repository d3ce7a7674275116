import test from 'ava';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfigFile, resolveConfig, SERVE_OPTIONS } from '../../src/config/options.js';
import { parseDuration, parseSize } from '../../src/config/units.js';

function defaults(): Record<string, unknown> {
  const argv: Record<string, unknown> = {};
  for (const [name, option] of Object.entries(SERVE_OPTIONS)) {
    if ('default' in option) argv[name] = option.default;
  }
  return argv;
}

test('defaults follow CONTRACT §1', (t) => {
  const config = resolveConfig(defaults());
  t.like(config, {
    rtmpHost: '0.0.0.0',
    rtmpPort: 1935,
    rtmpsPort: null,
    adminHost: '127.0.0.1',
    adminPort: 8080,
    dataDir: './data',
    publishGraceMs: 10_000,
    stallTimeoutMs: 10_000,
    destinationQueueMs: 2000,
    destinationQueueMaxBytes: 8 * 1024 * 1024,
    gopCacheBytes: 16 * 1024 * 1024,
    maxConnections: 1000,
    maxMessageSize: 8 * 1024 * 1024,
    handshakeTimeoutMs: 10_000,
    idleTimeoutMs: 10_000,
    logLevel: 'info',
    logFormat: 'json',
  });
  t.is(resolveConfig(defaults(), true).logFormat, 'pretty');
});

test('units: bare numbers keep the flag unit, suffixes are exact', (t) => {
  t.is(parseSize('8', 'x'), 8 * 1024 * 1024);
  t.is(parseSize('1048577B', 'x'), 1048577);
  t.is(parseSize('512KiB', 'x'), 512 * 1024);
  t.is(parseSize(0, 'x'), 0);
  t.is(parseDuration('10', 'x'), 10_000);
  t.is(parseDuration('500ms', 'x'), 500);
  t.is(parseDuration('1.5', 'x'), 1500);
  t.throws(() => parseSize('8 parsecs', 'x'), { message: /unknown unit/ });
  t.throws(() => parseDuration('-1', 'x'), { message: /expected a number/ });
});

test('bad values are refused with the flag named', (t) => {
  t.throws(() => resolveConfig({ ...defaults(), 'rtmp-port': 70000 }), { message: /--rtmp-port/ });
  t.throws(() => resolveConfig({ ...defaults(), 'rtmp-port': Number.NaN }), { message: /--rtmp-port/ });
  t.throws(() => resolveConfig({ ...defaults(), 'rtmps-port': 1936 }), { message: /--tls-cert/ });
  t.throws(() => resolveConfig({ ...defaults(), 'max-connections': 0 }), { message: /--max-connections/ });
  t.throws(() => resolveConfig({ ...defaults(), 'ingest-key': ['has space'] }), { message: /--ingest-key/ });
});

test('--destination-queue-bytes: MiB by default, at least --max-message-size (exactly that is accepted)', (t) => {
  t.is(resolveConfig({ ...defaults(), 'destination-queue-bytes': '80' }).destinationQueueMaxBytes, 80 * 1024 * 1024);
  const edge = { ...defaults(), 'max-message-size': '1048576B' };
  t.is(resolveConfig({ ...edge, 'destination-queue-bytes': '1048576B' }).destinationQueueMaxBytes, 1048576);
  t.throws(() => resolveConfig({ ...edge, 'destination-queue-bytes': '1048575B' }), { message: /--destination-queue-bytes/ });
  t.throws(() => resolveConfig({ ...defaults(), 'destination-queue-bytes': '8 parsecs' }), { message: /--destination-queue-bytes/ });
});

test('config file: camelCase and dashed keys, unknown keys refused', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'rtmp-relay-config-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const good = join(dir, 'good.json');
  writeFileSync(good, JSON.stringify({ rtmpPort: 0, 'admin-port': 0 }));
  t.deepEqual(loadConfigFile(good), { rtmpPort: 0, 'admin-port': 0 });
  const typo = join(dir, 'typo.json');
  writeFileSync(typo, JSON.stringify({ rtmpPrt: 1 }));
  t.throws(() => loadConfigFile(typo), { message: /unknown key "rtmpPrt"/ });
  const notObject = join(dir, 'array.json');
  writeFileSync(notObject, '[1]');
  t.throws(() => loadConfigFile(notObject), { message: /JSON object/ });
  const broken = join(dir, 'broken.json');
  writeFileSync(broken, '{');
  t.throws(() => loadConfigFile(broken), { message: /broken\.json/ });
});
