import { type DailyBar, isTradingDay } from '@stockpulse/domain';
import type { BenchmarkSeries } from './engine.js';
import { BacktestError } from './errors.js';

const PRICE = /^\d+(\.\d+)?$/;

/** Check every series; returns the symbols, sorted. */
export function validateBars(bars: ReadonlyMap<string, readonly DailyBar[]>): string[] {
  if (bars.size === 0) throw new BacktestError('invalid_input', 'No bars given');
  const sessions = new Map<string, boolean>(); // symbols share dates: ask the calendar once per date
  const isSession = (date: string) => {
    if (!sessions.has(date)) sessions.set(date, isTradingDay(date));
    return sessions.get(date)!;
  };
  for (const [symbol, series] of bars) {
    let previous = '';
    for (const [i, b] of series.entries()) {
      const where = { symbol, index: i, date: b.date };
      const fail = (why: string) => {
        throw new BacktestError('invalid_input', `${symbol} bar ${i} (${b.date}): ${why}`, where);
      };
      if (b.symbol !== symbol) fail(`symbol ${b.symbol} in the series of ${symbol}`);
      if (!(b.date > previous)) fail('dates must be strictly ascending');
      if (!isSession(b.date)) fail('not an NYSE trading day');
      if (!(PRICE.test(b.open) && PRICE.test(b.high) && PRICE.test(b.low) && PRICE.test(b.close))) {
        fail('prices must be decimal strings');
      }
      const [o, h, l, c] = [Number(b.open), Number(b.high), Number(b.low), Number(b.close)];
      if (!(l > 0)) fail('prices must be positive');
      if (!(l <= o && l <= c && h >= o && h >= c)) fail('low ≤ open, close ≤ high does not hold');
      if (!(Number.isFinite(b.volume) && b.volume >= 0)) fail('volume must be a non-negative number');
      previous = b.date;
    }
  }
  return [...bars.keys()].sort();
}

export function validateBenchmark(benchmark: BenchmarkSeries): Map<string, string> {
  const closes = new Map<string, string>();
  let previous = '';
  for (const b of benchmark.bars) {
    if (!(b.date > previous) || !PRICE.test(b.close) || !(Number(b.close) > 0)) {
      throw new BacktestError(
        'invalid_input',
        `Benchmark ${benchmark.symbol} on ${b.date}: dates must ascend and closes be positive decimal strings`,
        { date: b.date },
      );
    }
    closes.set(b.date, b.close);
    previous = b.date;
  }
  return closes;
}
