import { randomUUID } from 'node:crypto';
import type { Database } from '@stockpulse/db';
import { migrate } from '@stockpulse/db';
import { testBackends } from '@stockpulse/db/testing';
import {
  companyBySymbol,
  DEMO_DEPOSIT,
  DEMO_HOLDINGS,
  DEMO_USER_ID,
  money,
  simulateDailyBars,
} from '@stockpulse/domain';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Ledger } from '../src/store/ledger.js';
import { LEDGER_MIGRATIONS } from '../src/store/migrations.js';
import { DEMO_ACCOUNT_ID, seedDemoPortfolio } from '../src/store/seed.js';

const sim = { seed: 2024, start: '2024-01-02' };

describe.each(testBackends('ledger'))('ledger on %s', (_kind, backend) => {
  let db: Database;
  let ledger: Ledger;
  beforeAll(async () => {
    db = await backend.open();
    await migrate(db, LEDGER_MIGRATIONS);
    ledger = new Ledger(db);
  });
  afterAll(async () => {
    await db.close();
    await backend.cleanup();
  });

  it('seeds the demo portfolio once: deposit, then buys at the first simulated close', async () => {
    expect(await seedDemoPortfolio(db, sim)).toBe(true);
    expect(await seedDemoPortfolio(db, sim)).toBe(false);
    const p = await ledger.portfolio(DEMO_USER_ID);
    const first = simulateDailyBars({
      ...sim,
      end: sim.start,
      companies: DEMO_HOLDINGS.map((h) => companyBySymbol(h.symbol)!),
    });
    const cost = DEMO_HOLDINGS.reduce(
      (s, h) => s.plus(money(h.quantity).times(first.get(h.symbol)![0]!.close)),
      money(0),
    );
    expect(p.account.id).toBe(DEMO_ACCOUNT_ID);
    expect(p.account.cash).toBe(money(DEMO_DEPOSIT).minus(cost).toFixed(2));
    expect(p.positions.map((x) => [x.symbol, x.quantity])).toEqual(
      [...DEMO_HOLDINGS].sort((a, b) => a.symbol.localeCompare(b.symbol)).map((h) => [h.symbol, h.quantity]),
    );
  });

  it('derives cash from ledger rows and keeps average cost on buys, realizing on sells', async () => {
    const userId = randomUUID();
    const accountId = randomUUID();
    await db.query('INSERT INTO accounts (id, user_id, name) VALUES ($1, $2, $3)', [
      accountId,
      userId,
      'Test',
    ]);
    await db.query(`INSERT INTO cash_ledger (account_id, kind, amount) VALUES ($1, 'deposit', '10000')`, [
      accountId,
    ]);
    const fill = (side: 'buy' | 'sell', quantity: string, price: string, commission = '0') =>
      db.transaction((tx) =>
        Ledger.recordExecution(tx, {
          id: randomUUID(),
          accountId,
          symbol: 'AAPL',
          side,
          quantity,
          price,
          commission,
          at: new Date(),
        }),
      );
    await fill('buy', '10', '100.00', '1.00');
    await fill('buy', '10', '110.00');
    await fill('sell', '5', '120.00');
    const [pos] = await ledger.positions(userId, accountId);
    expect(pos).toMatchObject({ symbol: 'AAPL', quantity: '15', averageCost: '105.05' });
    // 10000 - 1001 (incl. fee) - 1100 + 600
    expect((await ledger.account(userId)).cash).toBe('8499.00');
    const page1 = await ledger.cashTransactions(userId, accountId, { limit: 2 });
    expect(page1.items.map((i) => i.kind)).toEqual(['trade', 'trade']);
    const page2 = await ledger.cashTransactions(userId, accountId, {
      limit: 10,
      beforeId: Number(page1.nextCursor),
    });
    expect(page2.items.map((i) => i.kind)).toEqual(['fee', 'trade', 'deposit']);
    expect(page2.nextCursor).toBeNull();
  });

  it('never shows one user another user’s account', async () => {
    const stranger = randomUUID();
    expect(await ledger.accounts(stranger)).toEqual([]);
    await expect(ledger.portfolio(stranger, DEMO_ACCOUNT_ID)).rejects.toMatchObject({ code: 'not_found' });
    expect(await ledger.positions(stranger, DEMO_ACCOUNT_ID)).toEqual([]);
  });
});
