import { createHash } from 'node:crypto';
import type { Database } from '@stockpulse/db';
import {
  companyBySymbol,
  DEMO_DEPOSIT,
  DEMO_HOLDINGS,
  DEMO_USER_ID,
  simulateDailyBars,
  tradingDays,
} from '@stockpulse/domain';
import { Ledger } from './ledger.js';

/** Stable ids derived from a name, so re-seeding finds what an earlier seed wrote. */
export function stableUuid(name: string): string {
  const h = createHash('sha256').update(name).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export const DEMO_ACCOUNT_ID = stableUuid('stockpulse:demo:account');

/**
 * The demo portfolio: a deposit on the simulation's first trading day, then the opening purchases at
 * that day's simulated close. Idempotent: does nothing once the demo account exists.
 */
export async function seedDemoPortfolio(
  db: Database,
  sim: { seed: number; start: string },
): Promise<boolean> {
  const exists = await db.query('SELECT 1 FROM accounts WHERE id = $1', [DEMO_ACCOUNT_ID]);
  if (exists.rows.length > 0) return false;
  const firstDay = tradingDays(sim.start, `${Number(sim.start.slice(0, 4)) + 1}-12-31`)[0]!;
  const companies = DEMO_HOLDINGS.map((h) => companyBySymbol(h.symbol)!);
  const bars = simulateDailyBars({ seed: sim.seed, start: sim.start, end: firstDay, companies });
  const at = new Date(`${firstDay}T21:00:00Z`); // the 16:00 New York close
  await db.transaction(async (tx) => {
    await tx.query('INSERT INTO accounts (id, user_id, name) VALUES ($1, $2, $3)', [
      DEMO_ACCOUNT_ID,
      DEMO_USER_ID,
      'Demo paper account',
    ]);
    await tx.query(
      `INSERT INTO cash_ledger (account_id, at, kind, amount, memo) VALUES ($1, $2, 'deposit', $3, 'Opening deposit')`,
      [DEMO_ACCOUNT_ID, new Date(`${firstDay}T14:00:00Z`), DEMO_DEPOSIT],
    );
    for (const h of DEMO_HOLDINGS) {
      await Ledger.recordExecution(tx, {
        id: stableUuid(`stockpulse:demo:execution:${h.symbol}`),
        accountId: DEMO_ACCOUNT_ID,
        symbol: h.symbol,
        side: 'buy',
        quantity: h.quantity,
        price: bars.get(h.symbol)![0]!.close,
        at,
      });
    }
  });
  return true;
}
