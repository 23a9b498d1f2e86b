import type { OrderStatus } from '@stockpulse/broker';
import { AppError } from '@stockpulse/core';
import type { Database, Queryable } from '@stockpulse/db';
import { money } from '@stockpulse/domain';
import { decodeCursor, fromMicros, micros, page } from './cursor.js';

// The broker's order states, one definition for the ledger and the broker.
export { ORDER_STATUSES, type OrderStatus } from '@stockpulse/broker';

export interface Order {
  id: string;
  accountId: string;
  clientOrderId: string;
  symbol: string;
  side: 'buy' | 'sell';
  type: string;
  /** Null for a notional (dollar-amount) order. */
  quantity: string | null;
  notional: string | null;
  limitPrice: string | null;
  stopPrice: string | null;
  timeInForce: string;
  status: string;
  filledQuantity: string;
  createdAt: string;
  updatedAt: string;
  expiresAt: string | null;
}

export interface OrderTransition {
  from: string;
  to: string;
  at: string;
  reason: string;
}

export interface Trade {
  id: string;
  orderId: string | null;
  accountId: string;
  symbol: string;
  side: 'buy' | 'sell';
  quantity: string;
  price: string;
  commission: string;
  /** quantity × price, before commission. */
  grossAmount: string;
  /** Cash effect: −(gross + commission) for a buy, gross − commission for a sell. */
  netCashFlow: string;
  executedAt: string;
}

interface OrderRow {
  id: string;
  account_id: string;
  client_order_id: string;
  symbol: string;
  side: 'buy' | 'sell';
  type: string;
  quantity: string | null;
  notional: string | null;
  expires_at: Date | null;
  limit_price: string | null;
  stop_price: string | null;
  time_in_force: string;
  status: string;
  filled_quantity: string;
  created_at: Date;
  updated_at: Date;
  at_us: number;
}

interface TradeRow {
  id: string;
  order_id: string | null;
  account_id: string;
  symbol: string;
  side: 'buy' | 'sell';
  quantity: string;
  price: string;
  commission: string;
  executed_at: Date;
  at_us: number;
}

const ORDER_COLUMNS = `o.id, o.account_id, o.client_order_id, o.symbol, o.side, o.type, o.quantity, o.notional,
  o.limit_price, o.stop_price, o.time_in_force, o.status, o.filled_quantity, o.created_at, o.updated_at,
  o.expires_at, ${micros('o.created_at')} AS at_us`;
const TRADE_COLUMNS = `e.id, e.order_id, e.account_id, e.symbol, e.side, e.quantity, e.price, e.commission,
  e.executed_at, ${micros('e.executed_at')} AS at_us`;

const decimal = (v: string) => money(v).toString();
const decimalOrNull = (v: string | null) => (v === null ? null : decimal(v));

function toOrder(r: OrderRow): Order {
  return {
    id: r.id,
    accountId: r.account_id,
    clientOrderId: r.client_order_id,
    symbol: r.symbol,
    side: r.side,
    type: r.type,
    quantity: decimalOrNull(r.quantity),
    notional: decimalOrNull(r.notional),
    limitPrice: decimalOrNull(r.limit_price),
    stopPrice: decimalOrNull(r.stop_price),
    timeInForce: r.time_in_force,
    status: r.status,
    filledQuantity: decimal(r.filled_quantity),
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
    expiresAt: r.expires_at ? r.expires_at.toISOString() : null,
  };
}

function toTrade(r: TradeRow): Trade {
  const gross = money(r.quantity).times(r.price);
  const fee = money(r.commission);
  return {
    id: r.id,
    orderId: r.order_id,
    accountId: r.account_id,
    symbol: r.symbol,
    side: r.side,
    quantity: decimal(r.quantity),
    price: decimal(r.price),
    commission: fee.toFixed(2),
    grossAmount: gross.toFixed(2),
    netCashFlow: (r.side === 'buy' ? gross.plus(fee).neg() : gross.minus(fee)).toFixed(2),
    executedAt: r.executed_at.toISOString(),
  };
}

/** Orders and their executions (trades), read for one user; every query joins through account ownership. */
export class Orders {
  constructor(readonly db: Database) {}

