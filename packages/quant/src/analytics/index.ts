export { type BetaAlpha, betaAlpha } from './beta.js';
export { type Concentration, concentration, type HoldingValue } from './concentration.js';
export {
  type ContributionToReturn,
  contributionToReturn,
  type PositionContribution,
  type PositionReturn,
  type SectorContribution,
  UNCLASSIFIED,
} from './contribution.js';
export { type CorrelationMatrix, correlationMatrix } from './correlation.js';
export { type EquityPoint, type MaxDrawdown, maxDrawdown } from './drawdown.js';
export { backcastValues, exposureByGroup, type GroupExposure, type PriceHistory } from './exposure.js';
export { type DietzInput, type ExternalFlow, modifiedDietz } from './modified-dietz.js';
export { type CashFlow, moneyWeightedReturn } from './money-weighted-return.js';
export { normalDensity, normalQuantile } from './normal.js';
export { logReturns, simpleReturns } from './returns.js';
export { type RiskFreeOptions, sharpeRatio, sortinoRatio } from './risk-adjusted.js';
export { correlation, mean, sampleCovariance, sampleStdev, sampleVariance } from './stats.js';
export { dailyTimeWeightedReturns, timeWeightedReturn, type ValuationDay } from './time-weighted-return.js';
export {
  historicalVar,
  parametricVar,
  type VarOptions,
  type VarResult,
  varSummary,
} from './value-at-risk.js';
export { annualizedVolatility } from './volatility.js';
