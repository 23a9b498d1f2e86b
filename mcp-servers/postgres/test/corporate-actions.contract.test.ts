import { randomUUID } from 'node:crypto';
import type { Database } from '@stockpulse/db';
import { migrate } from '@stockpulse/db';
import { testBackends } from '@stockpulse/db/testing';
import {
  type CorporateAction,
  companyBySymbol,
  corporateActions,
  DEMO_DEPOSIT,
  DEMO_HOLDINGS,
  DEMO_USER_ID,
  money,
  simulateDailyBars,
} from '@stockpulse/domain';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ActionSource,
  corporateActionPass,
  simulatedActionSource,
} from '../src/corporate-actions/index.js';
import { Ledger } from '../src/store/ledger.js';
import { LEDGER_MIGRATIONS } from '../src/store/migrations.js';
import { DEMO_ACCOUNT_ID, seedDemoPortfolio } from '../src/store/seed.js';

const sim = { seed: 2024, start: '2024-01-02' };

// A hand-checked history for a made-up symbol (not in the universe, so the simulator has no actions for it): a dividend, a 3-for-1 split, then another dividend.
const TESTX: CorporateAction[] = [
  { symbol: 'TESTX', kind: 'dividend', exDate: '2024-03-06', payDate: '2024-03-20', amount: '0.25' },
  { symbol: 'TESTX', kind: 'split', exDate: '2024-03-11', ratio: 3, announcedOn: '2024-02-09' },
  { symbol: 'TESTX', kind: 'dividend', exDate: '2024-03-13', payDate: '2024-04-01', amount: '0.12' },
];
const testxSource: ActionSource = (symbol, through) =>
  symbol === 'TESTX' ? TESTX.filter((a) => a.exDate <= through) : [];