  async list(
    userId: string,
    accountId: string,
    opts: { statuses?: readonly string[]; symbol?: string; limit: number; cursor?: string },
  ) {
    const after = decodeCursor(opts.cursor);
    const { rows } = await this.db.query<OrderRow>(
      `SELECT ${ORDER_COLUMNS} FROM orders o JOIN accounts a ON a.id = o.account_id
       WHERE a.user_id = $1 AND o.account_id = $2
         AND ($3::json IS NULL OR o.status IN (SELECT json_array_elements_text($3::json)))
         AND ($4::text IS NULL OR o.symbol = $4)
         AND ($5::int8 IS NULL OR (o.created_at, o.id) < (${fromMicros('$5')}, $6::uuid))
       ORDER BY o.created_at DESC, o.id DESC LIMIT $7`,
      [
        userId,
        accountId,
        opts.statuses?.length ? JSON.stringify(opts.statuses) : null,
        opts.symbol ?? null,
        after?.atMicros ?? null,
        after?.id ?? null,
        opts.limit + 1,
      ],
    );
    return page(rows, opts.limit, (r) => ({ atMicros: r.at_us, id: r.id }), toOrder);
  }

  /** One order with its fills (at most `maxFills`, oldest first). Another user's order is not found. */
  async get(userId: string, orderId: string, maxFills = 200) {
    const { rows } = await this.db.query<OrderRow>(
      `SELECT ${ORDER_COLUMNS} FROM orders o JOIN accounts a ON a.id = o.account_id
       WHERE a.user_id = $1 AND o.id = $2`,
      [userId, orderId],
    );
    if (!rows[0]) throw new AppError('not_found', 'No such order');
    const fills = await this.db.query<TradeRow>(
      `SELECT ${TRADE_COLUMNS} FROM executions e WHERE e.order_id = $1 AND e.account_id = $2
       ORDER BY e.executed_at, e.id LIMIT $3`,
      [orderId, rows[0].account_id, maxFills + 1],
    );
    const executions = fills.rows.slice(0, maxFills).map(toTrade);
    const events = await this.db.query<{ from_status: string; to_status: string; at: Date; reason: string }>(
      'SELECT from_status, to_status, at, reason FROM order_events WHERE order_id = $1 ORDER BY seq',
      [orderId],
    );
    const filled = executions.reduce((s, e) => s.plus(e.quantity), money(0));
    const notional = executions.reduce((s, e) => s.plus(money(e.quantity).times(e.price)), money(0));
    return {
      order: toOrder(rows[0]),
      averageFillPrice: filled.isZero() ? null : notional.div(filled).toDecimalPlaces(6).toString(),
      executions,
      executionsTruncated: fills.rows.length > maxFills,
      transitions: events.rows.map((e) => ({
        from: e.from_status,
        to: e.to_status,
        at: e.at.toISOString(),
        reason: e.reason,
      })),
    };
  }

  async trades(
    userId: string,
    accountId: string,
    opts: {
      from?: string;
      to?: string;
      symbol?: string;
      side?: 'buy' | 'sell';
      limit: number;
      cursor?: string;
    },
  ) {
    const after = decodeCursor(opts.cursor);
    const { rows } = await this.db.query<TradeRow>(
      `SELECT ${TRADE_COLUMNS} FROM executions e JOIN accounts a ON a.id = e.account_id
       WHERE a.user_id = $1 AND e.account_id = $2
         AND ($3::timestamptz IS NULL OR e.executed_at >= $3)
         AND ($4::timestamptz IS NULL OR e.executed_at < $4)
         AND ($5::text IS NULL OR e.symbol = $5)
         AND ($6::text IS NULL OR e.side = $6)
         AND ($7::int8 IS NULL OR (e.executed_at, e.id) < (${fromMicros('$7')}, $8::uuid))
       ORDER BY e.executed_at DESC, e.id DESC LIMIT $9`,
      [
        userId,
        accountId,
        opts.from ?? null,
        opts.to ?? null,
        opts.symbol ?? null,
        opts.side ?? null,
        after?.atMicros ?? null,
        after?.id ?? null,
        opts.limit + 1,
      ],
    );
    return page(rows, opts.limit, (r) => ({ atMicros: r.at_us, id: r.id }), toTrade);
  }

  /** Store an order as the broker reports it (the paper broker of issue 5 writes through this). */
  static async recordOrder(
    tx: Queryable,
    o: {
      id: string;
      accountId: string;
      clientOrderId: string;
      symbol: string;
      side: 'buy' | 'sell';
      type: string;
      quantity: string;
      limitPrice?: string;
      stopPrice?: string;
      timeInForce?: string;
      status: OrderStatus;
      filledQuantity?: string;
      at: Date;
    },
  ): Promise<void> {
    await tx.query(
      `INSERT INTO orders (id, account_id, client_order_id, symbol, side, type, quantity, limit_price,
         stop_price, time_in_force, status, filled_quantity, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13)`,
      [
        o.id,
        o.accountId,
        o.clientOrderId,
        o.symbol,
        o.side,
        o.type,
        o.quantity,
        o.limitPrice ?? null,
        o.stopPrice ?? null,
        o.timeInForce ?? 'day',
        o.status,
        o.filledQuantity ?? '0',
        o.at,
      ],
    );
  }
}
