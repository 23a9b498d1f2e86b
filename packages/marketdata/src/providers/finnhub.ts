import { type DailyBar, decimalString, exchangeDate, type Quote } from '../bars.js';
import { MarketDataError } from '../errors.js';
import { badShape, endpoint, getJson } from '../http.js';
import { type MarketDataProvider, requireRange, requireSymbol } from '../provider.js';
import { asRecord, type RawBar, toBars } from './to-bars.js';

export interface FinnhubConfig {
  apiKey: string;
  /** Default https://finnhub.io/api/v1. */
  baseUrl?: string;
  timeoutMs?: number;
  now?: () => number;
}

const NAME = 'finnhub';
const DAY_SECONDS = 86_400;

/**
 * Finnhub: GET /stock/candle?symbol&resolution=D&from&to (UNIX seconds; column arrays c/h/l/o/t/v
 * with s = "ok" | "no_data") and GET /quote?symbol, key in the X-Finnhub-Token header. Candles
 * are a paid endpoint: a free key gets HTTP 403, reported as `unauthorized`.
 */
export function finnhubProvider(config: FinnhubConfig): MarketDataProvider {
  const base = config.baseUrl ?? 'https://finnhub.io/api/v1';
  const http = {
    headers: { 'X-Finnhub-Token': config.apiKey },
    timeoutMs: config.timeoutMs ?? 10_000,
    now: config.now ?? Date.now,
  };

  return {
    name: NAME,
    async dailyBars(symbol, from, to): Promise<DailyBar[]> {
      const s = requireSymbol(NAME, symbol);
      requireRange(NAME, from, to);
      const url = endpoint(base, '/stock/candle');
      url.searchParams.set('symbol', s);
      url.searchParams.set('resolution', 'D');
      url.searchParams.set('from', String(Date.parse(`${from}T00:00:00Z`) / 1000));
      url.searchParams.set('to', String(Date.parse(`${to}T00:00:00Z`) / 1000 + DAY_SECONDS - 1));
      const body = asRecord(NAME, await getJson(NAME, url, http), 'candle response');
      if (body.s === 'no_data') return [];
      if (body.s !== 'ok') throw badShape(NAME, `status s = ${String(body.s)}`);
      const { t, o, h, l, c, v } = body;
      if (![t, o, h, l, c, v].every((col) => Array.isArray(col) && col.length === (t as unknown[]).length)) {
        throw badShape(NAME, 'columns t/o/h/l/c/v of unequal length');
      }
      const rows: RawBar[] = (t as unknown[]).map((time, i) => ({
        date: exchangeDate(Number(time) * 1000),
        open: (o as unknown[])[i],
        high: (h as unknown[])[i],
        low: (l as unknown[])[i],
        close: (c as unknown[])[i],
        volume: (v as unknown[])[i],
      }));
      return toBars(NAME, s, rows, from, to);
    },

    async latestQuote(symbol): Promise<Quote> {
      const s = requireSymbol(NAME, symbol);
      const url = endpoint(base, '/quote');
      url.searchParams.set('symbol', s);
      const body = asRecord(NAME, await getJson(NAME, url, http), 'quote');
      // An unknown symbol is answered 200 with every field 0 (and d/dp null).
      if (body.t === 0 || body.c === 0)
        throw new MarketDataError('not_found', `No quote for ${s} at ${NAME}`, NAME);
      const price = decimalString(body.c);
      if (!price || typeof body.t !== 'number') throw badShape(NAME, 'quote c / t');
      return {
        symbol: s,
        price,
        bid: null,
        ask: null,
        asOf: new Date(body.t * 1000).toISOString(),
        provider: NAME,
      };
    },
  };
}
