import { createLogger } from '@stockpulse/core';
import type { Database } from '@stockpulse/db';
import { migrate } from '@stockpulse/db';
import { loadUniverse, simulateDailyBars } from '@stockpulse/domain';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MinuteBar, simulateMinuteBars } from '../src/store/intraday.js';
import { type Bar, MarketStore } from '../src/store/market.js';
import { MARKET_MIGRATIONS } from '../src/store/migrations.js';
import { seedIntraday } from '../src/store/seed.js';
import type { IngestBar } from '../src/store/validate.js';
import { marketBackends } from './backends.js';

const companies = loadUniverse().filter((c) => ['AAPL', 'MSFT', 'NVDA', 'AMD', 'JPM'].includes(c.symbol));
const sim = { seed: 2024, start: '2024-01-02', end: '2024-03-28', companies };
const silent = createLogger('market-contract', 'silent');
const intraday = { seed: 2024, sessions: 3, symbols: 3, include: ['NVDA'], retentionDays: 30 };
const afterLastSession = new Date('2024-03-29T12:00:00Z');

/** 5m (or any) bars computed in plain code from 1-minute bars: first open, max high, min low, last close, summed volume. */
function aggregate(minutes: readonly Bar[], size: number) {
  const out = [];
  for (let i = 0; i < minutes.length; i += size) {
    const group = minutes.slice(i, i + size);
    out.push({
      time: group[0]!.time,
      date: group[0]!.date,
      open: group[0]!.open,
      high: group.map((m) => m.high).reduce((a, b) => (Number(a) >= Number(b) ? a : b)),
      low: group.map((m) => m.low).reduce((a, b) => (Number(a) <= Number(b) ? a : b)),
      close: group.at(-1)!.close,
      volume: group.reduce((v, m) => v + m.volume, 0),
    });
  }
  return out;
}

const asIngest = (b: MinuteBar): IngestBar => ({ ...b, time: b.ts });

const backends = await marketBackends('market');

