import type { Database } from '@stockpulse/db';
import { migrate } from '@stockpulse/db';
import { testBackends } from '@stockpulse/db/testing';
import { loadUniverse, simulateDailyBars } from '@stockpulse/domain';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MarketStore } from '../src/store/market.js';
import { MARKET_MIGRATIONS } from '../src/store/migrations.js';

const companies = loadUniverse().filter((c) => ['AAPL', 'MSFT', 'NVDA', 'AMD', 'JPM'].includes(c.symbol));
const sim = { seed: 2024, start: '2024-01-02', end: '2024-03-28', companies };

describe.each(testBackends('market'))('market store on %s', (_kind, backend) => {
  let db: Database;
  let store: MarketStore;
  const bars = simulateDailyBars(sim);
  beforeAll(async () => {
    db = await backend.open();
    await migrate(db, MARKET_MIGRATIONS);
    store = new MarketStore(db);
    await store.upsertSymbols(loadUniverse());
    expect(await store.insertBars([...bars.values()].flat())).toBe(5 * bars.get('AAPL')!.length);
  });
  afterAll(async () => {
    await db.close();
    await backend.cleanup();
  });

  it('keeps existing days when the same bars are inserted again', async () => {
    expect(await store.insertBars(bars.get('AAPL')!)).toBe(0);
    expect(await store.lastBarDay()).toBe('2024-03-28');
  });

  it('quotes the last close and the change from the one before, for many symbols in one call', async () => {
    const quotes = await store.latestQuotes(['nvda', 'AAPL']);
    const nvda = bars.get('NVDA')!;
    const [prev, last] = [nvda.at(-2)!, nvda.at(-1)!];
    expect(quotes[0]).toEqual({
      symbol: 'NVDA',
      price: last.close,
      previousClose: prev.close,
      change: (Number(last.close) - Number(prev.close)).toFixed(2),
      changePercent: expect.stringMatching(/^-?\d+\.\d{2}$/),
      asOf: '2024-03-28',
    });
    expect(quotes[1]!.symbol).toBe('AAPL');
  });

  it('names unknown symbols and symbols without data', async () => {
    await expect(store.latestQuotes(['AAPL', 'ZZZZ'])).rejects.toMatchObject({
      code: 'unknown_symbol',
      message: 'Unknown symbol: ZZZZ',
    });
    await expect(store.latestQuotes(['XOM'])).rejects.toMatchObject({ code: 'not_found' });
  });

  it('returns the most recent bars in date order and flags truncation', async () => {
    const r = await store.dailyBars('msft', { limit: 3 });
    expect(r.truncated).toBe(true);
    expect(r.bars.map((b) => b.date)).toEqual(
      bars
        .get('MSFT')!
        .slice(-3)
        .map((b) => b.date),
    );
    const ranged = await store.dailyBars('MSFT', { from: '2024-01-02', to: '2024-01-05', limit: 10 });
    expect(ranged).toMatchObject({ truncated: false });
    expect(ranged.bars.map((b) => b.date)).toEqual(['2024-01-02', '2024-01-03', '2024-01-04', '2024-01-05']);
  });

  it('searches the universe by ticker, name and sub-industry', async () => {
    expect((await store.searchSymbols('nvda', { limit: 3 }))[0]?.symbol).toBe('NVDA');
    const semis = await store.searchSymbols('semiconductors', {
      sector: 'Information Technology',
      limit: 100,
    });
    expect(semis.map((s) => s.symbol)).toEqual(expect.arrayContaining(['NVDA', 'AMD', 'INTC']));
    expect(semis.every((s) => s.sector === 'Information Technology')).toBe(true);
  });
});
