import { requirePeriod, requireSameLength } from '../errors.js';
import { nanSeries } from './series.js';
import { smaFrom } from './sma.js';

export interface StochasticOptions {
  /** Look-back of the raw (fast) %K. */
  fastKPeriod?: number;
  /** SMA period that smooths fast %K into slow %K. */
  slowKPeriod?: number;
  /** SMA period of slow %K that gives %D. */
  slowDPeriod?: number;
}

export interface Stochastic {
  k: number[];
  d: number[];
}

/**
 * Slow stochastic oscillator (TA-Lib STOCH with SMA smoothing):
 * fast %K = 100·(close − lowest low)/(highest high − lowest low) over `fastKPeriod` bars (0 when the
 * range is flat, as TA-Lib), slow %K = SMA(fast %K, slowKPeriod), %D = SMA(slow %K, slowDPeriod).
 * Seeding: like TA-Lib, both outputs start together at index
 * (fastKPeriod−1)+(slowKPeriod−1)+(slowDPeriod−1) (17 for 14/3/3), NaN before.
 * Defaults 14/3/3 are the charting convention; TA-Lib's own default fast %K period is 5.
 */
export function stochastic(
  high: readonly number[],
  low: readonly number[],
  close: readonly number[],
  options: StochasticOptions = {},
): Stochastic {
  const { fastKPeriod = 14, slowKPeriod = 3, slowDPeriod = 3 } = options;
  requirePeriod('fastKPeriod', fastKPeriod);
  requirePeriod('slowKPeriod', slowKPeriod);
  requirePeriod('slowDPeriod', slowDPeriod);
  const n = requireSameLength({ high, low, close });

  const fastK = nanSeries(n);
  for (let i = fastKPeriod - 1; i < n; i++) {
    let highest = high[i]!;
    let lowest = low[i]!;
    for (let j = i - fastKPeriod + 1; j < i; j++) {
      if (high[j]! > highest) highest = high[j]!;
      if (low[j]! < lowest) lowest = low[j]!;
    }
    const range = highest - lowest;
    fastK[i] = range === 0 ? 0 : (100 * (close[i]! - lowest)) / range;
  }
  const slowK = smaFrom(fastK, slowKPeriod, fastKPeriod - 1);
  const slowD = smaFrom(slowK, slowDPeriod, fastKPeriod + slowKPeriod - 2);

  const first = fastKPeriod + slowKPeriod + slowDPeriod - 3;
  const result: Stochastic = { k: nanSeries(n), d: nanSeries(n) };
  for (let i = first; i < n; i++) {
    result.k[i] = slowK[i]!;
    result.d[i] = slowD[i]!;
  }
  return result;
}
