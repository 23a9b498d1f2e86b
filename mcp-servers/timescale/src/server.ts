import type { SimulatedFeed } from '@stockpulse/domain';
import type { McpServerSpec } from '@stockpulse/protocols/mcp';
import { liveQuotes } from './live.js';
import { marketResources, marketResourceTemplates } from './resources/market.js';
import type { MarketStore } from './store/market.js';
import { importTools } from './tools/import.js';
import { ingestTools } from './tools/ingest.js';
import { marketTools } from './tools/market.js';

export function marketServerSpec(store: MarketStore, feed: SimulatedFeed): McpServerSpec {
  const quotes = liveQuotes(store, feed);
  return {
    name: 'stockpulse-timescale',
    title: 'StockPulse market data',
    version: '0.2.0',
    instructions:
      'Market data for the S&P 500 universe: latest quotes, bars from 1 minute to 1 day, symbol search, ' +
      'sectors and the NYSE calendar and market status. Prices are exact decimal strings in USD; times are ' +
      'ISO-8601, sessions are New York (America/New_York) dates. Resources: market://universe and ' +
      'market://quotes/{symbol}.',
    tools: [...marketTools(store, quotes), ...ingestTools(store), ...importTools(store)],
    resources: marketResources(store),
    resourceTemplates: marketResourceTemplates(store, quotes),
  };
}
