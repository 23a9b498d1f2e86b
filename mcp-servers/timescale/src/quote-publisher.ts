import type { Logger } from '@stockpulse/core';
import type { SimulatedFeed } from '@stockpulse/domain';

export interface PublishedQuote {
  symbol: string;
  price: string;
  ts: string;
  volume: number;
  source: string;
}

/**
 * The live feed's heartbeat on the event bus: while the session trades, the quotes of the most
 * followed symbols are published every few seconds (to the redis MCP server's `publish_quotes`, which
 * stores them, appends them to `market-data` and notifies `quote://{symbol}` subscribers). Nothing is
 * published while the market is closed: the last quote stands.
 */
export function startQuotePublisher(opts: {
  feed: SimulatedFeed;
  symbols: () => Promise<string[]> | string[];
  publish: (quotes: PublishedQuote[]) => Promise<void>;
  intervalMs: number;
  logger?: Logger;
}): () => void {
  let running = false;
  const tick = async () => {
    const now = opts.feed.clock.now();
    if (opts.feed.sessionAt(now).phase !== 'open') return;
    const symbols = await opts.symbols();
    const quotes = symbols
      .filter((s) => opts.feed.lists(s))
      .map((s) => {
        const q = opts.feed.quote(s, now);
        return { symbol: q.symbol, price: q.price, ts: q.at, volume: q.dayVolume, source: 'simulator' };
      });
    if (quotes.length > 0) await opts.publish(quotes);
  };
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    tick()
      .catch((err) => opts.logger?.warn({ err: (err as Error).message }, 'publishing live quotes failed'))
      .finally(() => {
        running = false;
      });
  }, opts.intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
