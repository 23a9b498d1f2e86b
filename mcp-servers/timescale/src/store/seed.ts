import type { Logger } from '@stockpulse/core';
import { addDays, lastClosedTradingDay, loadUniverse, simulateDailyBars } from '@stockpulse/domain';
import { sessionOpen, tradingDaysEndingAt } from '../calendar.js';
import { simulateMinuteBars } from './intraday.js';
import type { MarketStore } from './market.js';

/**
 * Load the universe and simulated daily bars up to the last closed session. Cheap when up to date:
 * only days after the newest stored bar are inserted, and the simulator's path for a day never
 * changes, so topping up continues the same history.
 */
export async function seedMarket(
  store: MarketStore,
  sim: { seed: number; start: string },
  logger: Logger,
  now = new Date(),
): Promise<number> {
  const universe = loadUniverse();
  await store.upsertSymbols(universe);
  const end = lastClosedTradingDay(now);
  const last = await store.lastBarDay();
  if (last && last >= end) return 0;
  const t0 = performance.now();
  const series = simulateDailyBars({ seed: sim.seed, start: sim.start, end, companies: universe });
  const from = last ? addDays(last, 1) : sim.start;
  const bars = [...series.values()].flatMap((s) => s.filter((b) => b.date >= from));
  const inserted = await store.insertBars(bars);
  logger.info({ inserted, from, to: end, ms: Math.round(performance.now() - t0) }, 'market data seeded');
  return inserted;
}

export interface IntradaySeedOptions {
  seed: number;
  /** Sessions of 1-minute bars to keep generated, ending at the last closed one. */
  sessions: number;
  /** How many symbols get intraday bars: `include` first, then the most traded by dollar volume. */
  symbols: number;
  include?: readonly string[];
  retentionDays: number;
}

/**
 * 1-minute bars for the chosen and the most traded symbols over the last few closed sessions,
 * derived from the stored daily bars (so they agree with them whatever their source) by the
 * deterministic intraday simulator. Only (symbol, session) pairs without minute bars are
 * generated; then bars older than the retention window are dropped.
 */
export async function seedIntraday(
  store: MarketStore,
  opts: IntradaySeedOptions,
  logger: Logger,
  now = new Date(),
): Promise<number> {
  const end = await store.lastBarDay();
  if (!end) return 0;
  const t0 = performance.now();
  const cutoff = new Date(now.getTime() - opts.retentionDays * 86_400_000);
  // Sessions retention would drop at once are not generated (daily data far behind `now`).
  const days = tradingDaysEndingAt(end, opts.sessions).filter((d) => sessionOpen(d) >= cutoff);
  const inserted = days.length > 0 ? await insertMissingSessions(store, opts, days) : 0;
  const retention = await store.dropMinuteBarsBefore(cutoff);
  if (inserted > 0 || retention.dropped > 0) {
    const ms = Math.round(performance.now() - t0);
    logger.info({ inserted, sessions: days, retention, ms }, 'intraday bars seeded');
  }
  return inserted;
}

async function insertMissingSessions(
  store: MarketStore,
  opts: IntradaySeedOptions,
  days: readonly string[],
): Promise<number> {
  const [first, last] = [days[0]!, days.at(-1)!];
  // `include` first, then the most traded by average dollar volume over the last 20 sessions.
  const mostTraded = await store.mostTradedSymbols(opts.symbols, tradingDaysEndingAt(last, 21)[0]!, last);
  const symbols = [...new Set([...(opts.include ?? []), ...mostTraded])].slice(0, opts.symbols);
  const have = await store.minuteSessions(sessionOpen(first));
  const missing = (await store.dailyBarsBetween(symbols, first, last)).filter(
    (b) => !have.has(`${b.symbol}|${b.date}`),
  );
  let inserted = 0;
  // A session at a time keeps memory flat (50 symbols × 390 minutes per batch).
  for (const day of days) {
    const bars = missing.filter((b) => b.date === day).flatMap((b) => simulateMinuteBars(b, opts.seed));
    if (bars.length > 0) inserted += await store.insertMinuteBars(bars);
  }
  return inserted;
}
