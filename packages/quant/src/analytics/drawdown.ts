import { QuantError } from '../errors.js';
import { requireAscending } from './dates.js';
import { requireObservations } from './stats.js';

export interface EquityPoint {
  /** ISO date 'YYYY-MM-DD'. */
  date: string;
  /** Portfolio (or price) level, > 0. */
  value: number;
}

export interface MaxDrawdown {
  /** Largest peak-to-trough fall as a positive fraction of the peak (0.25 = −25%); 0 if the series never falls. */
  maxDrawdown: number;
  peakDate: string | null;
  peakValue: number | null;
  troughDate: string | null;
  troughValue: number | null;
  /** First date after the trough with value ≥ the peak; null if not yet recovered. */
  recoveryDate: string | null;
}

/**
 * Maximum drawdown of a value series with its dates: the running peak is the highest value so far,
 * the drawdown 1 − value/peak. On ties the earliest (first) largest drawdown is reported.
 */
export function maxDrawdown(series: readonly EquityPoint[]): MaxDrawdown {
  requireObservations(series, 1, 'points');
  requireAscending(series.map((p) => p.date));
  if (series.some((p) => !(p.value > 0))) throw new QuantError('invalid_argument', 'Values must be positive');

  let peak = series[0]!;
  let worst = { depth: 0, peak: peak, trough: peak };
  for (const point of series) {
    if (point.value > peak.value) peak = point;
    const depth = 1 - point.value / peak.value;
    if (depth > worst.depth) worst = { depth, peak, trough: point };
  }
  if (worst.depth === 0) {
    return {
      maxDrawdown: 0,
      peakDate: null,
      peakValue: null,
      troughDate: null,
      troughValue: null,
      recoveryDate: null,
    };
  }
  const troughIndex = series.indexOf(worst.trough);
  const recovery = series.slice(troughIndex + 1).find((p) => p.value >= worst.peak.value);
  return {
    maxDrawdown: worst.depth,
    peakDate: worst.peak.date,
    peakValue: worst.peak.value,
    troughDate: worst.trough.date,
    troughValue: worst.trough.value,
    recoveryDate: recovery?.date ?? null,
  };
}
