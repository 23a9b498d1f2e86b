import { requirePeriod, requireSameLength } from '../errors.js';
import { nanSeries } from './series.js';

/**
 * True range: max(high−low, |high−previous close|, |low−previous close|). The first bar has no
 * previous close, so TR[0] = high[0] − low[0].
 */
export function trueRange(
  high: readonly number[],
  low: readonly number[],
  close: readonly number[],
): number[] {
  const n = requireSameLength({ high, low, close });
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const range = high[i]! - low[i]!;
    if (i === 0) {
      out[i] = range;
      continue;
    }
    const prev = close[i - 1]!;
    out[i] = Math.max(range, Math.abs(high[i]! - prev), Math.abs(low[i]! - prev));
  }
  return out;
}

/**
 * Average true range with Wilder smoothing: atr[i] = (atr[i−1]·(period−1) + TR[i]) / period.
 * Seeding (TA-Lib ATR, lookback = period): the first value, at index `period`, is the simple mean of
 * TR[1 … period], the first `period` bars that have a previous close; TR[0] (high−low) is not
 * averaged in. NaN before.
 */
export function atr(
  high: readonly number[],
  low: readonly number[],
  close: readonly number[],
  period = 14,
): number[] {
  requirePeriod('period', period);
  const tr = trueRange(high, low, close);
  const out = nanSeries(tr.length);
  if (tr.length <= period) return out;
  let avg = 0;
  for (let i = 1; i <= period; i++) avg += tr[i]!;
  avg /= period;
  out[period] = avg;
  for (let i = period + 1; i < tr.length; i++) {
    avg = (avg * (period - 1) + tr[i]!) / period;
    out[i] = avg;
  }
  return out;
}
