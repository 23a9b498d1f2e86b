import { requirePeriod } from '../errors.js';
import { nanSeries } from './series.js';

/**
 * Exponential moving average with k = 2/(period+1).
 * Seeding (TA-Lib default compatibility, lookback period−1): the first value, at index period−1, is
 * the SMA of the first `period` values; after that ema[i] = ema[i−1] + k·(values[i] − ema[i−1]).
 */
export function ema(values: readonly number[], period: number): number[] {
  return emaSeededAt(values, period, period - 1);
}

/**
 * The same EMA with its SMA seed taken over the `period` values ending at `seedIndex`, NaN before.
 * TA-Lib's MACD starts its fast EMA this way, so both EMAs begin on the slow EMA's first bar.
 */
export function emaSeededAt(values: readonly number[], period: number, seedIndex: number): number[] {
  requirePeriod('period', period);
  const out = nanSeries(values.length);
  if (seedIndex < period - 1 || seedIndex >= values.length) return out;
  const k = 2 / (period + 1);
  let seed = 0;
  for (let i = seedIndex - period + 1; i <= seedIndex; i++) seed += values[i]!;
  let prev = seed / period;
  out[seedIndex] = prev;
  for (let i = seedIndex + 1; i < values.length; i++) {
    prev += k * (values[i]! - prev);
    out[i] = prev;
  }
  return out;
}
