import type { McpServerSpec } from '@stockpulse/protocols/mcp';
import type { MarketStore } from './store/market.js';
import { marketTools } from './tools/market.js';

export function marketServerSpec(store: MarketStore): McpServerSpec {
  return {
    name: 'stockpulse-timescale',
    title: 'StockPulse market data',
    version: '0.1.0',
    instructions:
      'Market data for the S&P 500 universe: latest quotes, daily bars, symbol search and the NYSE calendar. ' +
      'Prices are exact decimal strings in USD.',
    tools: marketTools(store),
  };
}
