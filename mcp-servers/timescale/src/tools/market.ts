import { AppError } from '@stockpulse/core';
import { tradingDays } from '@stockpulse/domain';
import { defineTool } from '@stockpulse/protocols/mcp';
import { z } from 'zod';
import type { MarketStore } from '../store/market.js';

const decimal = z.string().regex(/^-?\d+(\.\d+)?$/);
const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected YYYY-MM-DD');
const symbol = z
  .string()
  .trim()
  .min(1)
  .max(12)
  .regex(/^[A-Za-z.-]+$/, 'letters, dots and dashes only')
  .transform((s) => s.toUpperCase());
const readOnly = {
  readOnlyHint: true,
  destructiveHint: false,
  idempotentHint: true,
  openWorldHint: false,
} as const;

export function marketTools(store: MarketStore) {
  return [
    defineTool({
      name: 'get_latest_quotes',
      title: 'Get latest quotes',
      description:
        'Latest price (last close), previous close and change for up to 100 symbols in one call. ' +
        'Use it to value holdings; unknown symbols are an error naming them.',
      input: { symbols: z.array(symbol).min(1).max(100) },
      output: {
        quotes: z.array(
          z.object({
            symbol: z.string(),
            price: decimal,
            previousClose: decimal.nullable(),
            change: decimal.nullable(),
            changePercent: decimal.nullable(),
            asOf: isoDate,
          }),
        ),
      },
      annotations: readOnly,
      handler: async ({ symbols }) => ({ quotes: await store.latestQuotes(symbols) }),
    }),
    defineTool({
      name: 'get_daily_bars',
      title: 'Get daily bars',
      description:
        'Daily OHLCV bars for one symbol, oldest first, optionally between two dates. Returns at most `limit` ' +
        'bars (the most recent ones) and says whether older bars were cut off.',
      input: {
        symbol,
        from: isoDate.optional(),
        to: isoDate.optional(),
        limit: z.number().int().min(1).max(1000).default(60),
      },
      output: {
        symbol: z.string(),
        truncated: z.boolean(),
        bars: z.array(
          z.object({
            date: isoDate,
            open: decimal,
            high: decimal,
            low: decimal,
            close: decimal,
            volume: z.number(),
          }),
        ),
      },
      annotations: readOnly,
      handler: async ({ symbol, from, to, limit }) => {
        if (from && to && from > to) throw new AppError('bad_request', '`from` must not be after `to`');
        return store.dailyBars(symbol, { from, to, limit });
      },
    }),
    defineTool({
      name: 'search_symbols',
      title: 'Search symbols',
      description:
        'Find companies in the universe (S&P 500) by ticker, name, sector or sub-industry text, e.g. ' +
        "'semiconductors', 'bank', 'apple'. Optionally restrict to a GICS sector.",
      input: {
        query: z.string().max(100),
        sector: z.string().max(60).optional(),
        limit: z.number().int().min(1).max(100).default(20),
      },
      output: {
        results: z.array(
          z.object({ symbol: z.string(), name: z.string(), sector: z.string(), subIndustry: z.string() }),
        ),
      },
      annotations: readOnly,
      handler: async ({ query, sector, limit }) => ({
        results: await store.searchSymbols(query, { sector, limit }),
      }),
    }),
    defineTool({
      name: 'get_trading_calendar',
      title: 'Get trading calendar',
      description: 'NYSE trading days (sessions) between two dates, inclusive, at most 400 days apart.',
      input: { from: isoDate, to: isoDate },
      output: { from: isoDate, to: isoDate, tradingDays: z.array(isoDate) },
      annotations: readOnly,
      handler: async ({ from, to }) => {
        if (from > to) throw new AppError('bad_request', '`from` must not be after `to`');
        if ((Date.parse(to) - Date.parse(from)) / 86_400_000 > 400)
          throw new AppError('bad_request', 'Range is limited to 400 days');
        return { from, to, tradingDays: tradingDays(from, to) };
      },
    }),
  ];
}
