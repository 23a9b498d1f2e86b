import { requirePeriod } from '../errors.js';
import { nanSeries } from './series.js';

/**
 * Simple moving average: out[i] = mean(values[i−period+1 … i]).
 * Seeding (TA-Lib SMA, lookback period−1): the first value is at index period−1; NaN before.
 */
export function sma(values: readonly number[], period: number): number[] {
  return smaFrom(values, period, 0);
}

/** The SMA of a series whose values start at `offset` (NaN before); its first value is at offset+period−1. */
export function smaFrom(values: readonly number[], period: number, offset: number): number[] {
  requirePeriod('period', period);
  const out = nanSeries(values.length);
  let sum = 0;
  for (let i = offset; i < values.length; i++) {
    sum += values[i]!;
    if (i >= offset + period) sum -= values[i - period]!;
    if (i >= offset + period - 1) out[i] = sum / period;
  }
  return out;
}
