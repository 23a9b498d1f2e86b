import { exchangeTime, loadUniverse, simulateDailyBars } from '@stockpulse/domain';
import { describe, expect, it } from 'vitest';
import { SESSION_MINUTES, simulateMinuteBars } from '../src/store/intraday.js';

const companies = loadUniverse().filter((c) => ['AAPL', 'NVDA', 'JPM'].includes(c.symbol));
const daily = simulateDailyBars({ seed: 7, start: '2024-01-02', end: '2024-03-28', companies });
const cents = (s: string) => Math.round(Number(s) * 100);

describe('simulateMinuteBars', () => {
  it('agrees with every daily bar: first open, last close, extremes, total volume', () => {
    for (const bars of daily.values()) {
      for (const day of bars) {
        const minutes = simulateMinuteBars(day, 7);
        expect(minutes).toHaveLength(SESSION_MINUTES);
        expect(minutes[0]!.open).toBe(day.open);
        expect(minutes.at(-1)!.close).toBe(day.close);
        expect(Math.max(...minutes.map((m) => cents(m.high)))).toBe(cents(day.high));
        expect(Math.min(...minutes.map((m) => cents(m.low)))).toBe(cents(day.low));
        expect(minutes.reduce((s, m) => s + m.volume, 0)).toBe(day.volume);
        // Plain checks, one expect per day: ~70k minutes would make per-bar expects slow.
        const broken = minutes.filter((m, i) => {
          const [o, h, l, c] = [m.open, m.high, m.low, m.close].map(cents) as [
            number,
            number,
            number,
            number,
          ];
          const continuous = i === 0 || m.open === minutes[i - 1]!.close;
          return !(l <= Math.min(o, c) && h >= Math.max(o, c) && m.volume >= 0 && continuous);
        });
        expect(broken).toEqual([]);
      }
    }
  });

  it('covers 09:30 to 15:59 New York in standard and daylight time', () => {
    const nvda = daily.get('NVDA')!;
    for (const date of ['2024-03-08', '2024-03-11']) {
      const minutes = simulateMinuteBars(nvda.find((b) => b.date === date)!, 7);
      const first = new Date(minutes[0]!.ts);
      const last = new Date(minutes.at(-1)!.ts);
      expect(exchangeTime(first)).toEqual({ date, minutes: 9 * 60 + 30 });
      expect(exchangeTime(last)).toEqual({ date, minutes: 15 * 60 + 59 });
    }
    expect(simulateMinuteBars(nvda.find((b) => b.date === '2024-03-08')!, 7)[0]!.ts).toBe(
      '2024-03-08T14:30:00.000Z',
    );
    expect(simulateMinuteBars(nvda.find((b) => b.date === '2024-03-11')!, 7)[0]!.ts).toBe(
      '2024-03-11T13:30:00.000Z',
    );
  });

  it('is deterministic per seed', () => {
    const day = daily.get('AAPL')![10]!;
    expect(simulateMinuteBars(day, 7)).toEqual(simulateMinuteBars(day, 7));
    expect(simulateMinuteBars(day, 8)).not.toEqual(simulateMinuteBars(day, 7));
  });

  it('handles a day without range and one with four-decimal prices', () => {
    const flat = {
      symbol: 'X',
      date: '2024-03-28',
      open: '10.00',
      high: '10.00',
      low: '10.00',
      close: '10.00',
      volume: 1000,
    };
    const minutes = simulateMinuteBars(flat, 1);
    expect(new Set(minutes.flatMap((m) => [m.open, m.high, m.low, m.close]))).toEqual(new Set(['10.00']));
    const fine = { ...flat, open: '10.0049', high: '10.1251', low: '9.9951', close: '10.0551' };
    const m2 = simulateMinuteBars(fine, 1);
    const values = m2.flatMap((m) => [m.open, m.high, m.low, m.close]).map(Number);
    expect(Math.max(...values)).toBe(10.1251);
    expect(Math.min(...values)).toBe(9.9951);
  });
});
