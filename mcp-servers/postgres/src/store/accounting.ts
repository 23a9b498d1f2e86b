import { exchangeTime, type SimulatedFeed } from '@stockpulse/domain';
import { type AccountEvent, computePositions, type PositionReport } from '@stockpulse/quant';
import type { Ledger } from './ledger.js';

const MAX_LOTS = 50;

/**
 * Position accounting of an account by its own cost method (`accounts.cost_basis_method`, average
 * or FIFO): every execution, split and dividend the ledger recorded, replayed through
 * `@stockpulse/quant`'s `computePositions`, priced at the exchange's current price. Realized P&L is
 * net of fees (buy fees in the basis, sell fees off the proceeds).
 */
export async function positionAccounting(
  ledger: Ledger,
  feed: SimulatedFeed,
  userId: string,
  accountId?: string,
): Promise<PositionReport & { accountId: string }> {
  const account = await ledger.account(userId, accountId);
  const db = ledger.db;
  const executions = await db.query<{
    symbol: string;
    side: 'buy' | 'sell';
    quantity: string;
    price: string;
    commission: string;
    executed_at: Date;
  }>(
    // Fills at the same instant: buys before sells, so a sale never looks like a short.
    `SELECT symbol, side, quantity, price, commission, executed_at FROM executions WHERE account_id = $1
     ORDER BY executed_at, side = 'sell', id`,
    [account.id],
  );
  const actions = await db.query<{
    symbol: string;
    kind: 'dividend' | 'split';
    ex_date: string;
    pay_date: string | null;
    amount: string | null;
    ratio: string | null;
  }>(
    'SELECT symbol, kind, ex_date, pay_date, amount, ratio FROM corporate_action_applications WHERE account_id = $1 ORDER BY ex_date',
    [account.id],
  );
  const dated: Array<[string, AccountEvent]> = [
    ...executions.rows.map((e): [string, AccountEvent] => {
      const date = exchangeTime(e.executed_at).date;
      return [
        date,
        {
          type: e.side,
          date,
          symbol: e.symbol,
          quantity: e.quantity,
          price: e.price,
          commission: e.commission,
        },
      ];
    }),
    ...actions.rows.map((a): [string, AccountEvent] =>
      a.kind === 'split'
        ? [a.ex_date, { type: 'split', date: a.ex_date, symbol: a.symbol, from: 1, to: a.ratio! }]
        : [
            a.ex_date,
            {
              type: 'dividend',
              symbol: a.symbol,
              exDate: a.ex_date,
              payDate: a.pay_date!,
              amountPerShare: a.amount!,
            },
          ],
    ),
  ];
  // Date order; within a day the accounting applies splits and dividend entitlement before trades.
  dated.sort((a, b) => a[0].localeCompare(b[0]));
  const now = feed.clock.now();
  const symbols = [...new Set(executions.rows.map((e) => e.symbol))].filter((s) => feed.lists(s));
  const prices = Object.fromEntries(symbols.map((s) => [s, feed.quote(s, now).price]));
  const report = computePositions(
    dated.map(([, e]) => e),
    // As of today, or the last recorded event if the exchange's clock was moved back (demos, tests).
    {
      method: account.costBasisMethod,
      prices,
      asOf: [exchangeTime(now).date, ...dated.map(([d]) => d)].sort().at(-1)!,
    },
  );
  return {
    accountId: account.id,
    ...report,
    positions: report.positions.map((p) => ({
      ...p,
      openLots: p.openLots.slice(0, MAX_LOTS),
      closures: p.closures.slice(-MAX_LOTS),
    })),
  };
}
