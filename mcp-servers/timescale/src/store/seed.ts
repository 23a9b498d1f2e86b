import type { Logger } from '@stockpulse/core';
import { addDays, lastClosedTradingDay, loadUniverse, simulateDailyBars } from '@stockpulse/domain';
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