describe.each(backends)('market store on %s', (kind, backend) => {
  let db: Database;
  let store: MarketStore;
  const bars = simulateDailyBars(sim);
  beforeAll(async () => {
    db = await backend.open();
    await migrate(db, MARKET_MIGRATIONS);
    store = await MarketStore.open(db);
    await store.upsertSymbols(loadUniverse());
    expect(await store.insertBars([...bars.values()].flat())).toBe(5 * bars.get('AAPL')!.length);
  });
  afterAll(async () => {
    await db.close();
    await backend.cleanup();
  });

  it('uses hypertables and time_bucket exactly when TimescaleDB is installed', async () => {
    const features = await store.storageFeatures();
    expect(await db.hasExtension('timescaledb')).toBe(kind === 'timescaledb');
    if (kind === 'timescaledb') {
      expect(features).toMatchObject({
        bucketFunction: 'time_bucket',
        hypertables: ['daily_bars', 'minute_bars'],
      });
    } else {
      expect(features).toEqual({
        bucketFunction: 'date_bin',
        hypertables: [],
        continuousAggregates: [],
        policies: [],
      });
    }
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

  describe('intraday bars', () => {
    let nvda28: Bar[];

    it('seeds 1-minute bars for the last sessions of the chosen and most traded symbols, once', async () => {
      expect(await seedIntraday(store, intraday, silent, afterLastSession)).toBe(3 * 3 * 390);
      expect(await seedIntraday(store, intraday, silent, afterLastSession)).toBe(0);
      const { rows } = await db.query<{ n: number; first: Date; last: Date }>(
        'SELECT count(DISTINCT symbol)::int AS n, min(ts) AS first, max(ts) AS last FROM minute_bars',
      );
      expect(rows[0]).toEqual({
        n: 3,
        first: new Date('2024-03-26T13:30:00Z'),
        last: new Date('2024-03-28T19:59:00Z'),
      });
    });

    it('serves 1-minute bars for a New York day that agree with its daily bar', async () => {
      const r = await store.bars('nvda', {
        interval: '1m',
        from: '2024-03-28',
        to: '2024-03-28',
        limit: 1000,
      });
      expect(r).toMatchObject({ symbol: 'NVDA', interval: '1m', truncated: false });
      nvda28 = r.bars;
      expect(nvda28).toHaveLength(390);
      const daily = bars.get('NVDA')!.at(-1)!;
      expect(nvda28[0]).toMatchObject({
        time: '2024-03-28T13:30:00.000Z',
        date: '2024-03-28',
        open: daily.open,
      });
      expect(nvda28.at(-1)).toMatchObject({ time: '2024-03-28T19:59:00.000Z', close: daily.close });
      expect(nvda28.reduce((v, m) => v + m.volume, 0)).toBe(daily.volume);
      expect(Math.max(...nvda28.map((m) => Number(m.high)))).toBe(Number(daily.high));
      expect(Math.min(...nvda28.map((m) => Number(m.low)))).toBe(Number(daily.low));
    });

    it('buckets 5m, 15m and 1h bars from 1-minute bars: first open, max high, min low, last close, summed volume', async () => {
      const day = { from: '2024-03-28', to: '2024-03-28', limit: 1000 };
      const fives = await store.bars('NVDA', { interval: '5m', ...day });
      expect(fives.bars).toHaveLength(78);
      expect(fives.bars).toEqual(aggregate(nvda28, 5));
      expect((await store.bars('NVDA', { interval: '15m', ...day })).bars).toEqual(aggregate(nvda28, 15));
      const hours = (await store.bars('NVDA', { interval: '1h', ...day })).bars;
      // Hourly bars start at the 09:30 open; the last one is the half hour to 16:00.
      expect(hours.map((h) => h.time.slice(11, 16))).toEqual([
        '13:30',
        '14:30',
        '15:30',
        '16:30',
        '17:30',
        '18:30',
        '19:30',
      ]);
      expect(hours).toEqual(aggregate(nvda28, 60));
    });

    it('aligns buckets on the 09:30 open in standard time too', async () => {
      const day = bars.get('NVDA')!.find((b) => b.date === '2024-03-08')!;
      await store.ingestBars('1m', simulateMinuteBars(day, 1).map(asIngest));
      const hours = (
        await store.bars('NVDA', { interval: '1h', from: '2024-03-08', to: '2024-03-08', limit: 10 })
      ).bars;
      expect(hours.map((h) => h.time)).toEqual(
        [14, 15, 16, 17, 18, 19, 20].map((h) => `2024-03-08T${h}:30:00.000Z`),
      );
      expect(hours[0]!.open).toBe(day.open);
      expect(hours.at(-1)!.close).toBe(day.close);
    });

    it('serves daily bars through the same call, starting at the open', async () => {
      const r = await store.bars('NVDA', { interval: '1d', limit: 2 });
      const [prev, last] = bars.get('NVDA')!.slice(-2);
      expect(r.truncated).toBe(true);
      const { symbol: _p, ...prevBar } = prev!;
      const { symbol: _l, ...lastBar } = last!;
      expect(r.bars).toEqual([
        { ...prevBar, time: '2024-03-27T13:30:00.000Z' },
        { ...lastBar, time: '2024-03-28T13:30:00.000Z' },
      ]);
    });

    it('takes instants as inclusive bounds, keeps the most recent bars and flags truncation', async () => {
      const window = await store.bars('NVDA', {
        interval: '1m',
        from: '2024-03-28T14:00:00Z',
        to: '2024-03-28T10:04:00-04:00',
        limit: 100,
      });
      expect(window.bars.map((b) => b.time.slice(11, 16))).toEqual([
        '14:00',
        '14:01',
        '14:02',
        '14:03',
        '14:04',
      ]);
      const recent = await store.bars('NVDA', { interval: '1m', limit: 10 });
      expect(recent.truncated).toBe(true);
      expect(recent.bars).toEqual(nvda28.slice(-10));
      const over = await store.bars('NVDA', { interval: '5m', from: '2024-03-29', limit: 10 });
      expect(over).toMatchObject({ truncated: false, bars: [] });
    });

    it('names unknown symbols, symbols without intraday bars and reversed ranges', async () => {
      await expect(store.bars('ZZZZ', { interval: '5m', limit: 5 })).rejects.toMatchObject({
        code: 'unknown_symbol',
      });
      await expect(store.bars('XOM', { interval: '5m', limit: 5 })).rejects.toMatchObject({
        code: 'not_found',
        message: expect.stringContaining('No intraday bars for XOM'),
      });
      await expect(
        store.bars('NVDA', { interval: '5m', from: '2024-03-28', to: '2024-03-27', limit: 5 }),
      ).rejects.toMatchObject({ code: 'bad_request' });
      await expect(
        store.bars('NVDA', { interval: '5m', from: '2024-02-30', limit: 5 }),
      ).rejects.toMatchObject({
        code: 'bad_request',
        message: '`from` is not a calendar date: 2024-02-30',
      });
    });

    it('drops 1-minute bars older than the retention cutoff', async () => {
      const before = await countMinutes();
      const r = await store.dropMinuteBarsBefore(new Date('2024-03-09T00:00:00Z'));
      // TimescaleDB drops the whole one-day chunk of 2024-03-08; plain Postgres deletes its rows.
      expect(r).toEqual(
        store.bucketFunction === 'time_bucket'
          ? { method: 'drop_chunks', dropped: 1 }
          : { method: 'delete', dropped: 390 },
      );
      expect(await countMinutes()).toBe(before - 390);
    });
  });

  describe('bulk ingest', () => {
    const newDays = (close = '101.00'): IngestBar[] =>
      ['2023-12-27', '2023-12-28', '2023-12-29'].map((time, i) => ({
        symbol: 'aapl',
        time,
        open: '100.00',
        high: '102.5',
        low: '99.0001',
        close,
        volume: 1_000 + i,
      }));

    it('writes daily bars once: a repeat skips them, replace overwrites them', async () => {
      expect(await store.ingestBars('1d', newDays())).toEqual({
        interval: '1d',
        received: 3,
        inserted: 3,
        skipped: 0,
        replaced: 0,
        symbols: 1,
        firstTime: '2023-12-27',
        lastTime: '2023-12-29',
      });
      expect(await store.ingestBars('1d', newDays('100.50'))).toMatchObject({ inserted: 0, skipped: 3 });
      expect((await store.dailyBars('AAPL', { to: '2023-12-29', limit: 1 })).bars[0]!.close).toBe('101.00');
      expect(await store.ingestBars('1d', newDays('100.50'), { onConflict: 'replace' })).toMatchObject({
        inserted: 0,
        skipped: 0,
        replaced: 3,
      });
      expect((await store.dailyBars('AAPL', { to: '2023-12-29', limit: 1 })).bars[0]).toMatchObject({
        close: '100.50',
        low: '99.00',
      });
      expect(await store.lastBarDay()).toBe('2024-03-28');
    });

    it('writes 1-minute bars idempotently by (symbol, minute), normalising the time to UTC', async () => {
      const minute = { symbol: 'MSFT', open: '400', high: '401', low: '399.5', close: '400.25', volume: 10 };
      const input = [
        { ...minute, time: '2024-03-01T09:30:00-05:00' },
        { ...minute, time: '2024-03-01T14:31:00Z' },
      ];
      expect(await store.ingestBars('1m', input)).toMatchObject({
        inserted: 2,
        firstTime: '2024-03-01T14:30:00.000Z',
        lastTime: '2024-03-01T14:31:00.000Z',
      });
      expect(await store.ingestBars('1m', input)).toMatchObject({ inserted: 0, skipped: 2 });
      const fresh = [{ ...minute, time: '2024-03-01T14:32:00Z' }, ...input];
      expect(await store.ingestBars('1m', fresh, { onConflict: 'replace' })).toMatchObject({
        inserted: 1,
        replaced: 2,
      });
      const r = await store.bars('MSFT', { interval: '5m', from: '2024-03-01', to: '2024-03-01', limit: 5 });
      expect(r.bars).toEqual([
        {
          time: '2024-03-01T14:30:00.000Z',
          date: '2024-03-01',
          open: '400.00',
          high: '401.00',
          low: '399.50',
          close: '400.25',
          volume: 30,
        },
      ]);
    });

    it('rejects a batch with any invalid bar, lists the problems and writes nothing', async () => {
      const good = { symbol: 'JPM', open: '180', high: '181', low: '179', close: '180.5', volume: 5 };
      const cases: Array<[IngestBar, RegExp]> = [
        [{ ...good, time: '2024-03-04T15:00:00Z', high: '180.25' }, /high 180.25 is below/],
        [{ ...good, time: '2024-03-04T15:01:00Z', low: '180.4' }, /low 180.4 is above/],
        [{ ...good, time: '2024-03-04T15:02:00Z', low: '0', open: '0' }, /prices must be positive/],
        [{ ...good, time: '2024-03-04T15:03:30Z' }, /start of a minute/],
        [{ ...good, time: '2024-03-04 15:04' }, /ISO-8601 instant/],
        [{ ...good, time: '2999-01-01T00:00:00Z' }, /in the future/],
        [{ ...good, time: '2024-03-04T15:05:00Z', close: '180.12345' }, /at most 4 decimal places/],
        [{ ...good, time: '2024-03-04T15:06:00Z', volume: 1.5 }, /whole number/],
        [{ ...good, time: '2024-03-04T15:07:00Z', symbol: 'jpm' }, /same symbol and time as bars\[0\]/],
      ];
      const valid = { ...good, time: '2024-03-04T15:07:00Z' };
      const before = await countMinutes();
      for (const [bad, problem] of cases) {
        const err = await store.ingestBars('1m', [valid, bad]).catch((e: unknown) => e);
        expect(err, problem.source).toMatchObject({
          code: 'bad_request',
          message: expect.stringMatching(/^1 invalid bar, nothing was written; first: bars\[1\]/),
          details: { invalid: 1, problems: [{ index: 1, problem: expect.stringMatching(problem) }] },
        });
      }
      await expect(store.ingestBars('1d', [{ ...good, time: '2024-02-30' }])).rejects.toMatchObject({
        code: 'bad_request',
        message: expect.stringContaining('time must be a date YYYY-MM-DD'),
      });
      const weekend = { ...good, time: '2024-03-02' };
      await expect(store.ingestBars('1d', [weekend])).rejects.toMatchObject({
        code: 'bad_request',
        message: expect.stringContaining('2024-03-02 is not an NYSE trading day'),
      });
      await expect(
        store.ingestBars('1m', [valid, { ...valid, symbol: 'NOPE', time: '2024-03-04T15:08:00Z' }]),
      ).rejects.toMatchObject({
        code: 'unknown_symbol',
        details: { symbols: ['NOPE'] },
      });
      await expect(
        store.ingestBars(
          '1m',
          Array.from({ length: 10_001 }, () => valid),
        ),
      ).rejects.toMatchObject({
        code: 'bad_request',
        message: 'At most 10000 bars per call (got 10001)',
      });
      expect(await countMinutes()).toBe(before);
    });
  });

  it('lists sectors with their sub-industries, and the tickers of one sector', async () => {
    const all = await store.sectors();
    expect(all).toHaveLength(11);
    expect(all.reduce((n, s) => n + s.symbolCount, 0)).toBe(loadUniverse().length);
    expect(all[0]!.subIndustries[0]).not.toHaveProperty('symbols');
    const [it] = await store.sectors('information technology');
    expect(it!.sector).toBe('Information Technology');
    const semis = it!.subIndustries.find((s) => s.name === 'Semiconductors')!;
    expect(semis.symbols).toEqual(expect.arrayContaining(['NVDA', 'AMD', 'INTC']));
    expect(semis.symbolCount).toBe(semis.symbols!.length);
    await expect(store.sectors('Crypto')).rejects.toMatchObject({
      code: 'not_found',
      message: expect.stringContaining('Information Technology'),
    });
  });

  async function countMinutes(): Promise<number> {
    const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM minute_bars');
    return rows[0]!.n;
  }
});
