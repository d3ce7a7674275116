/**
 * ISO 8601 date-times with a time zone, as the API takes them for schedules: date, `T`, hours and
 * minutes, optional seconds and fraction, then `Z` or an offset. The pattern is also what the
 * OpenAPI document gives clients; the calendar check (30 February) is code.
 */
export const ISO_DATE_TIME_PATTERN = '^(\\d{4})-(\\d{2})-(\\d{2})[Tt](\\d{2}):(\\d{2})(?::(\\d{2})(?:\\.(\\d{1,9}))?)?([Zz]|[+-](\\d{2}):(\\d{2}))$';

const ISO_DATE_TIME = new RegExp(ISO_DATE_TIME_PATTERN);

/** Milliseconds since the epoch of an ISO 8601 date-time with a time zone, or null if it is not one. */
export function isoDateTimeMs(value: string): number | null {
  const match = ISO_DATE_TIME.exec(value);
  if (!match) return null;
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map((part) => Number(part ?? 0)) as [number, number, number, number, number, number];
  const lastOfMonth = utcMs(year, month, 0, 0, 0, 0, 0); // day 0 of the next month
  const daysInMonth = lastOfMonth === null ? 0 : new Date(lastOfMonth).getUTCDate();
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth || hour > 23 || minute > 59 || second > 59) return null;
  const ms = match[7] === undefined ? 0 : Number(match[7].slice(0, 3).padEnd(3, '0'));
  let offsetMinutes = 0;
  const zone = match[8]!;
  if (zone.toUpperCase() !== 'Z') {
    const offsetHours = Number(match[9]);
    const offsetMins = Number(match[10]);
    if (offsetHours > 23 || offsetMins > 59) return null;
    offsetMinutes = (zone.startsWith('-') ? -1 : 1) * (offsetHours * 60 + offsetMins);
  }
  return utcMs(year, month - 1, day, hour, minute, second, ms)! - offsetMinutes * 60_000;
}

/** Date.UTC without its quirk of reading years 0-99 as 1900-1999 (ISO 8601 allows 0000-0099). */
function utcMs(year: number, monthIndex: number, day: number, hour: number, minute: number, second: number, ms: number): number | null {
  const date = new Date(Date.UTC(2000, monthIndex, day, hour, minute, second, ms));
  date.setUTCFullYear(year, monthIndex, day);
  const time = date.getTime();
  return Number.isNaN(time) ? null : time;
}
