// Small statistics for the reports: medians with their spread over rounds, percentiles.

export interface Summary {
  readonly median: number;
  readonly min: number;
  readonly max: number;
  /** (max - min) / median, in percent: how much the rounds disagree. */
  readonly spreadPct: number;
  readonly samples: number;
}

/** The p-quantile (0..1) of `values` by linear interpolation between closest ranks. */
export function quantile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (sorted.length - 1) * p;
  const low = Math.floor(rank);
  const high = Math.ceil(rank);
  return sorted[low]! + (sorted[high]! - sorted[low]!) * (rank - low);
}

export function summarize(values: readonly number[]): Summary | null {
  const finite = values.filter((v) => Number.isFinite(v));
  if (finite.length === 0) return null;
  const median = quantile(finite, 0.5);
  const min = Math.min(...finite);
  const max = Math.max(...finite);
  return { median, min, max, spreadPct: median === 0 ? 0 : ((max - min) / median) * 100, samples: finite.length };
}

/** A number for a table: `digits` significant decimals, or an em dash. */
export function fmt(value: number | null | undefined, digits = 2): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  return value.toFixed(digits);
}

/** "1.23 ±4%" from a summary (median, spread), or an em dash. */
export function fmtSummary(summary: Summary | null, digits = 2): string {
  if (summary === null) return '—';
  if (summary.samples < 2) return fmt(summary.median, digits);
  return `${fmt(summary.median, digits)} ±${summary.spreadPct.toFixed(0)}%`;
}
