// Wave instants as integer nanoseconds since the epoch (bigint), parsed as leniently as chrono
// parses manifest dates and written back as upstream serialises them (updates.md 2.1).
import { BrktError } from '../errors';

export type Instant = bigint;

export const NANOS_PER_MILLI = 1_000_000n;
export const NANOS_PER_SECOND = 1_000_000_000n;

const LENIENT = /^(\d{4})-(\d{1,2})-(\d{1,2})[Tt ](\d{1,2}):(\d{1,2}):(\d{1,2})(?:\.(\d+))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;

/** Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

const daysInMonth = (year: number, month: number) =>
  [31, year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]!;

/**
 * An RFC 3339 date-time as chrono accepts it: one- or two-digit month, day, hour, minute and
 * second, `T`/`t`/space between date and time, optional fraction (digits past nanoseconds are
 * dropped), `Z`/`z` or `±HH:MM`. Undefined when `text` is not one.
 */
export function tryParseInstant(text: string): Instant | undefined {
  const m = LENIENT.exec(text);
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  // chrono models a leap second as :60; no manifest uses one, so it is refused here.
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month) || hour > 23 || minute > 59 || second > 59) return undefined;
  const fraction = BigInt(((m[7] ?? '') + '000000000').slice(0, 9));
  let offsetMinutes = 0;
  if (m[9]) {
    const offHours = Number(m[10]);
    const offMinutes = Number(m[11]);
    if (offHours > 23 || offMinutes > 59) return undefined;
    offsetMinutes = (m[9] === '-' ? -1 : 1) * (offHours * 60 + offMinutes);
  }
  const seconds = BigInt(daysFromCivil(year, month, day)) * 86400n + BigInt(hour * 3600 + minute * 60 + second - offsetMinutes * 60);
  return seconds * NANOS_PER_SECOND + fraction;
}

export function parseInstant(text: string, what = 'date'): Instant {
  const instant = tryParseInstant(text);
  if (instant === undefined) throw new BrktError('invalid-input', `Invalid ${what} '${text}': not an RFC 3339 date-time`);
  return instant;
}

/** RFC 3339 in UTC with `Z`; fractional seconds only when non-zero, in 3, 6 or 9 digits. */
export function formatInstant(instant: Instant): string {
  const floorDiv = (a: bigint, b: bigint) => (a >= 0n ? a / b : -((-a + b - 1n) / b));
  const seconds = floorDiv(instant, NANOS_PER_SECOND);
  const nanos = Number(instant - seconds * NANOS_PER_SECOND);
  const iso = new Date(Number(seconds) * 1000).toISOString().slice(0, 19);
  if (nanos === 0) return `${iso}Z`;
  const digits = String(nanos).padStart(9, '0');
  const shown = nanos % 1_000_000 === 0 ? digits.slice(0, 3) : nanos % 1000 === 0 ? digits.slice(0, 6) : digits;
  return `${iso}.${shown}Z`;
}

export const instantFromDate = (date: Date): Instant => BigInt(date.getTime()) * NANOS_PER_MILLI;
export const dateFromInstant = (instant: Instant): Date => new Date(Number(instant / NANOS_PER_MILLI));
