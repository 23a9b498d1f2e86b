import { type DailyBar, money } from '@stockpulse/domain';
import type { BenchmarkSeries } from './engine.js';

/**
 * An equal-weighted buy-and-hold index of the given symbols, for when no market index is in the
 * data: level 100 on the first date every symbol trades, then 100 × the mean of each close over its
 * first close, on the dates all symbols share. Exact decimals, 4 places.
 */
export function equalWeightIndex(
  bars: ReadonlyMap<string, readonly DailyBar[]>,
  symbol = 'EQUAL_WEIGHT',
): BenchmarkSeries {
  const series = [...bars.values()].filter((b) => b.length > 0);
  if (series.length === 0) return { symbol, bars: [] };
  const closes = series.map((s) => new Map(s.map((b) => [b.date, b.close])));
  const dates = [...closes[0]!.keys()].filter((d) => closes.every((c) => c.has(d))).sort();
  if (dates.length === 0) return { symbol, bars: [] };
  const base = closes.map((c) => money(c.get(dates[0]!)!));
  return {
    symbol,
    bars: dates.map((date) => ({
      date,
      close: closes
        .reduce((s, c, i) => s.plus(money(c.get(date)!).div(base[i]!)), money(0))
        .div(closes.length)
        .times(100)
        .toFixed(4),
    })),
  };
}
