import { AppError } from '@stockpulse/core';
import { tradingDays } from '@stockpulse/domain';
import { defineTool } from '@stockpulse/protocols/mcp';
import { z } from 'zod';
import { closures, marketStatus } from '../calendar.js';
import type { QuoteSource } from '../live.js';
import { BAR_INTERVALS, type MarketStore } from '../store/market.js';
import { decimal, isoDate, isoInstant, readOnly, symbol } from './schemas.js';

export function marketTools(store: MarketStore, quotes: QuoteSource) {
  return [
    defineTool({
      name: 'get_latest_quotes',
      title: 'Get latest quotes',
      description:
        'Latest price for up to 100 symbols in one call: the live price while the session trades ' +
        '(`live: true`), else the last close; with the previous close and the change. Use it to value ' +
        'holdings; unknown symbols are an error naming them.',
      input: { symbols: z.array(symbol).min(1).max(100) },
      output: {
        quotes: z.array(
          z.object({
            symbol: z.string(),
            price: decimal,
            previousClose: decimal.nullable(),
            change: decimal.nullable(),
            changePercent: decimal.nullable(),
            asOf: isoDate.describe('Trading date of the price'),
            live: z.boolean().describe('Whether the price is from the session in progress'),
            at: isoInstant.describe('The instant the price is for'),
          }),
        ),
      },
      annotations: readOnly,
      handler: async ({ symbols }) => ({ quotes: await quotes(symbols) }),
    }),
    defineTool({
      name: 'get_bars',
      title: 'Get price bars',
      description:
        'OHLCV bars for one symbol at 1m, 5m, 15m, 1h or 1d, oldest first. Intraday bars (1m to 1h) cover ' +
        'the regular session (09:30-16:00 New York; hourly bars start at :30) of recent sessions for the ' +
        'most traded symbols; other symbols have none. 1d covers the full history. `from` and `to` take a ' +
        'date (the whole New York day) or an ISO instant, both inclusive. Returns at most `limit` bars, ' +
        'the most recent ones, and says whether older bars were cut off.',
      input: {
        symbol,
        interval: z.enum(BAR_INTERVALS).default('1d'),
        from: z.union([isoDate, isoInstant]).optional(),
        to: z.union([isoDate, isoInstant]).optional(),
        limit: z.number().int().min(1).max(1000).default(100),
      },
      output: {
        symbol: z.string(),
        interval: z.enum(BAR_INTERVALS),
        truncated: z.boolean(),
        bars: z.array(
          z.object({
            time: isoInstant.describe("The bar's start (UTC); a daily bar starts at the 09:30 open"),
            date: isoDate.describe('New York session date'),
            open: decimal,
            high: decimal,
            low: decimal,
            close: decimal,
            volume: z.number().int(),
          }),
        ),
      },
      annotations: readOnly,
      handler: async ({ symbol, ...opts }) => store.bars(symbol, opts),
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
      name: 'list_sectors',
      title: 'List sectors',
      description:
        'The GICS sectors and sub-industries of the universe with how many companies each holds. Name a ' +
        "`sector` (e.g. 'Information Technology') to get only that one, with the tickers of each sub-industry.",
      input: { sector: z.string().trim().min(1).max(60).optional() },
      output: {
        sectors: z.array(
          z.object({
            sector: z.string(),
            symbolCount: z.number().int(),
            subIndustries: z.array(
              z.object({
                name: z.string(),
                symbolCount: z.number().int(),
                symbols: z.array(z.string()).optional(),
              }),
            ),
          }),
        ),
      },
      annotations: readOnly,
      handler: async ({ sector }) => ({ sectors: await store.sectors(sector) }),
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
    defineTool({
      name: 'get_market_status',
      title: 'Get market status',
      description:
        'Whether the NYSE regular session is open now (or at `at`), the next open and close in New York ' +
        'time, and the exchange holidays (full-day closures) of a year (default: the current one).',
      input: {
        at: isoInstant.optional().describe('Instant to evaluate instead of now'),
        year: z.number().int().min(2000).max(2100).optional(),
      },
      output: {
        at: isoInstant,
        timeZone: z.literal('America/New_York'),
        exchangeTime: isoInstant.describe('`at` in New York local time'),
        isOpen: z.boolean(),
        phase: z.enum(['open', 'pre_open', 'after_close', 'closed_today']),
        isTradingDay: z.boolean(),
        closedReason: z.string().nullable(),
        nextOpen: isoInstant,
        nextClose: isoInstant,
        year: z.number().int(),
        holidays: z.array(z.object({ date: isoDate, weekday: z.string(), name: z.string() })),
      },
      annotations: readOnly,
      handler: async ({ at, year }) => {
        const status = marketStatus(at ? new Date(at) : new Date());
        const y = year ?? Number(status.exchangeTime.slice(0, 4));
        return { ...status, year: y, holidays: closures(y) };
      },
    }),
  ];
}
