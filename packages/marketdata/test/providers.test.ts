import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  alpacaProvider,
  alphaVantageProvider,
  finnhubProvider,
  type MarketDataProvider,
  polygonProvider,
  type Quote,
} from '../src/index.js';
import {
  type FixtureServer,
  type RecordedRequest,
  type Reply,
  startFixtureServer,
} from './fixture-server.js';

// Every adapter runs the same behavioural suite against a real HTTP server on 127.0.0.1 that
// serves the recorded responses in test/fixtures/<provider>/.
const NOW = Date.parse('2023-11-08T21:00:00Z');
const now = () => NOW;

/** AAPL 2023-11-01…08 as every adapter must return it: plain decimal strings, New York dates. */
const AAPL_BARS = [
  ['2023-11-01', '171', '174.23', '170.12', '173.97', 56934900],
  ['2023-11-02', '175.52', '177.78', '175.46', '177.57', 77334800],
  ['2023-11-03', '174.24', '176.82', '173.35', '176.65', 79829200],
  // New York left daylight saving time on 2023-11-05: bars are stamped 05:00Z from here on.
  ['2023-11-06', '176.38', '179.43', '176.21', '179.23', 63841300],
  ['2023-11-07', '179.18', '182.44', '178.97', '181.82', 70530000],
  ['2023-11-08', '182.35', '183.45', '181.59', '182.89', 49340300],
].map(([date, open, high, low, close, volume]) => ({ symbol: 'AAPL', date, open, high, low, close, volume }));

interface AdapterCase {
  name: string;
  make(baseUrl: string): MarketDataProvider;
  /** Replies for the AAPL bars request(s), pages included. */
  bars(url: URL): Reply | undefined;
  /** What the first bars request must look like: documented path, query and auth. */
  checkBarsRequest(request: RecordedRequest): void;
  emptyBars: Reply;
  quote: Reply;
  expectedQuote: Quote;
  unknownQuote: Reply;
  rateLimited: Reply;
  retryAfterSeconds: number;
  unauthorized: Reply;
}

