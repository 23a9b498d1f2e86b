import { QuantError, requireSameLength } from '../errors.js';

/** Plain statistics on float samples (returns, not money). Variances are sample variances (n−1). */

export function requireObservations(values: ArrayLike<unknown>, min: number, what = 'observations'): void {
  if (values.length < min) {
    throw new QuantError('insufficient_data', `Need at least ${min} ${what}, got ${values.length}`, {
      required: min,
      actual: values.length,
    });
  }
}

export function mean(values: readonly number[]): number {
  requireObservations(values, 1);
  let total = 0;
  for (const v of values) total += v;
  return total / values.length;
}

export function sampleCovariance(x: readonly number[], y: readonly number[]): number {
  requireSameLength({ x, y });
  requireObservations(x, 2);
  const mx = mean(x);
  const my = mean(y);
  let total = 0;
  for (let i = 0; i < x.length; i++) total += (x[i]! - mx) * (y[i]! - my);
  return total / (x.length - 1);
}

export function sampleVariance(values: readonly number[]): number {
  return sampleCovariance(values, values);
}

export function sampleStdev(values: readonly number[]): number {
  return Math.sqrt(sampleVariance(values));
}

/** Pearson correlation; NaN when either series is constant. */
export function correlation(x: readonly number[], y: readonly number[]): number {
  const sx = sampleStdev(x);
  const sy = sampleStdev(y);
  if (sx === 0 || sy === 0) return Number.NaN;
  return Math.max(-1, Math.min(1, sampleCovariance(x, y) / (sx * sy)));
}
