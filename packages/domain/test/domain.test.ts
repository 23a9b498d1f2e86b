import { describe, expect, it } from 'vitest';
import {
  formatUsd,
  isTradingDay,
  lastClosedTradingDay,
  loadUniverse,
  nyseHolidays,
  parseCsv,
  simulateDailyBars,
  toCents,
  tradingDays,
} from '../src/index.js';

describe('NYSE calendar', () => {
  it('knows the published 2025 and 2026 full-day holidays', () => {
    expect([...nyseHolidays(2025)].sort()).toEqual([
      '2025-01-01',
      '2025-01-20',
      '2025-02-17',
      '2025-04-18',
      '2025-05-26',
      '2025-06-19',
      '2025-07-04',
      '2025-09-01',
      '2025-11-27',
      '2025-12-25',
    ]);
    expect([...nyseHolidays(2026)].sort()).toEqual([
      '2026-01-01',
      '2026-01-19',
      '2026-02-16',
      '2026-04-03',
      '2026-05-25',
      '2026-06-19',
      '2026-07-03',
      '2026-09-07',
      '2026-11-26',
      '2026-12-25',
    ]);
  });
  it('skips weekends, holidays and one-off closures', () => {
    expect(isTradingDay('2026-11-26')).toBe(false); // Thanksgiving
    expect(isTradingDay('2026-11-28')).toBe(false); // Saturday
    expect(isTradingDay('2025-01-09')).toBe(false); // day of mourning
    expect(tradingDays('2026-11-23', '2026-11-30')).toEqual([
      '2026-11-23',
      '2026-11-24',
      '2026-11-25',
      '2026-11-27',
      '2026-11-30',
    ]);
    expect(tradingDays('2024-01-01', '2024-12-31')).toHaveLength(252);
  });
  it('finds the last closed session in exchange time', () => {
    expect(lastClosedTradingDay(new Date('2026-11-25T20:59:00Z'))).toBe('2026-11-24'); // 15:59 New York
    expect(lastClosedTradingDay(new Date('2026-11-25T21:00:00Z'))).toBe('2026-11-25');
    expect(lastClosedTradingDay(new Date('2026-11-26T18:00:00Z'))).toBe('2026-11-25'); // Thanksgiving
  });
});

describe('universe', () => {
  it('parses quoted CSV fields', () => {
    expect(parseCsv('a,"b, c","d ""e"""\n1,2,3\n')).toEqual([
      ['a', 'b, c', 'd "e"'],
      ['1', '2', '3'],
    ]);
  });
  it('loads the S&P 500 constituents with sectors', () => {
    const u = loadUniverse();
    expect(u.length).toBeGreaterThan(490);
    expect(u.find((c) => c.symbol === 'NVDA')).toMatchObject({
      name: 'Nvidia',
      sector: 'Information Technology',
      subIndustry: 'Semiconductors',
    });
  });
});

describe('market simulator', () => {
  const companies = loadUniverse().slice(0, 40);
  const opts = { seed: 7, start: '2024-01-02', end: '2025-12-31', companies };
  it('is deterministic for a seed, and extending the end never changes earlier days', () => {
    const a = simulateDailyBars(opts);
    const b = simulateDailyBars(opts);
    const longer = simulateDailyBars({ ...opts, end: '2026-06-30' });
    for (const c of companies) {
      expect(a.get(c.symbol)).toEqual(b.get(c.symbol));
      expect(longer.get(c.symbol)!.slice(0, a.get(c.symbol)!.length)).toEqual(a.get(c.symbol));
    }
    expect(simulateDailyBars({ ...opts, seed: 8 }).get(companies[0]!.symbol)).not.toEqual(
      a.get(companies[0]!.symbol),
    );
  });
  it('produces consistent OHLC with positive prices on every trading day', () => {
    const bars = simulateDailyBars(opts);
    const days = tradingDays(opts.start, opts.end);
    for (const series of bars.values()) {
      expect(series.map((b) => b.date)).toEqual(days);
      for (const b of series) {
        const [o, h, l, c] = [b.open, b.high, b.low, b.close].map(Number) as [number, number, number, number];
        expect(l).toBeGreaterThan(0);
        expect(h).toBeGreaterThanOrEqual(Math.max(o, c));
        expect(l).toBeLessThanOrEqual(Math.min(o, c));
        expect(b.close).toMatch(/^\d+\.\d{2}$/);
        expect(b.volume).toBeGreaterThan(0);
      }
    }
  });
});

describe('money', () => {
  it('rounds half-even to cents and formats dollars exactly', () => {
    expect(toCents('0.125')).toBe('0.12');
    expect(toCents('0.135')).toBe('0.14');
    expect(formatUsd('1234567.891')).toBe('$1,234,567.89');
    expect(formatUsd('-0.5')).toBe('-$0.50');
  });
});

describe('portfolio valuation', () => {
  it('values cash plus quantity × price exactly, rounding only the totals', async () => {
    const { valuePortfolio } = await import('../src/index.js');
    const v = valuePortfolio(
      '1000.005',
      [
        { symbol: 'AAA', quantity: '3', averageCost: '10.10' },
        { symbol: 'BBB', quantity: '0.5', averageCost: '200' },
      ],
      [
        { symbol: 'AAA', price: '10.33', previousClose: '10.00', asOf: '2026-11-24' },
        { symbol: 'BBB', price: '190.01', previousClose: '191.00', asOf: '2026-11-25' },
      ],
    );
    // 1000.005 + 30.99 + 95.005 = 1126.00 exactly
    expect(v.totalValue).toBe('1126.00');
    expect(v.positionsValue).toBe('126.00'); // 125.995 → half-even
    expect(v.unrealizedPnl).toBe('-4.30'); // 125.995 - 130.30 = -4.305 → half-even to -4.30
    expect(v.dayChange).toBe('0.50'); // 0.99 - 0.495
    expect(v.asOf).toBe('2026-11-25');
    expect(v.holdings.map((h) => h.symbol)).toEqual(['BBB', 'AAA']);
  });
});
