import test from 'ava';
import { MetricsRegistry, PROMETHEUS_CONTENT_TYPE } from '../../src/admin/prometheus.js';
import { processMetricFamilies } from '../../src/admin/process-metrics.js';

// Expected text written out by hand from the exposition format spec (version 0.0.4).

test('families: HELP, TYPE, then one line per sample, labels in the order given', (t) => {
  const registry = new MetricsRegistry();
  registry.register({ name: 'x_bytes_total', help: 'Bytes.', type: 'counter', collect: () => [{ labels: { event: 'e1', kind: 'a' }, value: 5 }, { labels: { event: 'e2', kind: 'b' }, value: 0 }] });
  registry.register({ name: 'x_up', help: 'Up.', type: 'gauge', collect: () => [{ value: 1 }] });
  registry.register({ name: 'x_none', help: 'No samples yet.', type: 'gauge', collect: () => [] });
  t.is(
    registry.metrics(),
    [
      '# HELP x_bytes_total Bytes.',
      '# TYPE x_bytes_total counter',
      'x_bytes_total{event="e1",kind="a"} 5',
      'x_bytes_total{event="e2",kind="b"} 0',
      '# HELP x_up Up.',
      '# TYPE x_up gauge',
      'x_up 1',
      '# HELP x_none No samples yet.',
      '# TYPE x_none gauge',
      '',
    ].join('\n'),
  );
  t.is(registry.contentType, PROMETHEUS_CONTENT_TYPE);
  t.is(PROMETHEUS_CONTENT_TYPE, 'text/plain; version=0.0.4; charset=utf-8');
});

test('label values escape backslash, double quote and line feed; HELP escapes backslash and line feed', (t) => {
  const registry = new MetricsRegistry();
  registry.register({ name: 'y', help: 'a\\b\nc "quoted"', type: 'gauge', collect: () => [{ labels: { system_name: 'You"Tube\\\nLive' }, value: 2.5 }] });
  t.is(registry.metrics(), '# HELP y a\\\\b\\nc "quoted"\n# TYPE y gauge\ny{system_name="You\\"Tube\\\\\\nLive"} 2.5\n');
});

test('special values and invalid names', (t) => {
  const registry = new MetricsRegistry();
  registry.register({ name: 'z', help: 'h', type: 'gauge', collect: () => [{ labels: { k: 'nan' }, value: Number.NaN }, { labels: { k: 'inf' }, value: Infinity }, { labels: { k: 'ninf' }, value: -Infinity }] });
  t.true(registry.metrics().endsWith('z{k="nan"} NaN\nz{k="inf"} +Inf\nz{k="ninf"} -Inf\n'));
  t.throws(() => registry.register({ name: 'z', help: 'again', type: 'gauge', collect: () => [] }), { message: /twice/ });
  t.throws(() => registry.register({ name: '1bad', help: 'h', type: 'gauge', collect: () => [] }), { message: /invalid metric name/ });
  const labelled = new MetricsRegistry();
  labelled.register({ name: 'w', help: 'h', type: 'gauge', collect: () => [{ labels: { 'bad-name': 'v' }, value: 1 }] });
  t.throws(() => labelled.metrics(), { message: /invalid label name bad-name/ });
});

test('process metrics keep prom-client default names and read live values', (t) => {
  const registry = new MetricsRegistry();
  for (const family of processMetricFamilies('p_')) registry.register(family);
  const text = registry.metrics();
  const value = (name: string): number => Number(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(text)?.[1]);
  t.true(value('p_process_cpu_seconds_total') > 0);
  t.true(Math.abs(value('p_process_cpu_seconds_total') - value('p_process_cpu_user_seconds_total') - value('p_process_cpu_system_seconds_total')) < 0.05);
  t.true(value('p_process_resident_memory_bytes') > 10 * 1024 * 1024);
  t.true(value('p_nodejs_heap_size_used_bytes') > 0);
  t.true(value('p_nodejs_heap_size_total_bytes') >= value('p_nodejs_heap_size_used_bytes'));
  t.true(value('p_nodejs_external_memory_bytes') >= 0);
  t.true(Math.abs(value('p_process_start_time_seconds') - (Date.now() / 1000 - process.uptime())) < 2);
  if (process.platform === 'linux') t.true(value('p_process_open_fds') >= 3);
  t.true(text.includes(`p_nodejs_version_info{version="${process.version}",major="${process.versions.node.split('.')[0]}"`));
});
