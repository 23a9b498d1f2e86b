import { type DailyBar, decimalString, isIsoDate, type Quote } from '../bars.js';
import { MarketDataError, RateLimitedError } from '../errors.js';
import { badShape, endpoint, getJson } from '../http.js';
import { type MarketDataProvider, requireRange, requireSymbol } from '../provider.js';
import { asRecord, type RawBar, toBars } from './to-bars.js';

export interface AlphaVantageConfig {
  apiKey: string;
  /** Default https://www.alphavantage.co. */
  baseUrl?: string;
  /** 'compact' = the latest 100 days (free); 'full' = 20+ years (premium). Default 'compact'. */
  outputSize?: 'compact' | 'full';
  timeoutMs?: number;
  now?: () => number;
}

const NAME = 'alphavantage';

/**
 * Alpha Vantage: GET /query?function=TIME_SERIES_DAILY (as-traded prices, unadjusted) and
 * function=GLOBAL_QUOTE, key in the `apikey` query parameter. Throttling comes back as HTTP 200
 * with only a "Note" or "Information" message, which is turned into RateLimitedError.
 */
export function alphaVantageProvider(config: AlphaVantageConfig): MarketDataProvider {
  const base = config.baseUrl ?? 'https://www.alphavantage.co';
  const now = config.now ?? Date.now;
  const http = { timeoutMs: config.timeoutMs ?? 10_000, now };
  const query = async (params: Record<string, string>) => {
    const url = endpoint(base, '/query');
    for (const [k, v] of Object.entries({ ...params, apikey: config.apiKey })) url.searchParams.set(k, v);
    const body = asRecord(NAME, await getJson(NAME, url, http), 'response');
    rejectMessage(body, now());
    return body;
  };

  return {
    name: NAME,
    async dailyBars(symbol, from, to): Promise<DailyBar[]> {
      const s = requireSymbol(NAME, symbol);
      requireRange(NAME, from, to);
      const body = await query({
        function: 'TIME_SERIES_DAILY',
        symbol: s,
        outputsize: config.outputSize ?? 'compact',
      });
      const series = asRecord(NAME, body['Time Series (Daily)'], '"Time Series (Daily)"');
      const rows: RawBar[] = Object.entries(series).map(([date, raw]) => {
        const d = asRecord(NAME, raw, `day ${date}`);
        return {
          date,
          open: d['1. open'],
          high: d['2. high'],
          low: d['3. low'],
          close: d['4. close'],
          volume: d['5. volume'],
        };
      });
      return toBars(NAME, s, rows, from, to);
    },

    async latestQuote(symbol): Promise<Quote> {
      const s = requireSymbol(NAME, symbol);
      const body = await query({ function: 'GLOBAL_QUOTE', symbol: s });
      const quote = asRecord(NAME, body['Global Quote'], '"Global Quote"');
      // An unknown symbol is answered with an empty "Global Quote".
      if (Object.keys(quote).length === 0)
        throw new MarketDataError('not_found', `No quote for ${s} at ${NAME}`, NAME);
      const price = decimalString(quote['05. price']);
      const day = String(quote['07. latest trading day']);
      if (!price || !isIsoDate(day)) throw badShape(NAME, '"05. price" / "07. latest trading day"');
      return { symbol: s, price, bid: null, ask: null, asOf: day, provider: NAME };
    },
  };
}

/**
 * Alpha Vantage answers errors with HTTP 200 and a message instead of data: "Error Message" for
 * an unknown symbol or bad call, "Note"/"Information" for throttling (per minute, per second or
 * per day) and for premium-only or demo-key calls.
 */
function rejectMessage(body: Record<string, unknown>, nowMs: number): void {
  const error = body['Error Message'];
  if (typeof error === 'string') throw new MarketDataError('not_found', `${NAME}: ${error}`, NAME);
  const note = body.Note ?? body.Information;
  if (typeof note !== 'string' || Object.keys(body).length > 1) return;
  if (/premium endpoint|demo/i.test(note))
    throw new MarketDataError('unauthorized', `${NAME}: ${note}`, NAME);
  // The older per-minute message also names the daily quota, so the shorter windows are tested first.
  if (/per second|sparingly|burst/i.test(note)) throw new RateLimitedError(NAME, 1, `${NAME}: ${note}`);
  if (/per minute/i.test(note)) throw new RateLimitedError(NAME, 60, `${NAME}: ${note}`);
  if (/per day/i.test(note))
    throw new RateLimitedError(NAME, secondsToUtcMidnight(nowMs), `${NAME}: ${note}`);
  if (body.Note !== undefined || /rate limit|call frequency/i.test(note))
    throw new RateLimitedError(NAME, 60, `${NAME}: ${note}`);
  throw new MarketDataError('bad_response', `${NAME}: ${note}`, NAME);
}

/** The daily quota's reset is not documented; next midnight UTC is the estimate. */
function secondsToUtcMidnight(nowMs: number): number {
  const midnight = new Date(nowMs);
  midnight.setUTCHours(24, 0, 0, 0);
  return Math.max(1, Math.ceil((midnight.getTime() - nowMs) / 1000));
}
