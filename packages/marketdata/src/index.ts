export { type BarIssue, barIssue, type DailyBar, type Quote } from './bars.js';
export { type CachePort, MemoryCache } from './cache.js';
export {
  type CsvImport,
  type CsvImportOptions,
  type CsvImportReport,
  type CsvIssue,
  type CsvIssueCode,
  importDailyBarsCsv,
} from './csv/import.js';
export type { CsvLayout } from './csv/layouts.js';
export { MarketDataError, type MarketDataErrorCode, RateLimitedError } from './errors.js';
export { type FallbackOptions, FallbackProvider, type ProviderAttempt } from './fallback.js';
export type { MarketDataProvider } from './provider.js';
export { type AlpacaConfig, alpacaProvider } from './providers/alpaca.js';
export { type AlphaVantageConfig, alphaVantageProvider } from './providers/alpha-vantage.js';
export { type FinnhubConfig, finnhubProvider } from './providers/finnhub.js';
export { type PolygonConfig, polygonProvider } from './providers/polygon.js';
