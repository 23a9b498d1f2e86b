import { QuantError } from '../errors.js';

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const MS_PER_DAY = 86_400_000;

/** Days since 1970-01-01 for an ISO 'YYYY-MM-DD' date (calendar days, no time zone games). */
export function dayNumber(date: string): number {
  const ms = ISO_DATE.test(date) ? Date.parse(`${date}T00:00:00Z`) : Number.NaN;
  if (Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== date) {
    throw new QuantError('invalid_argument', `Not an ISO date (YYYY-MM-DD): ${date}`, { date });
  }
  return ms / MS_PER_DAY;
}

export function daysBetween(from: string, to: string): number {
  return dayNumber(to) - dayNumber(from);
}

/** Throws unless the dates are strictly increasing. */
export function requireAscending(dates: readonly string[]): void {
  for (let i = 1; i < dates.length; i++) {
    if (daysBetween(dates[i - 1]!, dates[i]!) <= 0) {
      throw new QuantError(
        'invalid_argument',
        `Dates must be strictly increasing: ${dates[i - 1]} then ${dates[i]}`,
      );
    }
  }
}
