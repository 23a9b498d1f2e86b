export type {
  BacktestSummary,
  DrawdownSummary,
  PositionSummary,
  ReturnSummary,
  Trade,
} from './analytics.js';
export { PERIODS_PER_YEAR } from './analytics.js';
export { equalWeightIndex } from './benchmark.js';
export { BACKTEST_ACCOUNT_ID, type BacktestOrder, type Rejection } from './desk.js';
export {
  type BacktestInput,
  type BacktestResult,
  type BenchmarkSeries,
  ENGINE_VERSION,
  type EquityPoint,
  type RejectionRecord,
  runBacktest,
} from './engine.js';
export { BacktestError, type BacktestErrorCode } from './errors.js';
export { canonicalJson } from './hash.js';
export type { BarHistory, MarketView } from './market-view.js';
export {
  type BacktestOptions,
  type BacktestOptionsInput,
  BacktestOptionsSchema,
  CommissionModelSchema,
  parseBacktestOptions,
  RiskLimitsSchema,
  SlippageModelSchema,
} from './options.js';
export * from './strategies/index.js';
export type {
  Decision,
  JsonValue,
  OpenOrderView,
  OrderIntent,
  PortfolioView,
  PositionView,
  Strategy,
  StrategyContext,
} from './strategy.js';
