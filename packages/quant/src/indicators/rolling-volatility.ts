import { requirePeriod } from '../errors.js';
import { nanSeries } from './series.js';

export interface RollingVolatilityOptions {
  /** Multiply by √periodsPerYear. */
  annualize?: boolean;
  periodsPerYear?: number;
}

/**
 * Rolling volatility: the sample standard deviation (divide by n−1) of the last `period` log returns
 * ln(close[i]/close[i−1]), optionally annualized by √periodsPerYear (252 for daily bars).
 * Seeding: the first value, at index `period`, uses the returns of bars 1…period (period+1 closes);
 * NaN before.
 */
export function rollingVolatility(
  close: readonly number[],
  period: number,
  options: RollingVolatilityOptions = {},
): number[] {
  const { annualize = false, periodsPerYear = 252 } = options;
  requirePeriod('period', period, 2);
  const scale = annualize ? Math.sqrt(periodsPerYear) : 1;
  const returns = close.map((c, i) => (i === 0 ? Number.NaN : Math.log(c / close[i - 1]!)));
  const out = nanSeries(close.length);
  for (let i = period; i < close.length; i++) {
    let sum = 0;
    for (let j = i - period + 1; j <= i; j++) sum += returns[j]!;
    const mean = sum / period;
    let squares = 0;
    for (let j = i - period + 1; j <= i; j++) squares += (returns[j]! - mean) ** 2;
    out[i] = Math.sqrt(squares / (period - 1)) * scale;
  }
  return out;
}
