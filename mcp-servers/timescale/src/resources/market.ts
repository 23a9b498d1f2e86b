import { AppError } from '@stockpulse/core';
import {
  defineResource,
  defineResourceTemplate,
  jsonContents,
  type ResourceDefinition,
  type ResourceTemplateDefinition,
} from '@stockpulse/protocols/mcp';
import type { QuoteSource } from '../live.js';
import type { MarketStore } from '../store/market.js';

const SYMBOL = /^[A-Za-z.-]{1,12}$/;

export function marketResources(store: MarketStore): ResourceDefinition[] {
  return [
    defineResource({
      name: 'universe',
      uri: 'market://universe',
      title: 'Symbol universe',
      description:
        'Every company the market data covers (S&P 500): ticker, name, GICS sector and sub-industry.',
      mimeType: 'application/json',
      read: async (uri) => {
        const symbols = await store.universe();
        return jsonContents(uri, { count: symbols.length, symbols });
      },
    }),
  ];
}

export function marketResourceTemplates(
  store: MarketStore,
  quotes: QuoteSource,
): ResourceTemplateDefinition[] {
  return [
    defineResourceTemplate({
      name: 'quote',
      uriTemplate: 'market://quotes/{symbol}',
      title: 'Latest quote',
      description:
        'Latest price (live while the session trades, else the last close), previous close and change of one symbol, e.g. market://quotes/AAPL.',
      mimeType: 'application/json',
      complete: {
        symbol: async (prefix) =>
          (await store.universe())
            .map((s) => s.symbol)
            .filter((s) => s.startsWith(prefix.toUpperCase()))
            .slice(0, 20),
      },
      read: async (uri, { symbol }) => {
        const s = decodeURIComponent(String(symbol ?? ''));
        if (!SYMBOL.test(s)) throw new AppError('bad_request', `Not a ticker: '${s}'`);
        const [quote] = await quotes([s]);
        return jsonContents(uri, quote);
      },
    }),
  ];
}
