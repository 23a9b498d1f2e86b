import { AppError } from '@stockpulse/core';
import type { Database, Queryable } from '@stockpulse/db';
import { type Money, money } from '@stockpulse/domain';

export interface AccountSummary {
  id: string;
  name: string;
  baseCurrency: string;
  costBasisMethod: 'average' | 'fifo';
  cash: string;
}

export interface Position {
  symbol: string;
  quantity: string;
  averageCost: string;
  costBasis: string;
  openedAt: string;
}

export const CASH_KINDS = ['deposit', 'withdrawal', 'trade', 'fee', 'dividend', 'adjustment'] as const;
export type CashKind = (typeof CASH_KINDS)[number];

export interface CashBalance {
  balance: string;
  asOf: string;
  entries: number;
  byKind: Record<CashKind, string>;
  check: {
    recomputed: string;
    difference: string;
    consistent: boolean;
    executions: number;
    executionsWithoutCashRow: number;
    tradeRowsWithoutExecution: number;
  };
}

export interface Portfolio {
  account: AccountSummary;
  positions: Position[];
}

/**
 * Read and write the ledger for one user. Every method takes the acting user id and filters by it,
 * so no call can reach another user's rows.
 */
export class Ledger {
  constructor(readonly db: Database) {}

  async accounts(userId: string): Promise<AccountSummary[]> {
    const { rows } = await this.db.query<{
      id: string;
      name: string;
      base_currency: string;
      cost_basis_method: 'average' | 'fifo';
      cash: string;
    }>(
      `SELECT a.id, a.name, a.base_currency, a.cost_basis_method,
              COALESCE((SELECT sum(amount) FROM cash_ledger c WHERE c.account_id = a.id), 0)::numeric(20,4) AS cash
       FROM accounts a WHERE a.user_id = $1 ORDER BY a.created_at, a.id`,
      [userId],
    );
    return rows.map((r) => ({
      id: r.id,
      name: r.name,
      baseCurrency: r.base_currency,
      costBasisMethod: r.cost_basis_method,
      cash: money(r.cash).toFixed(2),
    }));
  }

  /** The account to use: the one named, or the user's first. Foreign ids read as not found. */
  async account(userId: string, accountId?: string): Promise<AccountSummary> {
    const all = await this.accounts(userId);
    const found = accountId ? all.find((a) => a.id === accountId) : all[0];
    if (!found) throw new AppError('not_found', accountId ? 'No such account' : 'You have no account yet');
    return found;
  }

  async positions(userId: string, accountId: string): Promise<Position[]> {
    const { rows } = await this.db.query<{
      symbol: string;
      quantity: string;
      average_cost: string;
      opened_at: Date;
    }>(
      `SELECT p.symbol, p.quantity, p.average_cost, p.opened_at FROM positions p
       JOIN accounts a ON a.id = p.account_id
       WHERE a.user_id = $1 AND p.account_id = $2 AND p.quantity <> 0 ORDER BY p.symbol`,
      [userId, accountId],
    );
    return rows.map((r) => ({
      symbol: r.symbol,
      quantity: money(r.quantity).toString(),
      averageCost: money(r.average_cost).toString(),
      costBasis: money(r.quantity).times(r.average_cost).toFixed(2),
      openedAt: r.opened_at.toISOString(),
    }));
  }

  async portfolio(userId: string, accountId?: string): Promise<Portfolio> {
    const account = await this.account(userId, accountId);
    return { account, positions: await this.positions(userId, account.id) };
  }

  async cashTransactions(userId: string, accountId: string, opts: { limit: number; beforeId?: number }) {
    const { rows } = await this.db.query<{
      id: number;
      at: Date;
      kind: string;
      amount: string;
      reference: string | null;
      memo: string | null;
    }>(
      `SELECT c.id, c.at, c.kind, c.amount, c.reference, c.memo FROM cash_ledger c
       JOIN accounts a ON a.id = c.account_id
       WHERE a.user_id = $1 AND c.account_id = $2 AND ($3::bigint IS NULL OR c.id < $3)
       ORDER BY c.id DESC LIMIT $4`,
      [userId, accountId, opts.beforeId ?? null, opts.limit + 1],
    );
    const page = rows.slice(0, opts.limit);
    return {
      items: page.map((r) => ({
        id: r.id,
        at: r.at.toISOString(),
        kind: r.kind,
        amount: money(r.amount).toFixed(2),
        reference: r.reference,
        memo: r.memo,
      })),
      nextCursor: rows.length > opts.limit ? String(page.at(-1)!.id) : null,
    };
  }

