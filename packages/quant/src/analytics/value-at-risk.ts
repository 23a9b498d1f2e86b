import { QuantError } from '../errors.js';
import { normalDensity, normalQuantile } from './normal.js';
import { mean, requireObservations, sampleStdev } from './stats.js';

export interface VarOptions {
  /** 0.95 or 0.99 usually; any value in (0, 1). */
  confidence?: number;
  /** Holding period in days (periods of the input returns). */
  horizonDays?: number;
}

export interface VarResult {
  method: 'historical' | 'parametric';
  confidence: number;
  horizonDays: number;
  /** Loss not exceeded with the given confidence, as a positive fraction of value (0.05 = 5% loss). */
  valueAtRisk: number;
  /** CVaR / expected shortfall: the mean loss beyond VaR, positive fraction. */
  expectedShortfall: number;
  /** Number of (possibly overlapping) horizon returns used. */
  observations: number;
}

/**
 * Historical VaR and CVaR. The horizon return is compounded over every run of `horizonDays` consecutive
 * daily returns (overlapping windows: n − h + 1 of them). With α = 1 − confidence and k = ⌈α·m⌉ of the
 * m sorted horizon returns, VaR = −(k-th worst return) and CVaR = −mean(k worst returns); no interpolation.
 */
export function historicalVar(dailyReturns: readonly number[], options: VarOptions = {}): VarResult {
  const { confidence, horizonDays } = checkOptions(options);
  requireObservations(dailyReturns, horizonDays, 'daily returns');
  const horizon: number[] = [];
  for (let end = horizonDays; end <= dailyReturns.length; end++) {
    let growth = 1;
    for (let i = end - horizonDays; i < end; i++) growth *= 1 + dailyReturns[i]!;
    horizon.push(growth - 1);
  }
  horizon.sort((a, b) => a - b);
  // The epsilon keeps 0.05 × 260 = 13.000000000000002 from rounding up to 14.
  const k = Math.max(1, Math.ceil((1 - confidence) * horizon.length - 1e-9));
  const tail = horizon.slice(0, k);
  return {
    method: 'historical',
    confidence,
    horizonDays,
    valueAtRisk: -tail[k - 1]!,
    expectedShortfall: -tail.reduce((s, r) => s + r, 0) / k,
    observations: horizon.length,
  };
}

/**
 * Parametric (normal) VaR and CVaR from the daily mean μ and sample σ: with z = Φ⁻¹(confidence),
 * 1-day VaR = z·σ − μ and CVaR = σ·φ(z)/(1 − confidence) − μ; the h-day figures are the 1-day ones ×√h
 * (square-root-of-time scaling, as Basel's 10-day from 1-day).
 */
export function parametricVar(dailyReturns: readonly number[], options: VarOptions = {}): VarResult {
  const { confidence, horizonDays } = checkOptions(options);
  requireObservations(dailyReturns, 2, 'daily returns');
  const mu = mean(dailyReturns);
  const sigma = sampleStdev(dailyReturns);
  const z = normalQuantile(confidence);
  const scale = Math.sqrt(horizonDays);
  return {
    method: 'parametric',
    confidence,
    horizonDays,
    valueAtRisk: (z * sigma - mu) * scale,
    expectedShortfall: ((sigma * normalDensity(z)) / (1 - confidence) - mu) * scale,
    observations: dailyReturns.length,
  };
}

/** The standard grid: historical and parametric, 95% and 99%, 1 and 10 days. */
export function varSummary(dailyReturns: readonly number[]): VarResult[] {
  const grid = [0.95, 0.99].flatMap((confidence) =>
    [1, 10].map((horizonDays) => ({ confidence, horizonDays })),
  );
  return [
    ...grid.map((o) => historicalVar(dailyReturns, o)),
    ...grid.map((o) => parametricVar(dailyReturns, o)),
  ];
}

function checkOptions(options: VarOptions): Required<VarOptions> {
  const { confidence = 0.95, horizonDays = 1 } = options;
  if (!(confidence > 0 && confidence < 1)) {
    throw new QuantError('invalid_argument', `confidence must be in (0, 1), got ${confidence}`);
  }
  if (!Number.isInteger(horizonDays) || horizonDays < 1) {
    throw new QuantError('invalid_argument', `horizonDays must be an integer ≥ 1, got ${horizonDays}`);
  }
  return { confidence, horizonDays };
}
