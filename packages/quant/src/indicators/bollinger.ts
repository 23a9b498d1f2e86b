import { requirePeriod } from '../errors.js';
import { nanSeries } from './series.js';

export interface BollingerOptions {
  period?: number;
  /** Band width in standard deviations on each side. */
  stdDevs?: number;
}

export interface BollingerBands {
  upper: number[];
  middle: number[];
  lower: number[];
}

/**
 * Bollinger Bands (TA-Lib BBANDS with an SMA): middle = SMA(period), upper/lower = middle ± stdDevs·σ,
 * σ the population standard deviation (divide by n) of the same window. Seeding: first value at
 * index period−1, NaN before.
 */
export function bollingerBands(values: readonly number[], options: BollingerOptions = {}): BollingerBands {
  const { period = 20, stdDevs = 2 } = options;
  requirePeriod('period', period);
  const bands: BollingerBands = {
    upper: nanSeries(values.length),
    middle: nanSeries(values.length),
    lower: nanSeries(values.length),
  };
  for (let i = period - 1; i < values.length; i++) {
    let sum = 0;
    for (let j = i - period + 1; j <= i; j++) sum += values[j]!;
    const mean = sum / period;
    let squares = 0;
    for (let j = i - period + 1; j <= i; j++) squares += (values[j]! - mean) ** 2;
    const width = stdDevs * Math.sqrt(squares / period);
    bands.middle[i] = mean;
    bands.upper[i] = mean + width;
    bands.lower[i] = mean - width;
  }
  return bands;
}
