import type { DailyBar } from '@stockpulse/domain';
import { tradingDays } from '@stockpulse/domain';
import type { BenchmarkSeries, Decision, Strategy, StrategyContext } from '../src/index.js';

/** NYSE sessions from 2024-01-02 on, as many as asked. */
export function sessions(count: number, from = '2024-01-02'): string[] {
  const days = tradingDays(from, '2026-12-31').slice(0, count);
  if (days.length < count) throw new Error('not enough sessions');
  return days;
}

/**
 * Bars from closes: each opens at the previous close (the first at its own close), high/low the
 * wider of open and close ± `range`, a fixed volume.
 */
export function barsFromCloses(symbol: string, closes: readonly number[], from = '2024-01-02'): DailyBar[] {
  const dates = sessions(closes.length, from);
  return closes.map((close, i) => {
    const open = i === 0 ? close : closes[i - 1]!;
    return {
      symbol,
      date: dates[i]!,
      open: open.toFixed(2),
      high: (Math.max(open, close) + 0.1).toFixed(2),
      low: (Math.min(open, close) - 0.1).toFixed(2),
      close: close.toFixed(2),
      volume: 1_000_000,
    };
  });
}

export function flatBenchmark(dates: readonly string[], symbol = 'BENCH'): BenchmarkSeries {
  return { symbol, bars: dates.map((date, i) => ({ date, close: (100 + (i % 3)).toFixed(2) })) };
}

export const generousLimits = { maxPositionWeight: '1', maxOrderNotional: '100000000' };

/** A strategy from a function of the context, named for the hash. */
export function scripted(name: string, decide: (ctx: StrategyContext) => Decision | undefined): Strategy {
  return { name, params: {}, decide };
}
