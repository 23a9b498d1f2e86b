import { requirePeriod, requireSameLength } from '../errors.js';
import { nanSeries } from './series.js';

/**
 * Cumulative volume-weighted average price from the first bar, on the typical price (H+L+C)/3 as
 * TA-Lib VWAP: Σ typical·volume / Σ volume. Lookback 0; NaN while the volume so far is zero.
 * Pass one session's bars for a session (anchored) VWAP.
 */
export function vwap(
  high: readonly number[],
  low: readonly number[],
  close: readonly number[],
  volume: readonly number[],
): number[] {
  const n = requireSameLength({ high, low, close, volume });
  const out = nanSeries(n);
  let priceVolume = 0;
  let totalVolume = 0;
  for (let i = 0; i < n; i++) {
    priceVolume += typicalPrice(high, low, close, i) * volume[i]!;
    totalVolume += volume[i]!;
    if (totalVolume !== 0) out[i] = priceVolume / totalVolume;
  }
  return out;
}

/**
 * Rolling VWAP over the last `period` bars (typical price as in `vwap`). Seeding: first value at
 * index period−1; NaN before and wherever the window's volume is zero.
 */
export function rollingVwap(
  high: readonly number[],
  low: readonly number[],
  close: readonly number[],
  volume: readonly number[],
  period: number,
): number[] {
  requirePeriod('period', period);
  const n = requireSameLength({ high, low, close, volume });
  const out = nanSeries(n);
  let priceVolume = 0;
  let totalVolume = 0;
  for (let i = 0; i < n; i++) {
    priceVolume += typicalPrice(high, low, close, i) * volume[i]!;
    totalVolume += volume[i]!;
    if (i >= period) {
      priceVolume -= typicalPrice(high, low, close, i - period) * volume[i - period]!;
      totalVolume -= volume[i - period]!;
    }
    if (i >= period - 1 && totalVolume !== 0) out[i] = priceVolume / totalVolume;
  }
  return out;
}

function typicalPrice(high: readonly number[], low: readonly number[], close: readonly number[], i: number) {
  return (high[i]! + low[i]! + close[i]!) / 3;
}
