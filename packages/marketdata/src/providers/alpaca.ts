import { type DailyBar, decimalString, exchangeDate, type Quote } from '../bars.js';
import { MarketDataError } from '../errors.js';
import { badShape, endpoint, getJson } from '../http.js';
import { type MarketDataProvider, requireRange, requireSymbol } from '../provider.js';
import { asRecord, type RawBar, toBars } from './to-bars.js';

export interface AlpacaConfig {
  keyId: string;
  secretKey: string;
  /** Default https://data.alpaca.markets (market data, not the trading host). */
  baseUrl?: string;
  /** 'iex' is free; 'sip' needs a subscription for the last 15 minutes. Default 'iex'. */
  feed?: 'iex' | 'sip';
  /** Default 'split'. */
  adjustment?: 'raw' | 'split' | 'dividend' | 'all';
  timeoutMs?: number;
  now?: () => number;
}

const NAME = 'alpaca';
const MAX_PAGES = 100;

/**
 * Alpaca Market Data API v2: GET /v2/stocks/{symbol}/bars?timeframe=1Day (paged by
 * next_page_token) and GET /v2/stocks/{symbol}/snapshot, keys in the APCA-API-KEY-ID and
 * APCA-API-SECRET-KEY headers. Daily bars are stamped at midnight New York time.
 */
export function alpacaProvider(config: AlpacaConfig): MarketDataProvider {
  const base = config.baseUrl ?? 'https://data.alpaca.markets';
  const http = {
    headers: { 'APCA-API-KEY-ID': config.keyId, 'APCA-API-SECRET-KEY': config.secretKey },
    timeoutMs: config.timeoutMs ?? 10_000,
    now: config.now ?? Date.now,
  };
  const feed = config.feed ?? 'iex';

  return {
    name: NAME,
    async dailyBars(symbol, from, to): Promise<DailyBar[]> {
      const s = requireSymbol(NAME, symbol);
      requireRange(NAME, from, to);
      const rows: RawBar[] = [];
      let pageToken: string | null = null;
      for (let page = 0; page < MAX_PAGES; page++) {
        const url = endpoint(base, `/v2/stocks/${encodeURIComponent(s)}/bars`);
        const query = {
          timeframe: '1Day',
          start: from,
          end: to,
          adjustment: config.adjustment ?? 'split',
          feed,
        };
        for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
        url.searchParams.set('limit', '10000');
        if (pageToken) url.searchParams.set('page_token', pageToken);
        const body = asRecord(NAME, await getJson(NAME, url, http), 'bars response');
        // An empty range comes back as "bars": null.
        const bars = body.bars ?? [];
        if (!Array.isArray(bars)) throw badShape(NAME, 'bars is not an array');
        for (const raw of bars) {
          const b = asRecord(NAME, raw, 'bar');
          rows.push({
            date: exchangeDate(Date.parse(String(b.t))),
            open: b.o,
            high: b.h,
            low: b.l,
            close: b.c,
            volume: b.v,
          });
        }
        pageToken =
          typeof body.next_page_token === 'string' && body.next_page_token ? body.next_page_token : null;
        if (!pageToken) return toBars(NAME, s, rows, from, to);
      }
      throw badShape(NAME, `more than ${MAX_PAGES} pages of bars`);
    },

    async latestQuote(symbol): Promise<Quote> {
      const s = requireSymbol(NAME, symbol);
      const url = endpoint(base, `/v2/stocks/${encodeURIComponent(s)}/snapshot`);
      url.searchParams.set('feed', feed);
      const body = asRecord(NAME, await getJson(NAME, url, http), 'snapshot');
      if (!body.latestTrade) throw new MarketDataError('not_found', `No trade for ${s} at ${NAME}`, NAME);
      const trade = asRecord(NAME, body.latestTrade, 'latestTrade');
      const quote = body.latestQuote ? asRecord(NAME, body.latestQuote, 'latestQuote') : {};
      const price = decimalString(trade.p);
      if (!price || typeof trade.t !== 'string') throw badShape(NAME, 'latestTrade.p / latestTrade.t');
      return {
        symbol: s,
        price,
        bid: decimalString(quote.bp),
        ask: decimalString(quote.ap),
        asOf: trade.t,
        provider: NAME,
      };
    },
  };
}