describe.each(testBackends('corporate_actions'))(
  'corporate actions in the ledger on %s',
  (_kind, backend) => {
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

    async function openAccount(deposit: string) {
      const userId = randomUUID();
      const accountId = randomUUID();
      await db.query('INSERT INTO accounts (id, user_id, name) VALUES ($1, $2, $3)', [
        accountId,
        userId,
        'Test',
      ]);
      await db.query(
        `INSERT INTO cash_ledger (account_id, at, kind, amount) VALUES ($1, $2, 'deposit', $3)`,
        [accountId, new Date('2024-03-01T15:00:00Z'), deposit],
      );
      const fill = (side: 'buy' | 'sell', quantity: string, price: string, at: string, commission = '0') =>
        db.transaction((tx) =>
          Ledger.recordExecution(tx, {
            id: randomUUID(),
            accountId,
            symbol: 'TESTX',
            side,
            quantity,
            price,
            commission,
            at: new Date(at),
          }),
        );
      return { userId, accountId, fill };
    }

    const dividendRows = (accountId: string) =>
      db.query<{ at: Date; amount: string; reference: string }>(
        `SELECT at, amount, reference FROM cash_ledger WHERE account_id = $1 AND kind = 'dividend' ORDER BY at`,
        [accountId],
      );

    it('books a dividend and applies a split on a small position (hand-checked)', async () => {
      const pass = corporateActionPass(db, testxSource);
      const { userId, accountId, fill } = await openAccount('10000');
      await fill('buy', '10', '100.00', '2024-03-04T15:00:00Z', '1.00'); // avg (1000 + 1) / 10 = 100.1
      // On the ex-date, after the open: not entitled to the 0.25 dividend.
      await fill('buy', '5', '102.00', '2024-03-06T15:00:00Z'); // avg 1511 / 15 = 100.733333

      // Monday 2024-03-11 before the 09:30 EDT open: nothing has taken effect yet.
      expect(await pass(new Date('2024-03-11T13:00:00Z'))).toEqual({ dividends: 0, splits: 0 });
      // After the open the split applies: 15 × 3 = 45 shares, same cost: 15 × 100.733333 / 45.
      expect(await pass(new Date('2024-03-11T14:00:00Z'))).toEqual({ dividends: 0, splits: 1 });
      expect((await ledger.positions(userId, accountId))[0]).toMatchObject({
        quantity: '45',
        averageCost: '33.577778',
      });

      await fill('sell', '20', '35.00', '2024-03-12T15:00:00Z'); // 25 left before the 03-13 ex-date
      // Both dividends paid by 2024-04-02: 10 (pre-split) × 0.25 = 2.50 and 25 × 0.12 = 3.00.
      expect(await pass(new Date('2024-04-02T14:00:00Z'))).toEqual({ dividends: 2, splits: 0 });
      const rows = (await dividendRows(accountId)).rows;
      expect(rows.map((r) => [r.at.toISOString(), money(r.amount).toFixed(2), r.reference])).toEqual([
        ['2024-03-20T13:30:00.000Z', '2.50', 'dividend:TESTX:2024-03-06'],
        ['2024-04-01T13:30:00.000Z', '3.00', 'dividend:TESTX:2024-03-13'],
      ]);
      // 10000 − 1001 − 510 + 700 + 2.50 + 3.00
      expect((await ledger.account(userId)).cash).toBe('9194.50');
      expect((await ledger.positions(userId, accountId))[0]).toMatchObject({ quantity: '25' });
      const balance = await ledger.cashBalance(userId, accountId);
      expect(balance.byKind.dividend).toBe('5.50');
      expect(balance.check.consistent).toBe(true);

      // Once per account and action: a second pass, or a fresh one (another replica), does nothing.
      expect(await pass(new Date('2024-04-02T14:00:00Z'))).toEqual({ dividends: 0, splits: 0 });
      expect(await corporateActionPass(db, testxSource)(new Date('2024-06-01T14:00:00Z'))).toEqual({
        dividends: 0,
        splits: 0,
      });
      expect((await dividendRows(accountId)).rows).toHaveLength(2);
    });

    it('catches up in one pass, counting each fill in the shares of its day', async () => {
      const { userId, accountId, fill } = await openAccount('10000');
      await fill('buy', '10', '100.00', '2024-03-04T15:00:00Z', '1.00');
      await fill('buy', '5', '102.00', '2024-03-06T15:00:00Z');
      expect(await corporateActionPass(db, testxSource)(new Date('2024-04-02T14:00:00Z'))).toEqual({
        dividends: 2,
        splits: 1,
      });
      // 10 × 0.25 and 45 × 0.12 = 5.40.
      expect((await dividendRows(accountId)).rows.map((r) => money(r.amount).toFixed(2))).toEqual([
        '2.50',
        '5.40',
      ]);
      expect((await ledger.positions(userId, accountId))[0]).toMatchObject({
        quantity: '45',
        averageCost: '33.577778',
      });
      expect((await ledger.account(userId)).cash).toBe(money('10000').minus('1511').plus('7.90').toFixed(2));
    });

    it('pays nobody who bought on or after the ex-date, and nothing to a position sold before it', async () => {
      const late = await openAccount('10000');
      await late.fill('buy', '10', '100.00', '2024-03-06T15:00:00Z');
      const sold = await openAccount('10000');
      await sold.fill('buy', '10', '100.00', '2024-03-04T15:00:00Z');
      await sold.fill('sell', '10', '101.00', '2024-03-05T15:00:00Z');
      await corporateActionPass(db, testxSource)(new Date('2024-03-21T14:00:00Z'));
      expect((await dividendRows(late.accountId)).rows).toEqual([]);
      expect((await dividendRows(sold.accountId)).rows).toEqual([]);
      // The late buyer still gets the split: 10 × 3.
      expect((await ledger.positions(late.userId, late.accountId))[0]).toMatchObject({
        quantity: '30',
        averageCost: '33.333333',
      });
    });

    it('pays the demo portfolio the dividends of its holdings, as the simulator declares them', async () => {
      expect(await seedDemoPortfolio(db, sim)).toBe(true);
      const companies = DEMO_HOLDINGS.map((h) => companyBySymbol(h.symbol)!);
      const pass = corporateActionPass(db, simulatedActionSource(sim));
      const at = new Date('2024-12-31T22:00:00Z'); // 17:00 New York, after the last 2024 session
      const applied = await pass(at);
      const actions = corporateActions({ ...sim, end: '2024-12-31', companies });
      expect(actions.filter((a) => a.kind === 'split')).toEqual([]);
      const paid = actions.filter(
        (a) => a.kind === 'dividend' && a.exDate > '2024-01-02' && a.payDate <= '2024-12-31',
      );
      expect(applied).toEqual({ dividends: paid.length, splits: 0 });
      expect(paid.some((a) => a.symbol === 'AMZN')).toBe(false);
      expect(new Set(paid.map((a) => a.symbol))).toEqual(
        new Set(['AAPL', 'MSFT', 'NVDA', 'JPM', 'XOM', 'GOOGL']),
      );

      const quantity = (symbol: string) => DEMO_HOLDINGS.find((h) => h.symbol === symbol)!.quantity;
      const rows = (await dividendRows(DEMO_ACCOUNT_ID)).rows;
      expect(rows.map((r) => [r.reference, money(r.amount).toFixed(4)]).sort()).toEqual(
        paid
          .map((a) => [
            `dividend:${a.symbol}:${a.exDate}`,
            money(quantity(a.symbol))
              .times(a.kind === 'dividend' ? a.amount : 0)
              .toFixed(4),
          ])
          .sort(),
      );

      // Cash: the deposit, less the opening purchases, plus those dividends.
      const first = simulateDailyBars({ ...sim, end: sim.start, companies });
      const cost = DEMO_HOLDINGS.reduce(
        (s, h) => s.plus(money(h.quantity).times(first.get(h.symbol)![0]!.close)),
        money(0),
      );
      const dividends = rows.reduce((s, r) => s.plus(r.amount), money(0));
      expect((await ledger.account(DEMO_USER_ID)).cash).toBe(
        money(DEMO_DEPOSIT).minus(cost).plus(dividends).toFixed(2),
      );
      // Quantities unchanged; later passes add only the dividends paid since.
      expect((await ledger.positions(DEMO_USER_ID, DEMO_ACCOUNT_ID)).map((p) => p.quantity)).toEqual(
        [...DEMO_HOLDINGS].sort((a, b) => a.symbol.localeCompare(b.symbol)).map((h) => h.quantity),
      );
      expect(await pass(at)).toEqual({ dividends: 0, splits: 0 });
      const later = await pass(new Date('2025-03-31T22:00:00Z'));
      const paidLater = corporateActions({ ...sim, end: '2025-03-31', companies }).filter(
        (a) => a.kind === 'dividend' && a.payDate > '2024-12-31' && a.payDate <= '2025-03-31',
      );
      expect(later).toEqual({ dividends: paidLater.length, splits: 0 });
    });
  },
);
