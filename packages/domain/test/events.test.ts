import { describe, expect, it } from 'vitest';
import {
  EVENT_RULES,
  loadUniverse,
  type MarketEvent,
  simulatedEvents,
  simulateMarket,
} from '../src/index.js';

const companies = loadUniverse();
// Two full calendar years: every company reports Q4 2023 … Q3 2025.
const opts = { seed: 2024, start: '2024-01-02', end: '2025-12-31', companies };
const events = simulatedEvents(opts);
const market = simulateMarket(opts);
const symbolYears = companies.length * 2;
const ofKind = <K extends MarketEvent['kind']>(k: K) =>
  events.filter((e): e is Extract<MarketEvent, { kind: K }> => e.kind === k);
const rms = (xs: readonly number[]) => Math.sqrt(xs.reduce((s, x) => s + x * x, 0) / xs.length);

describe('simulated news events', () => {
  it('is deterministic per seed and never depends on the end date', () => {
    const small = { ...opts, companies: companies.slice(0, 30), end: '2024-09-30' };
    const a = simulatedEvents(small);
    expect(simulatedEvents(small)).toEqual(a);
    const longer = simulatedEvents({ ...small, end: '2025-06-30' });
    expect(longer.filter((e) => e.date <= small.end)).toEqual(a);
    expect(longer.length).toBeGreaterThan(a.length);
    expect(simulatedEvents({ ...small, seed: 8 })).not.toEqual(a);
  });

  it('reports quarterly earnings on a fixed pattern per symbol, 18–39 days after the quarter end', () => {
    const earnings = ofKind('earnings');
    expect(earnings).toHaveLength(companies.length * 8);
    const lagBySymbol = new Map<string, Set<number>>();
    for (const e of earnings) {
      const [q, y] = e.quarter.split(' ') as [string, string];
      const quarterEnd = `${y}-${['03-31', '06-30', '09-30', '12-31'][Number(q[1]) - 1]}`;
      const lag = (Date.parse(e.date) - Date.parse(quarterEnd)) / 86_400_000;
      // The pattern's day, moved to the next session when it is a weekend or holiday.
      expect(lag).toBeGreaterThanOrEqual(18);
      expect(lag).toBeLessThanOrEqual(39 + 4);
      const set = lagBySymbol.get(e.symbol!) ?? new Set();
      set.add(lag);
      lagBySymbol.set(e.symbol!, set);
      expect(e.headline).toMatch(e.direction === 'up' ? /beat estimates$/ : /miss estimates$/);
      expect(Math.sign(e.epsSurprisePct)).toBe(e.direction === 'up' ? 1 : -1);
    }
    // The same lag every quarter, give or take the weekend/holiday roll.
    for (const lags of lagBySymbol.values())
      expect(Math.max(...lags) - Math.min(...lags)).toBeLessThanOrEqual(4);
  });

  it('keeps the documented rates of guidance, analyst and macro news', () => {
    const perSymbolYear = (k: MarketEvent['kind']) => ofKind(k).length / symbolYears;
    expect(perSymbolYear('guidance')).toBeGreaterThan(1.2);
    expect(perSymbolYear('guidance')).toBeLessThan(1.8);
    expect(perSymbolYear('analyst')).toBeGreaterThan(3.4);
    expect(perSymbolYear('analyst')).toBeLessThan(4.6);
    const macro = events.filter((e) => e.kind === 'macro');
    expect(macro.filter((e) => e.indicator === 'CPI')).toHaveLength(24);
    expect(macro.filter((e) => e.indicator === 'FOMC')).toHaveLength(16);
    expect(macro.every((e) => e.symbol === null)).toBe(true);
    expect(new Set(macro.map((e) => e.date)).size).toBe(macro.length);
    // At most one company event per symbol and day.
    const keys = events.filter((e) => e.symbol).map((e) => `${e.symbol}|${e.date}`);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('draws jump sizes within the documented bounds: fat-tailed, capped, symmetric', () => {
    const [lo, hi] = EVENT_RULES.earnings.sigma;
    const sizes = (k: MarketEvent['kind']) => ofKind(k).map((e) => e.magnitude);
    expect(rms(sizes('earnings'))).toBeGreaterThan(lo);
    expect(rms(sizes('earnings'))).toBeLessThan(hi);
    expect(rms(sizes('guidance'))).toBeGreaterThan(0.02);
    expect(rms(sizes('guidance'))).toBeLessThan(0.03);
    expect(rms(sizes('analyst'))).toBeGreaterThan(0.012);
    expect(rms(sizes('analyst'))).toBeLessThan(0.018);
    expect(rms(sizes('macro'))).toBeGreaterThan(0.004);
    expect(rms(sizes('macro'))).toBeLessThan(0.012);
    expect(Math.max(...sizes('earnings'))).toBeLessThanOrEqual(EVENT_RULES.earnings.cap);
    expect(Math.max(...sizes('analyst'))).toBeLessThanOrEqual(EVENT_RULES.analyst.cap);
    expect(Math.max(...sizes('macro'))).toBeLessThanOrEqual(EVENT_RULES.cpi.cap);
    expect(Math.min(...events.map((e) => e.magnitude))).toBeGreaterThan(0);
    // Fat tails: far more 3σ earnings surprises than a normal's 0.27 %.
    const beyond3 = sizes('earnings').filter((x) => x > 3 * 0.05).length / sizes('earnings').length;
    expect(beyond3).toBeGreaterThan(0.006);
    const ups = events.filter((e) => e.direction === 'up').length / events.length;
    expect(ups).toBeGreaterThan(0.47);
    expect(ups).toBeLessThan(0.53);
  });

  it('moves the prices: the biggest moves are news days in the news’ direction, the rest stay sane', () => {
    const news = new Map(events.filter((e) => e.symbol).map((e) => [`${e.symbol}|${e.date}`, e]));
    const splits = new Set(
      market.corporateActions.filter((a) => a.kind === 'split').map((a) => `${a.symbol}|${a.exDate}`),
    );
    const moves: Array<{ key: string; ret: number }> = [];
    for (const [symbol, bars] of market.bars) {
      for (let t = 1; t < bars.length; t++) {
        const key = `${symbol}|${bars[t]!.date}`;
        if (splits.has(key)) continue; // the raw tape divides by the ratio on a split's ex-date
        moves.push({ key, ret: Number(bars[t]!.close) / Number(bars[t - 1]!.close) - 1 });
      }
    }
    moves.sort((a, b) => Math.abs(b.ret) - Math.abs(a.ret));
    for (const m of moves.slice(0, 100)) {
      expect(news.get(m.key)?.direction, m.key).toBe(m.ret > 0 ? 'up' : 'down');
    }
    const sd = rms(moves.map((m) => m.ret));
    expect(sd).toBeGreaterThan(0.012); // 19–40 % a year: a large-cap universe
    expect(sd).toBeLessThan(0.025);
    const quiet = moves.filter((m) => !news.has(m.key)).map((m) => Math.abs(m.ret));
    expect(quiet.reduce((a, b) => Math.max(a, b), 0)).toBeLessThan(0.15);
    expect(Math.abs(moves[0]!.ret)).toBeLessThan(0.4);
    const sorted = moves.map((m) => Math.abs(m.ret)).sort((a, b) => a - b);
    expect(sorted[Math.floor(0.999 * (sorted.length - 1))]!).toBeLessThan(0.12);
  });

  it('trades heavier on earnings days', () => {
    const earningsDays = new Set(ofKind('earnings').map((e) => `${e.symbol}|${e.date}`));
    let onNews = 0;
    let other = 0;
    let n = 0;
    let m = 0;
    for (const [symbol, bars] of market.bars) {
      for (const b of bars) {
        if (earningsDays.has(`${symbol}|${b.date}`)) {
          onNews += Math.log(b.volume);
          n++;
        } else {
          other += Math.log(b.volume);
          m++;
        }
      }
    }
    expect(Math.exp(onNews / n - other / m)).toBeGreaterThan(2);
  });
});
