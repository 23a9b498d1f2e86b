import { QuantError, requireSameLength } from '../errors.js';
import type { RiskFreeOptions } from './risk-adjusted.js';
import { correlation, mean, sampleCovariance, sampleVariance } from './stats.js';

export interface BetaAlpha {
  beta: number;
  /** Per-period intercept × periodsPerYear (simple annualization). */
  alpha: number;
  /** Per-period (daily) intercept. */
  alphaPerPeriod: number;
  /** Share of the portfolio's excess-return variance the benchmark explains. */
  rSquared: number;
  observations: number;
}

/**
 * Beta and alpha from an OLS regression of the portfolio's periodic excess returns on the benchmark's:
 * (r_p − rf) = α + β·(r_b − rf) + ε, rf = riskFreeRate/periodsPerYear. β = cov/var (sample), α annualized
 * ×periodsPerYear (252). The two series must be aligned period by period.
 */
export function betaAlpha(
  portfolio: readonly number[],
  benchmark: readonly number[],
  options: RiskFreeOptions = {},
): BetaAlpha {
  const { riskFreeRate = 0, periodsPerYear = 252 } = options;
  requireSameLength({ portfolio, benchmark });
  const rf = riskFreeRate / periodsPerYear;
  const y = portfolio.map((r) => r - rf);
  const x = benchmark.map((r) => r - rf);
  const variance = sampleVariance(x);
  if (variance === 0) throw new QuantError('no_solution', 'Benchmark returns do not vary; beta is undefined');
  const beta = sampleCovariance(x, y) / variance;
  const alphaPerPeriod = mean(y) - beta * mean(x);
  const r = correlation(x, y);
  return {
    beta,
    alpha: alphaPerPeriod * periodsPerYear,
    alphaPerPeriod,
    rSquared: Number.isNaN(r) ? 0 : r * r,
    observations: x.length,
  };
}
