import { rsi } from '@stockpulse/quant';
import { describe, expect, it } from 'vitest';
import {
  BacktestError,
  type BacktestResult,
  momentumRotation,
  movingAverageCrossover,
  rsiMeanReversion,
  runBacktest,
  type Strategy,
  strategyFromSpec,
  targetWeights,
} from '../src/index.js';
import { barsFromCloses, flatBenchmark, generousLimits } from './fixtures.js';

function backtest(series: Record<string, number[]>, strategy: Strategy): BacktestResult {
  const bars = new Map(Object.entries(series).map(([s, closes]) => [s, barsFromCloses(s, closes)]));
  const dates = [...bars.values()][0]!.map((b) => b.date);
  return runBacktest({
    bars,
    benchmark: flatBenchmark(dates),
    strategy,
    initialCash: '100000',
    riskLimits: generousLimits,
  });
}

const fills = (r: BacktestResult) => r.trades.map((t) => [t.date, t.symbol, t.side]);
const dateOf = (r: BacktestResult, i: number) => r.equityCurve[i]!.date;

describe('moving-average crossover', () => {
  // SMA(2) vs SMA(4): falls, turns up (fast above slow at bar 8), peaks, falls (at or below at bar 12).
  const closes = [10, 10, 10, 10, 9, 8, 7, 8, 10, 12, 14, 13, 11, 9, 7, 6];

  it('buys after the fast average rises above the slow one and sells when it falls back', () => {
    const r = backtest({ AAA: closes }, movingAverageCrossover({ fast: 2, slow: 4 }));
    expect(fills(r)).toEqual([
      [dateOf(r, 9), 'AAA', 'buy'],
      [dateOf(r, 13), 'AAA', 'sell'],
    ]);
    // (1 − 2% buffer) × 100,000 ÷ close 10 = 9,800 shares at the next open (10), sold at 11.
    expect(r.trades.map((t) => [t.quantity, t.price])).toEqual([
      ['9800', '10'],
      ['9800', '11'],
    ]);
    expect(r.summary.trades).toMatchObject({ closingTrades: 1, wins: 1, winRate: 1, realizedPnl: '9800.00' });
  });

  it('splits equity into equal slots and trades each symbol on its own signal', () => {
    const r = backtest(
      { AAA: closes, BBB: closes.map(() => 20) },
      movingAverageCrossover({ fast: 2, slow: 4 }),
    );
    expect(fills(r).map(([, s]) => s)).toEqual(['AAA', 'AAA']); // a flat BBB never has fast > slow
    expect(r.trades[0]!.quantity).toBe('4900');
  });

  it('validates its parameters', () => {
    expect(() => movingAverageCrossover({ fast: 50, slow: 20 })).toThrow(BacktestError);
    expect(() => movingAverageCrossover({ fast: 50, slow: 20 })).toThrow(/fast must be shorter than slow/);
  });
});

describe('RSI mean reversion', () => {
  const closes = [20, 20.5, 21, 20.6, 21.2, 20.4, 19.6, 18.8, 18.1, 17.5, 18.3, 19.2, 20.1, 20.6, 21, 21.3];

  it('buys when RSI closes below 30 and sells when it closes above 50', () => {
    const r = backtest({ AAA: closes }, rsiMeanReversion({ period: 3 }));
    const values = rsi(closes, 3);
    const entry = values.findIndex((v) => v < 30);
    const exit = values.findIndex((v, i) => i > entry && v > 50);
    expect(entry).toBeGreaterThan(0);
    expect(exit).toBeGreaterThan(entry);
    expect(fills(r)).toEqual([
      [dateOf(r, entry + 1), 'AAA', 'buy'],
      [dateOf(r, exit + 1), 'AAA', 'sell'],
    ]);
    const [buy, sell] = r.trades;
    const pnl = (Number(sell!.price) - Number(buy!.price)) * Number(buy!.quantity);
    expect(Number(r.summary.trades.realizedPnl)).toBeCloseTo(pnl, 2);
  });

  it('holds on to 70 when asked to', () => {
    const r = backtest({ AAA: closes }, rsiMeanReversion({ period: 3, exitAbove: 70 }));
    const values = rsi(closes, 3);
    const entry = values.findIndex((v) => v < 30);
    const exit = values.findIndex((v, i) => i > entry && v > 70);
    expect(fills(r).map(([d]) => d)).toEqual([dateOf(r, entry + 1), dateOf(r, exit + 1)]);
  });
});