const cases: AdapterCase[] = [
  {
    name: 'alpaca',
    make: (baseUrl) => alpacaProvider({ keyId: 'AKTEST', secretKey: 'SECRET', baseUrl, now }),
    bars: (url) =>
      url.pathname === '/v2/stocks/AAPL/bars'
        ? {
            fixture: url.searchParams.get('page_token')
              ? 'alpaca/bars-aapl-page2.json'
              : 'alpaca/bars-aapl-page1.json',
          }
        : undefined,
    checkBarsRequest: ({ url, headers }) => {
      expect(Object.fromEntries(url.searchParams)).toEqual({
        timeframe: '1Day',
        start: '2023-11-01',
        end: '2023-11-08',
        adjustment: 'split',
        feed: 'iex',
        limit: '10000',
      });
      expect(headers['apca-api-key-id']).toBe('AKTEST');
      expect(headers['apca-api-secret-key']).toBe('SECRET');
    },
    emptyBars: { fixture: 'alpaca/bars-empty.json' },
    quote: { fixture: 'alpaca/snapshot-aapl.json' },
    expectedQuote: {
      symbol: 'AAPL',
      price: '182.89',
      bid: '182.88',
      ask: '182.9',
      asOf: '2023-11-08T20:59:59.987654321Z',
      provider: 'alpaca',
    },
    unknownQuote: { status: 404, body: '{"message":"not found"}' },
    rateLimited: {
      status: 429,
      fixture: 'alpaca/rate-limited.json',
      headers: {
        'X-RateLimit-Limit': '200',
        'X-RateLimit-Remaining': '0',
        'X-RateLimit-Reset': String(NOW / 1000 + 30),
      },
    },
    retryAfterSeconds: 30,
    unauthorized: { status: 403, fixture: 'alpaca/forbidden.json' },
  },
  {
    name: 'finnhub',
    make: (baseUrl) => finnhubProvider({ apiKey: 'FHTEST', baseUrl: `${baseUrl}/api/v1`, now }),
    bars: (url) =>
      url.pathname === '/api/v1/stock/candle' ? { fixture: 'finnhub/candle-aapl.json' } : undefined,
    checkBarsRequest: ({ url, headers }) => {
      expect(Object.fromEntries(url.searchParams)).toEqual({
        symbol: 'AAPL',
        resolution: 'D',
        from: String(Date.parse('2023-11-01T00:00:00Z') / 1000),
        to: String(Date.parse('2023-11-09T00:00:00Z') / 1000 - 1),
      });
      expect(headers['x-finnhub-token']).toBe('FHTEST');
    },
    emptyBars: { fixture: 'finnhub/candle-no-data.json' },
    quote: { fixture: 'finnhub/quote-aapl.json' },
    expectedQuote: {
      symbol: 'AAPL',
      price: '182.89',
      bid: null,
      ask: null,
      asOf: '2023-11-08T21:00:00.000Z',
      provider: 'finnhub',
    },
    unknownQuote: { fixture: 'finnhub/quote-unknown.json' },
    rateLimited: { status: 429, fixture: 'finnhub/rate-limited.json' },
    retryAfterSeconds: 60,
    unauthorized: { status: 403, fixture: 'finnhub/no-access.json' },
  },
  {
    name: 'polygon',
    make: (baseUrl) => polygonProvider({ apiKey: 'PGTEST', baseUrl, now }),
    bars: (url) => {
      if (url.pathname === '/v2/aggs/ticker/AAPL/range/1/day/2023-11-01/2023-11-08') {
        return { fixture: 'polygon/aggs-aapl-page1.json' };
      }
      // next_url names api.massive.com; the adapter must ask its own base instead.
      if (url.pathname === '/v2/aggs/ticker/AAPL/range/1/day/1699246800000/2023-11-08') {
        expect(url.searchParams.get('cursor')).toBe('bGltaXQ9MyZzb3J0PWFzYw');
        return { fixture: 'polygon/aggs-aapl-page2.json' };
      }
      return undefined;
    },
    checkBarsRequest: ({ url, headers }) => {
      expect(Object.fromEntries(url.searchParams)).toEqual({ adjusted: 'true', sort: 'asc', limit: '50000' });
      expect(headers.authorization).toBe('Bearer PGTEST');
    },
    emptyBars: { fixture: 'polygon/aggs-empty.json' },
    quote: { fixture: 'polygon/snapshot-aapl.json' },
    expectedQuote: {
      symbol: 'AAPL',
      price: '159.99',
      bid: '159.98',
      ask: '159.99',
      asOf: '2022-04-29T17:05:48.294Z',
      provider: 'polygon',
    },
    unknownQuote: {
      status: 404,
      body: '{"status":"NOT_FOUND","request_id":"x","message":"Ticker not found."}',
    },
    rateLimited: { status: 429, fixture: 'polygon/rate-limited.json' },
    retryAfterSeconds: 60,
    unauthorized: { status: 401, fixture: 'polygon/not-authorized.json' },
  },
  {
    name: 'alphavantage',
    make: (baseUrl) => alphaVantageProvider({ apiKey: 'AVTEST', baseUrl, now }),
    bars: (url) =>
      url.searchParams.get('function') === 'TIME_SERIES_DAILY'
        ? { fixture: 'alpha-vantage/time-series-daily-aapl.json' }
        : undefined,
    checkBarsRequest: ({ url }) => {
      expect(url.pathname).toBe('/query');
      expect(Object.fromEntries(url.searchParams)).toEqual({
        function: 'TIME_SERIES_DAILY',
        symbol: 'AAPL',
        outputsize: 'compact',
        apikey: 'AVTEST',
      });
    },
    emptyBars: { fixture: 'alpha-vantage/time-series-daily-aapl.json' }, // compact history, range with no trading
    quote: { fixture: 'alpha-vantage/global-quote-aapl.json' },
    expectedQuote: {
      symbol: 'AAPL',
      price: '182.89',
      bid: null,
      ask: null,
      asOf: '2023-11-08',
      provider: 'alphavantage',
    },
    unknownQuote: { fixture: 'alpha-vantage/global-quote-unknown.json' },
    // Alpha Vantage throttles with HTTP 200 and a "Note".
    rateLimited: { fixture: 'alpha-vantage/note-per-minute.json' },
    retryAfterSeconds: 60,
    unauthorized: { fixture: 'alpha-vantage/information-premium.json' },
  },
];

let server: FixtureServer;
beforeAll(async () => {
  server = await startFixtureServer();
});
afterAll(() => server.close());
beforeEach(() => {
  server.requests = [];
  server.route = () => undefined;
});

const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => expect.unreachable('should have failed'),
    (e) => e,
  );

