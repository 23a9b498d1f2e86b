import { type DailyBar, decimalString, exchangeDate, type Quote } from '../bars.js';
import { MarketDataError } from '../errors.js';
import { badShape, endpoint, getJson } from '../http.js';
import { type MarketDataProvider, requireRange, requireSymbol } from '../provider.js';
import { asRecord, type RawBar, toBars } from './to-bars.js';

export interface PolygonConfig {
  apiKey: string;
  /** Default https://api.massive.com (Polygon.io's new name; api.polygon.io still answers). */
  baseUrl?: string;
  /** Split-adjusted bars (the API's default). Default true. */
  adjusted?: boolean;
  timeoutMs?: number;
  now?: () => number;
}

const NAME = 'polygon';
const MAX_PAGES = 100;

/**
 * Polygon.io, now Massive: GET /v2/aggs/ticker/{ticker}/range/1/day/{from}/{to} (paged by
 * next_url; `t` is the bar's start in ms, midnight New York) and GET
 * /v2/snapshot/locale/us/markets/stocks/tickers/{ticker}, key as `Authorization: Bearer`.
 */
export function polygonProvider(config: PolygonConfig): MarketDataProvider {
  const base = config.baseUrl ?? 'https://api.massive.com';
  const http = {
    headers: { authorization: `Bearer ${config.apiKey}` },
    timeoutMs: config.timeoutMs ?? 10_000,
    now: config.now ?? Date.now,
  };

  return {
    name: NAME,
    async dailyBars(symbol, from, to): Promise<DailyBar[]> {
      const s = requireSymbol(NAME, symbol);
      requireRange(NAME, from, to);
      let url: URL | null = endpoint(
        base,
        `/v2/aggs/ticker/${encodeURIComponent(s)}/range/1/day/${from}/${to}`,
      );
      url.searchParams.set('adjusted', String(config.adjusted ?? true));
      url.searchParams.set('sort', 'asc');
      url.searchParams.set('limit', '50000');
      const rows: RawBar[] = [];
      for (let page = 0; url && page < MAX_PAGES; page++) {
        const body = asRecord(NAME, await getJson(NAME, url, http), 'aggregates response');
        if (body.status !== 'OK' && body.status !== 'DELAYED')
          throw badShape(NAME, `status ${String(body.status)}`);
        const results = body.results ?? []; // absent when resultsCount is 0
        if (!Array.isArray(results)) throw badShape(NAME, 'results is not an array');
        for (const raw of results) {
          const r = asRecord(NAME, raw, 'aggregate');
          rows.push({
            date: exchangeDate(Number(r.t)),
            open: r.o,
            high: r.h,
            low: r.l,
            close: r.c,
            volume: r.v,
          });
        }
        // Follow next_url on our own base only, so the key is never sent to another host.
        url = typeof body.next_url === 'string' ? endpoint(base, pathAndQuery(body.next_url)) : null;
      }
      if (url) throw badShape(NAME, `more than ${MAX_PAGES} pages of aggregates`);
      return toBars(NAME, s, rows, from, to);
    },

    async latestQuote(symbol): Promise<Quote> {
      const s = requireSymbol(NAME, symbol);
      const url = endpoint(base, `/v2/snapshot/locale/us/markets/stocks/tickers/${encodeURIComponent(s)}`);
      const body = asRecord(NAME, await getJson(NAME, url, http), 'snapshot');
      if (!body.ticker) throw new MarketDataError('not_found', `No snapshot for ${s} at ${NAME}`, NAME);
      const ticker = asRecord(NAME, body.ticker, 'ticker');
      const trade = asRecord(NAME, ticker.lastTrade ?? {}, 'lastTrade');
      const quote = asRecord(NAME, ticker.lastQuote ?? {}, 'lastQuote');
      const price = decimalString(trade.p);
      if (!price || typeof trade.t !== 'number') throw badShape(NAME, 'ticker.lastTrade.p / t');
      return {
        symbol: s,
        price,
        bid: decimalString(quote.p),
        ask: decimalString(quote.P),
        asOf: new Date(Math.floor(trade.t / 1e6)).toISOString(), // SIP time in ns
        provider: NAME,
      };
    },
  };
}

function pathAndQuery(nextUrl: string): string {
  if (!URL.canParse(nextUrl)) throw badShape(NAME, `next_url ${nextUrl}`);
  const u = new URL(nextUrl);
  return u.pathname + u.search;
}
