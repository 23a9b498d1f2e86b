import { sampleStdev } from './stats.js';

/** Annualized volatility: sample standard deviation (n−1) of periodic returns × √periodsPerYear. */
export function annualizedVolatility(returns: readonly number[], periodsPerYear = 252): number {
  return sampleStdev(returns) * Math.sqrt(periodsPerYear);
}