describe.each(cases)('$name adapter (recorded responses)', (c) => {
  const provider = () => c.make(server.baseUrl);

  it('fetches daily bars with the documented request and parses them exactly', async () => {
    server.route = c.bars;
    expect(await provider().dailyBars('aapl', '2023-11-01', '2023-11-08')).toEqual(AAPL_BARS);
    c.checkBarsRequest(server.requests[0]!);
  });

  it('returns no bars for a range without trading', async () => {
    server.route = () => c.emptyBars;
    expect(await provider().dailyBars('AAPL', '2023-11-04', '2023-11-05')).toEqual([]);
  });

  it('parses the latest quote', async () => {
    server.route = () => c.quote;
    expect(await provider().latestQuote('AAPL')).toEqual(c.expectedQuote);
  });

  it('reports an unknown symbol as not_found', async () => {
    server.route = () => c.unknownQuote;
    expect(await failure(provider().latestQuote('ZZZZ'))).toMatchObject({
      code: 'not_found',
      provider: c.name,
    });
  });

  it('turns throttling into RateLimited with a retry-after', async () => {
    server.route = () => c.rateLimited;
    const err = await failure(provider().dailyBars('AAPL', '2023-11-01', '2023-11-08'));
    expect(err).toMatchObject({
      name: 'RateLimitedError',
      code: 'rate_limited',
      retryAfterSeconds: c.retryAfterSeconds,
    });
  });

  it('reports a refused key as unauthorized', async () => {
    server.route = () => c.unauthorized;
    expect(await failure(provider().latestQuote('AAPL'))).toMatchObject({ code: 'unauthorized' });
  });

  it('rejects an HTML page served as 200, and a 503, without trusting them', async () => {
    server.route = () => ({ fixture: 'csv/yahoo-error.html' });
    expect(await failure(provider().latestQuote('AAPL'))).toMatchObject({ code: 'bad_response' });
    server.route = () => ({ status: 503, body: 'upstream down' });
    expect(await failure(provider().latestQuote('AAPL'))).toMatchObject({ code: 'unavailable' });
  });

  it('checks its arguments before calling out', async () => {
    expect(await failure(provider().dailyBars('AAPL', '2023-11-08', '2023-11-01'))).toMatchObject({
      code: 'invalid_argument',
    });
    expect(await failure(provider().latestQuote('not a symbol!'))).toMatchObject({
      code: 'invalid_argument',
    });
    expect(server.requests).toEqual([]);
  });

  it('reports an unreachable host as unavailable', async () => {
    const dead = c.make('http://127.0.0.1:9');
    expect(await failure(dead.latestQuote('AAPL'))).toMatchObject({ code: 'unavailable' });
  });
});

describe('provider specifics', () => {
  it('Alpha Vantage: the daily quota waits until the next UTC midnight, and "Error Message" is not_found', async () => {
    const av = alphaVantageProvider({ apiKey: 'AVTEST', baseUrl: server.baseUrl, now });
    server.route = () => ({ fixture: 'alpha-vantage/information-per-day.json' });
    expect(await failure(av.latestQuote('AAPL'))).toMatchObject({
      code: 'rate_limited',
      retryAfterSeconds: 3 * 3600,
    });
    server.route = () => ({ fixture: 'alpha-vantage/error-message.json' });
    expect(await failure(av.dailyBars('ZZZZ', '2023-11-01', '2023-11-08'))).toMatchObject({
      code: 'not_found',
    });
  });

  it('Alpaca: a bar whose high is below its close fails the whole response', async () => {
    const alpaca = alpacaProvider({ keyId: 'k', secretKey: 's', baseUrl: server.baseUrl, now });
    server.route = () => ({
      body: JSON.stringify({
        bars: [{ t: '2023-11-01T04:00:00Z', o: 171, h: 172, l: 170, c: 173, v: 1 }],
        symbol: 'AAPL',
        next_page_token: null,
      }),
    });
    expect(await failure(alpaca.dailyBars('AAPL', '2023-11-01', '2023-11-01'))).toMatchObject({
      code: 'bad_response',
    });
  });

  it('Retry-After wins over reset headers', async () => {
    const polygon = polygonProvider({ apiKey: 'k', baseUrl: server.baseUrl, now });
    server.route = () => ({
      status: 429,
      fixture: 'polygon/rate-limited.json',
      headers: { 'Retry-After': '7' },
    });
    expect(await failure(polygon.latestQuote('AAPL'))).toMatchObject({ retryAfterSeconds: 7 });
  });
});
