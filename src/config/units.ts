/**
 * Parsing of the human units the CLI accepts. A bare number keeps the unit the CONTRACT's
 * table gives the flag (seconds, mebibytes, milliseconds); a suffix makes edges exact in tests
 * and ops scripts (`--max-message-size 1048577B`, `--publish-grace 500ms`).
 */
const SIZE_UNITS: Record<string, number> = {
  b: 1,
  kb: 1000,
  kib: 1024,
  k: 1024,
  mb: 1000 * 1000,
  mib: 1024 * 1024,
  m: 1024 * 1024,
  gib: 1024 * 1024 * 1024,
};

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, min: 60_000 };

const PATTERN = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/;

function parseWithUnit(
  value: unknown,
  defaultUnit: string,
  units: Record<string, number>,
  what: string,
): number {
  const text = typeof value === 'number' ? String(value) : typeof value === 'string' ? value : '';
  const match = PATTERN.exec(text);
  if (!match) throw new Error(`${what}: expected a number with an optional unit, got ${JSON.stringify(value)}`);
  const unit = (match[2] || defaultUnit).toLowerCase();
  const factor = units[unit];
  if (factor === undefined) {
    throw new Error(`${what}: unknown unit "${match[2]}" (use ${Object.keys(units).join(', ')})`);
  }
  return Math.round(Number(match[1]) * factor);
}

/** Bytes from e.g. `8` (MiB by default), `512KiB`, `1048577B`. */
export function parseSize(value: unknown, what: string, defaultUnit = 'mib'): number {
  return parseWithUnit(value, defaultUnit, SIZE_UNITS, what);
}

/** Milliseconds from e.g. `10` (seconds by default), `500ms`, `2m`. */
export function parseDuration(value: unknown, what: string, defaultUnit = 's'): number {
  return parseWithUnit(value, defaultUnit, DURATION_UNITS, what);
}
