import { readdirSync } from 'node:fs';
import type { MetricFamily, Sample } from './prometheus.js';

/** Open file descriptors (Linux: /proc/self/fd), or none where that is not readable. */
function openFds(): Sample[] {
  try {
    return [{ value: readdirSync('/proc/self/fd').length - 1 }]; // minus the one readdir itself holds
  } catch {
    return [];
  }
}

/**
 * The process and Node.js runtime metrics operators graph, under the names prom-client's default
 * collectors use (with our prefix), so dashboards built on those keep working: CPU, start time,
 * resident memory, open descriptors, V8 heap and external memory, the Node version. All read at
 * scrape time; nothing runs between scrapes.
 */
export function processMetricFamilies(prefix: string): MetricFamily[] {
  const startTimeSeconds = Math.round(Date.now() / 1000 - process.uptime());
  const [major = '0', minor = '0', patch = '0'] = process.versions.node.split('.');
  return [
    {
      name: `${prefix}process_cpu_user_seconds_total`,
      help: 'Total user CPU time spent in seconds.',
      type: 'counter',
      collect: () => [{ value: process.cpuUsage().user / 1e6 }],
    },
    {
      name: `${prefix}process_cpu_system_seconds_total`,
      help: 'Total system CPU time spent in seconds.',
      type: 'counter',
      collect: () => [{ value: process.cpuUsage().system / 1e6 }],
    },
    {
      name: `${prefix}process_cpu_seconds_total`,
      help: 'Total user and system CPU time spent in seconds.',
      type: 'counter',
      collect: () => {
        const usage = process.cpuUsage();
        return [{ value: (usage.user + usage.system) / 1e6 }];
      },
    },
    {
      name: `${prefix}process_start_time_seconds`,
      help: 'Start time of the process since unix epoch in seconds.',
      type: 'gauge',
      collect: () => [{ value: startTimeSeconds }],
    },
    {
      name: `${prefix}process_resident_memory_bytes`,
      help: 'Resident memory size in bytes.',
      type: 'gauge',
      collect: () => [{ value: process.memoryUsage.rss() }],
    },
    {
      name: `${prefix}process_open_fds`,
      help: 'Number of open file descriptors.',
      type: 'gauge',
      collect: openFds,
    },
    {
      name: `${prefix}nodejs_heap_size_total_bytes`,
      help: 'Process heap size from Node.js in bytes.',
      type: 'gauge',
      collect: () => [{ value: process.memoryUsage().heapTotal }],
    },
    {
      name: `${prefix}nodejs_heap_size_used_bytes`,
      help: 'Process heap size used from Node.js in bytes.',
      type: 'gauge',
      collect: () => [{ value: process.memoryUsage().heapUsed }],
    },
    {
      name: `${prefix}nodejs_external_memory_bytes`,
      help: 'Node.js external memory size in bytes.',
      type: 'gauge',
      collect: () => [{ value: process.memoryUsage().external }],
    },
    {
      name: `${prefix}nodejs_version_info`,
      help: 'Node.js version info.',
      type: 'gauge',
      collect: () => [{ labels: { version: process.version, major, minor, patch }, value: 1 }],
    },
  ];
}
