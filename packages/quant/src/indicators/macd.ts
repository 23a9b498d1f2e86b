import { requirePeriod } from '../errors.js';
import { emaSeededAt } from './ema.js';
import { nanSeries } from './series.js';

export interface MacdOptions {
  fast?: number;
  slow?: number;
  signal?: number;
}

export interface MacdResult {
  macd: number[];
  signal: number[];
  histogram: number[];
}

/**
 * MACD line (fast EMA − slow EMA), its signal line (EMA of the MACD line) and the histogram (MACD −
 * signal), TA-Lib alignment:
 * - the slow EMA is seeded with the SMA of the first `slow` values (first value at index slow−1);
 * - the fast EMA is seeded with the SMA of the `fast` values ending at that same index, so both EMAs
 *   start on the same bar (it is not the standalone fast EMA);
 * - the signal EMA is seeded with the SMA of the first `signal` MACD values;
 * - all three outputs start together at index (slow−1)+(signal−1), 33 for 12/26/9; NaN before.
 * If `fast` > `slow` the two are swapped, as TA-Lib does.
 */
export function macd(values: readonly number[], options: MacdOptions = {}): MacdResult {
  let { fast = 12, slow = 26 } = options;
  const { signal: signalPeriod = 9 } = options;
  requirePeriod('fast', fast, 2);
  requirePeriod('slow', slow, 2);
  requirePeriod('signal', signalPeriod);
  if (fast > slow) [fast, slow] = [slow, fast];

  const start = slow - 1;
  const slowEma = emaSeededAt(values, slow, start);
  const fastEma = emaSeededAt(values, fast, start);
  const line = slowEma.map((s, i) => fastEma[i]! - s);
  const first = start + signalPeriod - 1;
  const signal = emaSeededAt(line, signalPeriod, first);

  const result: MacdResult = {
    macd: nanSeries(values.length),
    signal: nanSeries(values.length),
    histogram: nanSeries(values.length),
  };
  for (let i = first; i < values.length; i++) {
    result.macd[i] = line[i]!;
    result.signal[i] = signal[i]!;
    result.histogram[i] = line[i]! - signal[i]!;
  }
  return result;
}
