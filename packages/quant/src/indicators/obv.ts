import { requireSameLength } from '../errors.js';

/**
 * On-balance volume: add the bar's volume when the close rises, subtract it when the close falls,
 * carry the total when it is unchanged. Seeding (TA-Lib OBV, lookback 0): OBV[0] = volume[0].
 */
export function obv(close: readonly number[], volume: readonly number[]): number[] {
  const n = requireSameLength({ close, volume });
  const out = new Array<number>(n);
  let total = 0;
  for (let i = 0; i < n; i++) {
    if (i === 0) total = volume[0]!;
    else if (close[i]! > close[i - 1]!) total += volume[i]!;
    else if (close[i]! < close[i - 1]!) total -= volume[i]!;
    out[i] = total;
  }
  return out;
}