  /**
   * The cash balance as the sum of ledger rows (up to `asOf`), split by kind, checked against an
   * independent recomputation: non-trade rows plus the cash effect of every execution. A difference
   * means a trade or fee row is missing, duplicated or wrong.
   */
  async cashBalance(userId: string, accountId: string, asOf?: Date): Promise<CashBalance> {
    const at = asOf ?? null;
    const byKind = await this.db.query<{ kind: CashKind; total: string; n: number }>(
      `SELECT c.kind, sum(c.amount) AS total, count(*)::int AS n FROM cash_ledger c
       JOIN accounts a ON a.id = c.account_id
       WHERE a.user_id = $1 AND c.account_id = $2 AND ($3::timestamptz IS NULL OR c.at <= $3)
       GROUP BY c.kind`,
      [userId, accountId, at],
    );
    const trades = await this.db.query<{ flow: string; n: number; unbooked: number; orphaned: number }>(
      `SELECT
         COALESCE(sum(CASE e.side WHEN 'sell' THEN e.quantity * e.price ELSE -(e.quantity * e.price) END
                      - e.commission), 0) AS flow,
         count(*)::int AS n,
         count(*) FILTER (WHERE NOT EXISTS (SELECT 1 FROM cash_ledger c WHERE c.account_id = e.account_id
                                              AND c.kind = 'trade' AND c.reference = e.id::text))::int AS unbooked,
         (SELECT count(*)::int FROM cash_ledger c WHERE c.account_id = $2 AND c.kind IN ('trade', 'fee')
            AND ($3::timestamptz IS NULL OR c.at <= $3)
            AND NOT EXISTS (SELECT 1 FROM executions x WHERE x.id::text = c.reference)) AS orphaned
       FROM executions e JOIN accounts a ON a.id = e.account_id
       WHERE a.user_id = $1 AND e.account_id = $2 AND ($3::timestamptz IS NULL OR e.executed_at <= $3)`,
      [userId, accountId, at],
    );
    const kinds = Object.fromEntries(CASH_KINDS.map((k) => [k, money(0)])) as Record<CashKind, Money>;
    let entries = 0;
    for (const r of byKind.rows) {
      kinds[r.kind] = money(r.total);
      entries += r.n;
    }
    const balance = CASH_KINDS.reduce((s, k) => s.plus(kinds[k]), money(0));
    const t = trades.rows[0]!;
    const recomputed = CASH_KINDS.filter((k) => k !== 'trade' && k !== 'fee')
      .reduce((s, k) => s.plus(kinds[k]), money(0))
      .plus(t.flow);
    const difference = balance.minus(recomputed);
    return {
      balance: balance.toFixed(2),
      asOf: (asOf ?? new Date()).toISOString(),
      entries,
      byKind: Object.fromEntries(CASH_KINDS.map((k) => [k, kinds[k].toFixed(2)])) as Record<CashKind, string>,
      check: {
        recomputed: recomputed.toFixed(2),
        difference: difference.toFixed(4),
        // Ledger rows are booked at 4 decimal places; a fill of fractional shares may round.
        consistent: difference.abs().lt('0.005') && t.unbooked === 0 && t.orphaned === 0,
        executions: t.n,
        executionsWithoutCashRow: t.unbooked,
        tradeRowsWithoutExecution: t.orphaned,
      },
    };
  }

  /** Record a fill: the execution row, its cash movement and the position, in one transaction. */
  static async recordExecution(
    tx: Queryable,
    e: {
      id: string;
      accountId: string;
      orderId?: string;
      symbol: string;
      side: 'buy' | 'sell';
      quantity: string;
      price: string;
      commission?: string;
      at: Date;
    },
  ): Promise<void> {
    const qty = money(e.quantity);
    const gross = qty.times(e.price);
    const fee = money(e.commission ?? '0');
    await tx.query(
      `INSERT INTO executions (id, order_id, account_id, symbol, side, quantity, price, commission, executed_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [e.id, e.orderId ?? null, e.accountId, e.symbol, e.side, e.quantity, e.price, fee.toString(), e.at],
    );
    const cash = e.side === 'buy' ? gross.neg() : gross;
    await tx.query(
      `INSERT INTO cash_ledger (account_id, at, kind, amount, reference, memo) VALUES ($1, $2, 'trade', $3, $4, $5)`,
      [e.accountId, e.at, cash.toFixed(4), e.id, `${e.side} ${e.quantity} ${e.symbol} @ ${e.price}`],
    );
    if (!fee.isZero()) {
      await tx.query(
        `INSERT INTO cash_ledger (account_id, at, kind, amount, reference) VALUES ($1, $2, 'fee', $3, $4)`,
        [e.accountId, e.at, fee.neg().toFixed(4), e.id],
      );
    }
    const { rows } = await tx.query<{ quantity: string; average_cost: string }>(
      'SELECT quantity, average_cost FROM positions WHERE account_id = $1 AND symbol = $2 FOR UPDATE',
      [e.accountId, e.symbol],
    );
    const held = money(rows[0]?.quantity ?? '0');
    const signed = e.side === 'buy' ? qty : qty.neg();
    const next = held.plus(signed);
    // Average cost moves only when a position grows; selling realizes P&L at the existing average.
    const grows = held.isZero() || held.isPositive() === signed.isPositive();
    const avg = grows
      ? held
          .abs()
          .times(rows[0]?.average_cost ?? '0')
          .plus(gross)
          .plus(fee)
          .div(next.abs())
      : money(rows[0]!.average_cost);
    if (rows[0]) {
      await tx.query(
        'UPDATE positions SET quantity = $3, average_cost = $4, updated_at = $5 WHERE account_id = $1 AND symbol = $2',
        [
          e.accountId,
          e.symbol,
          next.toString(),
          next.isZero() ? '0' : avg.toDecimalPlaces(6).toString(),
          e.at,
        ],
      );
    } else {
      await tx.query(
        'INSERT INTO positions (account_id, symbol, quantity, average_cost, opened_at, updated_at) VALUES ($1, $2, $3, $4, $5, $5)',
        [e.accountId, e.symbol, next.toString(), avg.toDecimalPlaces(6).toString(), e.at],
      );
    }
  }
}
