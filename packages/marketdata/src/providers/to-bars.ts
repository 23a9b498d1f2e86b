import { barIssue, type DailyBar, decimalString, isIsoDate, volumeInteger } from '../bars.js';
import { badShape } from '../http.js';

export interface RawBar {
  date: string;
  open: unknown;
  high: unknown;
  low: unknown;
  close: unknown;
  volume: unknown;
}

/**
 * A provider's rows as validated bars within from…to, oldest first. A row that breaks the bar
 * rule or repeats a date fails the whole response: a source that sends one bad bar is not trusted
 * for the others.
 */
export function toBars(
  provider: string,
  symbol: string,
  rows: readonly RawBar[],
  from: string,
  to: string,
): DailyBar[] {
  const bars = rows.map((row) => {
    const [open, high, low, close] = [row.open, row.high, row.low, row.close].map(decimalString);
    const volume = volumeInteger(row.volume);
    if (!isIsoDate(row.date) || !open || !high || !low || !close || volume === null) {
      throw badShape(provider, `bar ${JSON.stringify(row)}`);
    }
    const bar: DailyBar = { symbol, date: row.date, open, high, low, close, volume };
    const issue = barIssue(bar);
    if (issue) throw badShape(provider, `${issue} in the bar of ${row.date}`, { bar });
    return bar;
  });
  const inRange = bars
    .filter((b) => b.date >= from && b.date <= to)
    .sort((a, b) => a.date.localeCompare(b.date));
  for (let i = 1; i < inRange.length; i++) {
    if (inRange[i]!.date === inRange[i - 1]!.date)
      throw badShape(provider, `two bars for ${inRange[i]!.date}`);
  }
  return inRange;
}

/** An object, or a `bad_response` error. */
export function asRecord(provider: string, value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw badShape(provider, `${what} is not an object`);
  return value as Record<string, unknown>;
}
