import { type DailyBar, loadUniverse, simulateDailyBars } from '@stockpulse/domain';
import { describe, expect, it } from 'vitest';
import {
  BacktestError,
  type Decision,
  movingAverageCrossover,
  runBacktest,
  type Strategy,
  type StrategyContext,
} from '../src/index.js';
import { flatBenchmark, generousLimits, scripted } from './fixtures.js';

const companies = loadUniverse().slice(0, 4);
const original = simulateDailyBars({ seed: 11, start: '2023-01-03', end: '2023-12-29', companies });
const dates = [...original.values()][0]!.map((b) => b.date);
const benchmark = flatBenchmark(dates);

/** Every bar after `cutoff` scaled by a different factor per bar: a different future, same past. */
function rewriteFuture(bars: Map<string, DailyBar[]>, cutoff: string): Map<string, DailyBar[]> {
  const scale = (p: string, f: number) => (Number(p) * f).toFixed(2);
  return new Map(
    [...bars].map(([symbol, series]) => [
      symbol,
      series.map((b, i) => {
        if (b.date <= cutoff) return b;
        const f = 0.6 + ((i * 7919) % 97) / 60; // 0.6 … 2.2, deterministic
        return {
          ...b,
          open: scale(b.open, f),
          high: scale(b.high, f),
          low: scale(b.low, f),
          close: scale(b.close, f),
        };
      }),
    ]),
  );
}

/** Wraps a strategy and records, per date, what it decided. */
function recorded(inner: Strategy): { strategy: Strategy; log: Map<string, string> } {
  const log = new Map<string, string>();
  return {
    log,
    strategy: {
      name: inner.name,
      params: inner.params,
      decide(ctx: StrategyContext): Decision | undefined {
        const decision = inner.decide(ctx);
        log.set(ctx.market.date, JSON.stringify(decision ?? null));
        return decision;
      },
    },
  };
}

describe('no look-ahead', () => {
  const crossover = () => movingAverageCrossover({ fast: 5, slow: 20, cashBuffer: 0.05 });
  const run = (bars: Map<string, DailyBar[]>, strategy: Strategy) =>
    runBacktest({ bars, benchmark, strategy, initialCash: '100000', riskLimits: generousLimits });

  it.each([40, 120, 200])('decisions up to bar %i do not change when every later bar is rewritten', (t) => {
    const cutoff = dates[t]!;
    const a = recorded(crossover());
    const b = recorded(crossover());
    const ra = run(original, a.strategy);
    const rb = run(rewriteFuture(original, cutoff), b.strategy);

    const upTo = (log: Map<string, string>) => [...log].filter(([d]) => d <= cutoff);
    expect(upTo(b.log)).toEqual(upTo(a.log));
    expect(upTo(a.log).some(([, d]) => d !== 'null')).toBe(true); // it did trade before the cutoff
    const ordersUpTo = (r: typeof ra) =>
      r.orders
        .filter((o) => o.decidedOn <= cutoff)
        .map((o) => [o.id, o.decidedOn, o.symbol, o.side, o.quantity, o.rejection]);
    expect(ordersUpTo(rb)).toEqual(ordersUpTo(ra));
    expect(rb.trades.filter((x) => x.date <= cutoff)).toEqual(ra.trades.filter((x) => x.date <= cutoff));
    expect(rb.equityCurve.filter((p) => p.date <= cutoff)).toEqual(
      ra.equityCurve.filter((p) => p.date <= cutoff),
    );
    // …and the rewritten future does change what happens after it.
    expect([...b.log].filter(([d]) => d > cutoff)).not.toEqual([...a.log].filter(([d]) => d > cutoff));
  });

  it('stops a strategy that asks for a later bar with look_ahead', () => {
    const peekIndex = scripted('peek_index', ({ market }) => {
      const h = market.history(companies[0]!.symbol);
      h.bar(h.length); // tomorrow
      return undefined;
    });
    const peekDate = scripted('peek_date', ({ market }) => {
      market.barOn(companies[0]!.symbol, dates[market.index + 1]!);
      return undefined;
    });
    for (const strategy of [peekIndex, peekDate]) {
      let error: unknown;
      try {
        run(original, strategy);
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(BacktestError);
      expect((error as BacktestError).code).toBe('look_ahead');
    }
  });

  it('exposes nothing dated after the bar being decided on', () => {
    const checked: number[] = [];
    const inspect = scripted('inspect', ({ market, portfolio }) => {
      const found = new Set<string>();
      const visit = (value: unknown, seen: Set<unknown>) => {
        if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}/.test(value)) found.add(value.slice(0, 10));
        if (value === null || typeof value !== 'object' || seen.has(value)) return;
        seen.add(value);
        for (const key of Reflect.ownKeys(value)) visit((value as Record<PropertyKey, unknown>)[key], seen);
      };
      const seen = new Set<unknown>();
      visit(market, seen);
      visit(portfolio, seen);
      for (const s of market.symbols) {
        const h = market.history(s);
        visit(h, seen);
        for (let i = 0; i < h.length; i++) visit(h.bar(i), seen);
        expect(h.close.length).toBe(h.length);
        expect(h.length).toBe(original.get(s)!.filter((b) => b.date <= market.date).length);
      }
      expect([...found].filter((d) => d > market.date)).toEqual([]);
      checked.push(market.index);
      return market.index % 20 === 0 ? { targets: { [market.symbols[0]!]: 0.2 } } : undefined;
    });
    const bars = new Map([...original].map(([s, series]) => [s, series.slice(0, 60)]));
    runBacktest({ bars, benchmark, strategy: inspect, initialCash: '100000' });
    expect(checked).toHaveLength(59);
  });

  it('gives the strategy copies of bars it cannot change', () => {
    const first = original.get(companies[0]!.symbol)![0]!;
    const tamper = scripted('tamper', ({ market }) => {
      const bar = market.history(companies[0]!.symbol).bar(0);
      expect(() => {
        (bar as { close: string }).close = '1';
      }).toThrow(TypeError);
      return undefined;
    });
    run(original, tamper);
    expect(first.close).not.toBe('1');
  });
});
