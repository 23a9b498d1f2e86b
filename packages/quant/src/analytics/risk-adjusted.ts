import { mean, requireObservations, sampleStdev } from './stats.js';

export interface RiskFreeOptions {
  /** Annual risk-free rate as a decimal (0.04 = 4%); converted to a per-period rate as rate/periodsPerYear. */
  riskFreeRate?: number;
  periodsPerYear?: number;
}

/**
 * Annualized Sharpe ratio of periodic (daily) returns: mean(r − rf) / σ(r − rf) × √periodsPerYear,
 * rf = riskFreeRate/periodsPerYear (simple, not compounded), σ the sample standard deviation.
 * NaN when the returns do not vary.
 */
export function sharpeRatio(returns: readonly number[], options: RiskFreeOptions = {}): number {
  const { riskFreeRate = 0, periodsPerYear = 252 } = options;
  const excess = returns.map((r) => r - riskFreeRate / periodsPerYear);
  const sigma = sampleStdev(excess);
  return sigma === 0 ? Number.NaN : (mean(excess) / sigma) * Math.sqrt(periodsPerYear);
}

/**
 * Annualized Sortino ratio: mean(r − T) / DD × √periodsPerYear with target T = riskFreeRate/periodsPerYear
 * and downside deviation DD = √(Σ min(0, r − T)² / n) over all n observations (periods above the
 * target count as zero shortfall). NaN when no period falls below the target.
 */
export function sortinoRatio(returns: readonly number[], options: RiskFreeOptions = {}): number {
  const { riskFreeRate = 0, periodsPerYear = 252 } = options;
  requireObservations(returns, 2);
  const excess = returns.map((r) => r - riskFreeRate / periodsPerYear);
  const downside = Math.sqrt(excess.reduce((s, x) => s + Math.min(0, x) ** 2, 0) / excess.length);
  return downside === 0 ? Number.NaN : (mean(excess) / downside) * Math.sqrt(periodsPerYear);
}
