import type { DailyBar, Quote } from './bars.js';
import { isIsoDate } from './bars.js';
import { MarketDataError } from './errors.js';

/** One port for every source of prices: each adapter, and the fallback chain over them. */
export interface MarketDataProvider {
  readonly name: string;
  /** Daily bars with from ≤ date ≤ to (ISO dates, inclusive), oldest first. */
  dailyBars(symbol: string, from: string, to: string): Promise<DailyBar[]>;
  latestQuote(symbol: string): Promise<Quote>;
}

const SYMBOL = /^[A-Z0-9][A-Z0-9.-]{0,14}$/;

/** Upper-cased symbol, or an `invalid_argument` error. */
export function requireSymbol(provider: string, symbol: string): string {
  const s = symbol.trim().toUpperCase();
  if (!SYMBOL.test(s))
    throw new MarketDataError('invalid_argument', `Not a ticker symbol: ${symbol}`, provider);
  return s;
}

export function requireRange(provider: string, from: string, to: string): void {
  if (!isIsoDate(from) || !isIsoDate(to) || from > to) {
    throw new MarketDataError(
      'invalid_argument',
      `Need ISO dates with from ≤ to, got ${from}…${to}`,
      provider,
      {
        from,
        to,
      },
    );
  }
}
