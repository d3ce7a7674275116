/**
 * The Prometheus text exposition format (version 0.0.4), written by hand: our metrics are a few
 * counters and gauges read from their owners at scrape time, so a metrics library would only add
 * memory (prom-client cost 4-5 MB of RSS at rest, and its default collectors a 10 ms event-loop
 * timer). https://prometheus.io/docs/instrumenting/exposition_formats/
 */

export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

export type MetricType = 'counter' | 'gauge';
export type Labels = Readonly<Record<string, string>>;

export interface Sample {
  readonly labels?: Labels;
  readonly value: number;
}

/** One metric family: name, help, type, and how to read its samples at scrape time. */
export interface MetricFamily {
  readonly name: string;
  readonly help: string;
  readonly type: MetricType;
  collect(): Iterable<Sample>;
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** HELP text: backslash and line feed escaped. */
function escapeHelp(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

/** Label values: backslash, double quote and line feed escaped. */
function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}

function formatLabels(labels: Labels | undefined): string {
  if (labels === undefined) return '';
  const pairs = Object.entries(labels);
  if (pairs.length === 0) return '';
  return `{${pairs.map(([name, value]) => `${name}="${escapeLabelValue(value)}"`).join(',')}}`;
}

/** The families, each read when the registry is scraped. */
export class MetricsRegistry {
  private readonly families: MetricFamily[] = [];

  readonly contentType = PROMETHEUS_CONTENT_TYPE;

  register(family: MetricFamily): void {
    if (!METRIC_NAME.test(family.name)) throw new RangeError(`invalid metric name ${family.name}`);
    if (this.families.some((known) => known.name === family.name)) throw new RangeError(`metric ${family.name} registered twice`);
    this.families.push(family);
  }

  /** The exposition text; a label name that is not valid is a programming error. */
  metrics(): string {
    const lines: string[] = [];
    for (const family of this.families) {
      lines.push(`# HELP ${family.name} ${escapeHelp(family.help)}`, `# TYPE ${family.name} ${family.type}`);
      for (const sample of family.collect()) {
        for (const name of Object.keys(sample.labels ?? {})) {
          if (!LABEL_NAME.test(name)) throw new RangeError(`invalid label name ${name} on ${family.name}`);
        }
        lines.push(`${family.name}${formatLabels(sample.labels)} ${formatValue(sample.value)}`);
      }
    }
    return `${lines.join('\n')}\n`;
  }
}
