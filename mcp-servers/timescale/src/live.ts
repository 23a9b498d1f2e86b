import { money, type SimulatedFeed } from '@stockpulse/domain';
import type { MarketStore, Quote } from './store/market.js';

export interface LiveQuote extends Quote {
  /** True when the price is from the session in progress (or one that closed since the last stored bar). */
  live: boolean;
  /** The instant the price is for. */
  at: string;
}

/**
 * Latest quotes: the stored last close, overlaid with the simulated exchange's live price when a
 * newer session is trading (or has closed but is not stored yet). Symbols the exchange does not list
 * (e.g. imported from CSV) keep their stored quote.
 */
export function liveQuotes(store: MarketStore, feed: SimulatedFeed) {
  return async (symbols: readonly string[]): Promise<LiveQuote[]> => {
    const stored = await store.latestQuotes(symbols);
    const at = feed.clock.now();
    return stored.map((q) => {
      if (!feed.lists(q.symbol)) return { ...q, live: false, at: at.toISOString() };
      const l = feed.quote(q.symbol, at);
      if (l.sessionDate <= q.asOf) return { ...q, live: false, at: at.toISOString() };
      const prev = l.previousClose ?? q.price;
      const change = money(l.price).minus(prev);
      return {
        symbol: q.symbol,
        price: l.price,
        previousClose: money(prev).toFixed(2),
        change: change.toFixed(2),
        changePercent: change.div(prev).times(100).toFixed(2),
        asOf: l.sessionDate,
        live: l.open,
        at: l.at,
      };
    });
  };
}
export type QuoteSource = ReturnType<typeof liveQuotes>;
