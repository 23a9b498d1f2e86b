import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  type CachePort,
  type DailyBar,
  FallbackProvider,
  finnhubProvider,
  MemoryCache,
  polygonProvider,
} from '../src/index.js';
import { type FixtureServer, startFixtureServer } from './fixture-server.js';

// Two real adapters against the fixture server: Polygon (first choice) and Finnhub (fallback).
let clock = Date.parse('2023-11-08T21:00:00Z');
const now = () => clock;
let server: FixtureServer;
let polygonReply: 'ok' | 'rate_limited' | 'down';

beforeAll(async () => {
  server = await startFixtureServer();
});
afterAll(() => server.close());
beforeEach(() => {
  clock = Date.parse('2023-11-08T21:00:00Z');
  server.requests = [];
  polygonReply = 'ok';
  server.route = (url) => {
    if (url.pathname.startsWith('/polygon/')) {
      if (polygonReply === 'rate_limited') return { status: 429, fixture: 'polygon/rate-limited.json' };
      if (polygonReply === 'down') return { status: 502, body: 'Bad Gateway' };
      if (!url.pathname.includes('/v2/aggs/')) return { fixture: 'polygon/snapshot-aapl.json' };
      const secondPage = url.pathname.includes('/1699246800000/');
      return { fixture: secondPage ? 'polygon/aggs-aapl-page2.json' : 'polygon/aggs-aapl-page1.json' };
    }
    if (url.pathname === '/finnhub/quote') return { fixture: 'finnhub/quote-aapl.json' };
    if (url.pathname === '/finnhub/stock/candle') return { fixture: 'finnhub/candle-aapl.json' };
    return undefined;
  };
});

const chain = (cache?: CachePort) =>
  new FallbackProvider({
    providers: [
      polygonProvider({ apiKey: 'p', baseUrl: `${server.baseUrl}/polygon`, now }),
      finnhubProvider({ apiKey: 'f', baseUrl: `${server.baseUrl}/finnhub`, now }),
    ],
    cache,
    now,
  });
const hits = (prefix: string) => server.requests.filter((r) => r.url.pathname.startsWith(prefix)).length;

describe('FallbackProvider', () => {
  it('answers from the first provider that works', async () => {
    expect((await chain().latestQuote('AAPL')).provider).toBe('polygon');
    polygonReply = 'down';
    expect((await chain().latestQuote('AAPL')).provider).toBe('finnhub');
  });

  it('skips a rate-limited provider until its retry-after has passed', async () => {
    const provider = chain();
    polygonReply = 'rate_limited';
    expect((await provider.latestQuote('AAPL')).provider).toBe('finnhub');
    polygonReply = 'ok';
    expect((await provider.latestQuote('AAPL')).provider).toBe('finnhub');
    expect(hits('/polygon/')).toBe(1); // not asked again while cooling down (60 s)
    clock += 61_000;
    expect((await provider.latestQuote('AAPL')).provider).toBe('polygon');
  });

  it('serves repeats from the cache until the TTL expires', async () => {
    const provider = chain(new MemoryCache(now));
    const first: DailyBar[] = await provider.dailyBars('AAPL', '2023-11-01', '2023-11-08');
    expect(first).toHaveLength(6);
    expect(hits('/polygon/')).toBe(2); // two pages
    polygonReply = 'down';
    expect(await provider.dailyBars('aapl', '2023-11-01', '2023-11-08')).toEqual(first);
    expect(server.requests).toHaveLength(2); // the repeat came from the cache
    clock += 3601_000;
    expect(await provider.dailyBars('AAPL', '2023-11-01', '2023-11-08')).toEqual(first); // via finnhub
    expect(server.requests.map((r) => r.url.pathname.split('/')[1])).toEqual([
      'polygon',
      'polygon',
      'polygon',
      'finnhub',
    ]);
  });

  it('keeps working when the cache fails, and says so', async () => {
    const errors: unknown[] = [];
    const broken: CachePort = {
      get: () => Promise.reject(new Error('redis down')),
      set: () => Promise.reject(new Error('redis down')),
    };
    const provider = new FallbackProvider({
      providers: [finnhubProvider({ apiKey: 'f', baseUrl: `${server.baseUrl}/finnhub`, now })],
      cache: broken,
      onCacheError: (e) => errors.push(e),
    });
    expect((await provider.latestQuote('AAPL')).price).toBe('182.89');
    expect(errors).toHaveLength(2);
  });

  it('lists every attempt when all fail, and is rate limited when all are', async () => {
    server.route = () => ({ status: 502, body: 'Bad Gateway' });
    await expect(chain().latestQuote('AAPL')).rejects.toMatchObject({
      code: 'all_providers_failed',
      details: {
        attempts: [expect.objectContaining({ provider: 'polygon', code: 'unavailable' }), expect.anything()],
      },
    });
    server.route = () => ({ status: 429, body: '{}', headers: { 'Retry-After': '12' } });
    await expect(chain().latestQuote('AAPL')).rejects.toMatchObject({
      code: 'rate_limited',
      retryAfterSeconds: 12,
    });
  });

  it('does not shop a caller error around', async () => {
    await expect(chain().dailyBars('AAPL', 'yesterday', '2023-11-08')).rejects.toMatchObject({
      code: 'invalid_argument',
    });
    expect(server.requests).toEqual([]);
  });
});

describe('MemoryCache', () => {
  it('expires entries after their TTL', async () => {
    let t = 0;
    const cache = new MemoryCache(() => t);
    await cache.set('k', 'v', 10);
    t = 9_999;
    expect(await cache.get('k')).toBe('v');
    t = 10_000;
    expect(await cache.get('k')).toBeNull();
  });
});
