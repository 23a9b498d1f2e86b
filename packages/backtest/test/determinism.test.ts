import { loadUniverse, simulateDailyBars } from '@stockpulse/domain';
import { describe, expect, it } from 'vitest';
import { canonicalJson, momentumRotation, movingAverageCrossover, runBacktest } from '../src/index.js';
import { generousLimits } from './fixtures.js';

const companies = loadUniverse().slice(0, 6);
const bars = simulateDailyBars({ seed: 3, start: '2022-01-03', end: '2023-12-29', companies });
const benchmark = {
  symbol: 'EW6',
  bars: [...bars.values()][0]!.map((b, i) => ({
    date: b.date,
    close: ([...bars.values()].reduce((s, series) => s + Number(series[i]!.close), 0) / 6).toFixed(2),
  })),
};
const inputs = (strategy = movingAverageCrossover({ fast: 10, slow: 40 })) => ({
  bars,
  benchmark,
  strategy,
  initialCash: '250000',
  commission: { kind: 'per_share', perShare: '0.005', minimum: '1', maxPercentOfNotional: '0.01' } as const,
  slippage: { kind: 'fixed_bps', bps: '5' } as const,
  riskLimits: generousLimits,
  riskFreeRate: 0.03,
});

describe('determinism and identity', () => {
  it('gives byte-identical JSON for the same run twice', () => {
    for (const make of [
      () => movingAverageCrossover({ fast: 10, slow: 40 }),
      () => momentumRotation({ lookback: 60, topN: 2 }),
    ]) {
      const a = JSON.stringify(runBacktest(inputs(make())));
      const b = JSON.stringify(runBacktest(inputs(make())));
      expect(a).toBe(b);
      expect(JSON.parse(a).trades.length).toBeGreaterThan(0);
    }
  });

  it('hashes the inputs: the same inputs the same hash, any change a new one', () => {
    const base = runBacktest(inputs()).inputHash;
    expect(base).toMatch(/^[0-9a-f]{64}$/);
    expect(runBacktest(inputs()).inputHash).toBe(base);
    expect(runBacktest(inputs(movingAverageCrossover({ fast: 11, slow: 40 }))).inputHash).not.toBe(base);
    expect(runBacktest({ ...inputs(), initialCash: '250001' }).inputHash).not.toBe(base);
    const edited = new Map(bars);
    const series = [...edited.get(companies[0]!.symbol)!];
    series[100] = { ...series[100]!, volume: series[100]!.volume + 1 };
    edited.set(companies[0]!.symbol, series);
    expect(runBacktest({ ...inputs(), bars: edited }).inputHash).not.toBe(base);
  });

  it('records the parameters it used, defaults filled in', () => {
    const r = runBacktest(inputs());
    expect(r.strategy).toEqual({ name: 'ma_crossover', params: { fast: 10, slow: 40, cashBuffer: 0.02 } });
    expect(r.options.riskLimits).toEqual({
      maxPositionWeight: '1',
      maxOrderNotional: '100000000',
      priceCollarPct: '0.10',
      dailyLossLimitPct: '0.05',
    });
    expect(r.options).toMatchObject({ participationRate: '0.1', allowShort: false, costMethod: 'fifo' });
  });

  it('serializes to JSON without loss (no NaN, undefined or Decimal objects)', () => {
    const r = runBacktest(inputs());
    expect(JSON.parse(JSON.stringify(r))).toStrictEqual(r);
    expect(canonicalJson({ b: 1, a: { d: [2, { f: 1, e: 0 }], c: null } })).toBe(
      '{"a":{"c":null,"d":[2,{"e":0,"f":1}]},"b":1}',
    );
  });
});