describe('momentum rotation', () => {
  // 2024 sessions: 21 in January, 20 in February, 20 in March. AAA leads into February, BBB into March.
  const n = 61;
  const series = {
    AAA: Array.from({ length: n }, (_, i) => (i < 30 ? 50 + i : 80 - 2 * (i - 30))),
    BBB: Array.from({ length: n }, (_, i) => (i < 30 ? 50 : 50 + 2 * (i - 30))),
    CCC: Array.from({ length: n }, () => 40),
  };

  it('holds the top N by trailing return, rebalanced at the first close of each month', () => {
    const r = backtest(series, momentumRotation({ lookback: 10, topN: 1 }));
    const decided = r.orders.map((o) => [o.decidedOn, o.symbol, o.side]);
    expect(decided).toEqual([
      ['2024-02-01', 'AAA', 'buy'],
      ['2024-03-01', 'AAA', 'sell'],
      ['2024-03-01', 'BBB', 'buy'],
    ]);
    expect(r.rejections).toEqual([]);
    expect(r.positions.find((p) => p.symbol === 'BBB')!.quantity).not.toBe('0');
  });
});

describe('target-weight rebalancing', () => {
  const n = 61; // January to March 2024
  const series = {
    AAA: Array.from({ length: n }, (_, i) => 100 + i), // drifts up
    BBB: Array.from({ length: n }, () => 50),
  };

  it('buys into the weights, then rebalances at the first close of each month', () => {
    const r = backtest(series, targetWeights({ weights: { AAA: 0.6, BBB: 0.4 }, every: 'month' }));
    const decided = [...new Set(r.orders.map((o) => o.decidedOn))];
    expect(decided).toEqual(['2024-01-02', '2024-02-01', '2024-03-01']);
    // Rebalances trim the winner and top up the other.
    expect(r.orders.filter((o) => o.decidedOn === '2024-02-01').map((o) => [o.symbol, o.side])).toEqual([
      ['AAA', 'sell'],
      ['BBB', 'buy'],
    ]);
    // ⌊0.6 × 100,000 ÷ 100⌋ = 600 AAA and ⌊0.4 × 100,000 ÷ 50⌋ = 800 BBB, valued at the day-1 closes.
    expect(r.equityCurve[1]!.holdings).toBe((600 * 101 + 800 * 50).toFixed(2));
  });

  it('rebalances on drift alone with a threshold', () => {
    const closes = Array.from({ length: n }, (_, i) => 100 * 1.01 ** i);
    const r = backtest(
      { AAA: closes, BBB: series.BBB },
      targetWeights({ weights: { AAA: 0.5, BBB: 0.5 }, every: null, threshold: 0.05 }),
    );
    const aaaWeight = (i: number) => {
      const date = dateOf(r, i);
      const held = r.trades
        .filter((t) => t.symbol === 'AAA' && t.date <= date)
        .reduce((q, t) => q + (t.side === 'buy' ? 1 : -1) * Number(t.quantity), 0);
      return (held * Number(closes[i]!.toFixed(2))) / Number(r.equityCurve[i]!.equity);
    };
    const rebalances = [...new Set(r.orders.map((o) => o.decidedOn))].slice(1);
    expect(rebalances.length).toBeGreaterThan(0);
    for (let i = 1; i < n - 1; i++) {
      // A rebalance exactly when AAA is more than 5 points off its 50% target.
      expect(rebalances.includes(dateOf(r, i))).toBe(Math.abs(aaaWeight(i) - 0.5) > 0.05);
    }
    expect(() => targetWeights({ weights: { AAA: 0.7, BBB: 0.4 } })).toThrow(/sum to at most 1/);
  });
});

describe('strategyFromSpec', () => {
  it('builds a built-in from its name and parameters, or says what is wrong', () => {
    expect(strategyFromSpec({ name: 'momentum_rotation', params: { topN: 3 } }).params).toEqual({
      lookback: 126,
      skip: 0,
      topN: 3,
      cashBuffer: 0.02,
    });
    expect(() => strategyFromSpec({ name: 'nope' as 'ma_crossover' })).toThrow(/built-ins: ma_crossover/);
    expect(() => strategyFromSpec({ name: 'rsi_mean_reversion', params: { period: 1 } })).toThrow(
      BacktestError,
    );
  });
});
