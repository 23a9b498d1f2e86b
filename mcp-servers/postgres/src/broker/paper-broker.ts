import { randomUUID } from 'node:crypto';
import {
  type AccountSnapshot,
  assertRiskPassed,
  BrokerError,
  cancelOrder,
  checkRisk,
  createOrder,
  DEFAULT_MATCHING,
  DEFAULT_RISK_LIMITS,
  expireIfDue,
  type Fill,
  isOpen,
  issueConfirmation,
  type MatchingOptions,
  markReplaced,
  matchOrder,
  OPEN_STATUSES,
  type Order,
  type OrderChanges,
  type OrderRequestInput,
  type PreviewResult,
  parseOrderRequest,
  previewOrder,
  type Quote,
  type RiskLimits,
  replacementRequest,
  reservationFor,
  resolveClientOrderId,
  transition,
  verifyConfirmation,
} from '@stockpulse/broker';
import { AppError, type Logger } from '@stockpulse/core';
import type { Database, Queryable } from '@stockpulse/db';
import { exchangeInstant, money, type SimulatedFeed } from '@stockpulse/domain';
import { Ledger } from '../store/ledger.js';

export interface PaperBrokerOptions {
  feed: SimulatedFeed;
  /** Signs confirmation tokens (≥ 32 bytes). */
  confirmationSecret: string;
  limits?: Partial<RiskLimits>;
  matching?: Partial<MatchingOptions>;
  logger?: Logger;
}

interface OrderRow {
  state: Order | null;
  processed_at: Date | null;
}

const OPEN = OPEN_STATUSES;

/** Broker errors keep their machine code on the MCP boundary; the rule numbers stay in details. */
function appError(e: unknown): unknown {
  if (e instanceof BrokerError) {
    return new AppError(e.appCode, e.message, { brokerCode: e.code, ...(e.details ?? {}) });
  }
  return e;
}

/**
 * The paper broker over the ledger: orders (with every state transition) in `orders` and
 * `order_events`, fills through `Ledger.recordExecution` (execution, cash rows and position in one
 * transaction). Prices come from the simulated exchange's feed: market orders fill on the current
 * tick, resting orders on the ticks the matcher replays every second, day orders expire at the
 * close. Callers check the account belongs to the user first; this class trusts the account id.
 */
export class PaperBroker {
  private readonly limits: RiskLimits;
  private readonly matching: MatchingOptions;

  constructor(
    private readonly db: Database,
    private readonly opts: PaperBrokerOptions,
  ) {
    this.limits = { ...DEFAULT_RISK_LIMITS, ...opts.limits };
    this.matching = { ...DEFAULT_MATCHING, ...opts.matching };
  }

  get feed(): SimulatedFeed {
    return this.opts.feed;
  }

  /** What the order would do now, its risk checks, and (only if they pass) a confirmation token. */
  async preview(accountId: string, input: OrderRequestInput, replaces?: string): Promise<PreviewResult> {
    try {
      const request = parseOrderRequest(input);
      const quote = this.quote(request.symbol);
      const account = await this.snapshot(this.db, accountId, replaces);
      const preview = previewOrder({ request, account, quote, limits: this.limits, models: this.matching });
      const confirmation = preview.risk.passed
        ? await issueConfirmation(accountId, request, {
            secret: this.opts.confirmationSecret,
            now: new Date(),
            ...(replaces ? { replaces } : {}),
          })
        : null;
      return { ...preview, confirmation };
    } catch (e) {
      throw appError(e);
    }
  }

  /**
   * Place a confirmed order: the token must be for exactly this request and unused; risk is checked
   * again on fresh state under the account lock. Resending the same clientOrderId returns the
   * stored order (idempotent) without using the token twice.
   */
  async place(accountId: string, input: OrderRequestInput, confirmationToken: string): Promise<Order> {
    try {
      const request = parseOrderRequest(input);
      const { jti } = await verifyConfirmation(
        confirmationToken,
        request,
        accountId,
        this.opts.confirmationSecret,
      );
      const order = await this.db.transaction(async (tx) => {
        await tx.query('SELECT id FROM accounts WHERE id = $1 FOR UPDATE', [accountId]);
        const stored = await this.byClientOrderId(tx, accountId, request.clientOrderId);
        const resolved = resolveClientOrderId(stored, request);
        if (resolved.kind === 'replay') return resolved.order;
        await this.useConfirmation(tx, jti, accountId);
        return this.accept(tx, accountId, request);
      });
      return isOpen(order) ? await this.matchNow(order.id) : order;
    } catch (e) {
      throw appError(e);
    }
  }

  async cancel(accountId: string, orderId: string): Promise<Order> {
    try {
      return await this.db.transaction(async (tx) => {
        const order = await this.lockOrder(tx, accountId, orderId);
        const canceled = cancelOrder(order, this.now(), 'canceled by the account holder');
        await this.save(tx, canceled, order.transitions.length);
        return canceled;
      });
    } catch (e) {
      throw appError(e);
    }
  }

  /** Preview a cancel-replace: the replacement is checked as if the old order were gone. */
  async previewReplace(accountId: string, orderId: string, changes: OrderChanges): Promise<PreviewResult> {
    try {
      const order = await this.getOrder(accountId, orderId);
      return await this.preview(accountId, replacementRequest(order, changes), orderId);
    } catch (e) {
      throw appError(e);
    }
  }

  async replace(
    accountId: string,
    orderId: string,
    changes: OrderChanges,
    confirmationToken: string,
  ): Promise<Order> {
    try {
      const replacement = await this.db.transaction(async (tx) => {
        await tx.query('SELECT id FROM accounts WHERE id = $1 FOR UPDATE', [accountId]);
        const old = await this.lockOrder(tx, accountId, orderId);
        const request = replacementRequest(old, changes);
        const { jti } = await verifyConfirmation(
          confirmationToken,
          request,
          accountId,
          this.opts.confirmationSecret,
          {
            replaces: orderId,
          },
        );
        await this.useConfirmation(tx, jti, accountId);
        const now = this.now();
        if (!isOpen(old)) throw new BrokerError('not_cancelable', `Order ${orderId} is ${old.status}`);
        const fresh = await this.accept(tx, accountId, request, orderId);
        await this.save(tx, markReplaced(old, fresh.id, now), old.transitions.length);
        return fresh;
      });
      return isOpen(replacement) ? await this.matchNow(replacement.id) : replacement;
    } catch (e) {
      throw appError(e);
    }
  }

  async getOrder(accountId: string, orderId: string): Promise<Order> {
    const { rows } = await this.db.query<OrderRow>(
      'SELECT state FROM orders WHERE id = $1 AND account_id = $2',
      [orderId, accountId],
    );
    if (!rows[0]?.state) throw new AppError('not_found', 'No such order');
    return rows[0].state;
  }

  /**
   * One pass of the matcher: every working order replays the feed's ticks since it was last
   * processed (bounded per pass) and is expired once past its expiry. Each order is locked and saved
   * in its own transaction, so a crash loses at most the pass in flight and never double-fills.
   */
  async matchOpenOrders(now: Date = this.opts.feed.clock.now()): Promise<number> {
    const { rows } = await this.db.query<{ id: string }>(
      `SELECT id FROM orders WHERE status = ANY($1::text[]) AND state IS NOT NULL ORDER BY created_at`,
      [OPEN],
    );
    let fills = 0;
    for (const { id } of rows) {
      try {
        fills += await this.db.transaction((tx) => this.advance(tx, id, now));
      } catch (err) {
        this.opts.logger?.warn({ err, orderId: id }, 'matching an order failed');
      }
    }
    return fills;
  }

  // --- internals ---------------------------------------------------------------------------------

  /** Order times are market times: the exchange's clock, shifted or accelerated in demos and tests. */
  private now(): string {
    return this.opts.feed.clock.now().toISOString();
  }

  private quote(symbol: string): Quote {
    if (!this.opts.feed.lists(symbol)) throw new AppError('unknown_symbol', `Unknown symbol: ${symbol}`);
    const q = this.opts.feed.quote(symbol);
    return { symbol: q.symbol, price: q.price, at: q.at };
  }

  private async accept(
    tx: Queryable,
    accountId: string,
    request: ReturnType<typeof parseOrderRequest>,
    replaces?: string,
  ) {
    const at = this.now();
    let order = createOrder(request, { id: randomUUID(), accountId, at, ...(replaces ? { replaces } : {}) });
    const risk = checkRisk({
      request,
      account: await this.snapshot(tx, accountId, replaces),
      quote: this.quote(request.symbol),
      limits: this.limits,
      models: this.matching,
    });
    try {
      assertRiskPassed(risk);
      order = transition(order, 'accepted', at, 'passed pre-trade risk checks');
    } catch (e) {
      if (!(e instanceof BrokerError)) throw e;
      // The market or the account moved since the preview: the order is stored as rejected, with why.
      order = transition(order, 'rejected', at, e.message);
    }
    await this.insert(tx, order);
    return order;
  }

  /** Give a just-placed order the current tick (market orders fill at once while the market is open). */
  private async matchNow(orderId: string): Promise<Order> {
    const now = this.opts.feed.clock.now();
    return this.db.transaction(async (tx) => {
      await this.advance(tx, orderId, now, true);
      const { rows } = await tx.query<OrderRow>('SELECT state FROM orders WHERE id = $1', [orderId]);
      return rows[0]!.state!;
    });
  }

  private async advance(tx: Queryable, orderId: string, now: Date, includeNow = false): Promise<number> {
    const { rows } = await tx.query<OrderRow>(
      'SELECT state, processed_at FROM orders WHERE id = $1 FOR UPDATE',
      [orderId],
    );
    const row = rows[0];
    if (!row?.state || !isOpen(row.state)) return 0;
    let order = row.state;
    const storedTransitions = order.transitions.length;
    const from = row.processed_at ?? new Date(order.createdAt);
    const feed = this.opts.feed;
    const ticks = feed.ticks(order.symbol, from, now);
    if (includeNow && ticks.length === 0) {
      const tick = feed.tickAt(order.symbol, now);
      if (tick && Date.parse(tick.ts) >= Date.parse(order.createdAt)) ticks.push(tick);
    }
    const fills: Fill[] = [];
    let processed = from;
    for (const tick of ticks) {
      const result = matchOrder(
        order,
        { kind: 'tick', ts: tick.ts, price: tick.price, size: String(tick.size) },
        this.matching,
      );
      order = result.order;
      fills.push(...result.fills);
      processed = new Date(tick.ts);
      if (!isOpen(order)) break;
    }
    if (isOpen(order)) {
      order = expireIfDue(order, now.toISOString());
      if (isOpen(order)) processed = now;
    }
    for (const fill of fills) {
      await Ledger.recordExecution(tx, {
        id: randomUUID(),
        accountId: fill.accountId,
        orderId: fill.orderId,
        symbol: fill.symbol,
        side: fill.side,
        quantity: fill.quantity,
        price: fill.price,
        commission: fill.commission,
        at: new Date(fill.at),
      });
    }
    await this.save(tx, order, storedTransitions, processed);
    if (fills.length > 0) {
      this.opts.logger?.info(
        { orderId, symbol: order.symbol, fills: fills.length, status: order.status },
        'order filled',
      );
    }
    return fills.length;
  }

  /** What risk needs: cash, positions at the current price, open orders' reservations, equity now and at the day's start. */
  private async snapshot(q: Queryable, accountId: string, excludeOrder?: string): Promise<AccountSnapshot> {
    // One after another: inside a transaction all four share one connection.
    const acct = await q.query<{ allow_short: boolean }>('SELECT allow_short FROM accounts WHERE id = $1', [
      accountId,
    ]);
    const cash = await q.query<{ balance: string | null }>(
      'SELECT sum(amount) AS balance FROM cash_ledger WHERE account_id = $1',
      [accountId],
    );
    const positions = await q.query<{ symbol: string; quantity: string }>(
      'SELECT symbol, quantity FROM positions WHERE account_id = $1 AND quantity <> 0',
      [accountId],
    );
    const open = await q.query<OrderRow>(
      'SELECT state FROM orders WHERE account_id = $1 AND status = ANY($2::text[]) AND id <> $3',
      [accountId, OPEN, excludeOrder ?? '00000000-0000-0000-0000-000000000000'],
    );
    if (!acct.rows[0]) throw new AppError('not_found', 'No such account');
    const feed = this.opts.feed;
    const now = feed.clock.now();
    const quotes = new Map(positions.rows.map((p) => [p.symbol, feed.quote(p.symbol, now)]));
    const cashNow = money(cash.rows[0]?.balance ?? '0');
    const equity = positions.rows.reduce(
      (s, p) => s.plus(money(p.quantity).times(quotes.get(p.symbol)!.price)),
      cashNow,
    );
    const startOfDayEquity = await this.startOfDayEquity(q, accountId, now, cashNow, positions.rows, quotes);
    return {
      accountId,
      cash: cashNow.toFixed(2),
      equity: equity.toFixed(2),
      startOfDayEquity,
      allowShort: acct.rows[0].allow_short,
      positions: positions.rows.map((p) => ({
        symbol: p.symbol,
        quantity: p.quantity,
        lastPrice: quotes.get(p.symbol)!.price,
      })),
      openOrders: open.rows.map((r) => reservationFor(r.state!, this.quote(r.state!.symbol), this.matching)),
    };
  }

  /**
   * Equity at the start of today's session: cash and positions as they were before today's
   * executions, the positions at the previous close. The daily-loss kill switch measures from it.
   */
  private async startOfDayEquity(
    q: Queryable,
    accountId: string,
    now: Date,
    cashNow: ReturnType<typeof money>,
    positions: Array<{ symbol: string; quantity: string }>,
    quotes: Map<string, ReturnType<SimulatedFeed['quote']>>,
  ): Promise<string> {
    const dayStart = exchangeInstant(this.opts.feed.sessionAt(now).date, 0);
    // Today's executions netted per symbol in SQL: shares bought − sold, and the cash they moved.
    const { rows } = await q.query<{ symbol: string; shares: string; cash: string }>(
      `SELECT symbol,
              sum(CASE WHEN side = 'buy' THEN quantity ELSE -quantity END) AS shares,
              sum(CASE WHEN side = 'buy' THEN -(quantity * price) ELSE quantity * price END - commission) AS cash
       FROM executions WHERE account_id = $1 AND executed_at >= $2 GROUP BY symbol`,
      [accountId, dayStart],
    );
    const held = new Map(positions.map((p) => [p.symbol, money(p.quantity)]));
    let cash = cashNow;
    for (const e of rows) {
      cash = cash.minus(e.cash);
      held.set(e.symbol, (held.get(e.symbol) ?? money(0)).minus(e.shares));
    }
    let equity = cash;
    for (const [symbol, qty] of held) {
      if (qty.isZero()) continue;
      const quote = quotes.get(symbol) ?? this.opts.feed.quote(symbol, now);
      const prev = quote.open ? (quote.previousClose ?? quote.price) : quote.price;
      equity = equity.plus(qty.times(prev));
    }
    return equity.toFixed(2);
  }

  private async useConfirmation(tx: Queryable, jti: string, accountId: string): Promise<void> {
    const { rows } = await tx.query(
      'INSERT INTO used_confirmations (jti, account_id) VALUES ($1, $2) ON CONFLICT (jti) DO NOTHING RETURNING jti',
      [jti, accountId],
    );
    if (rows.length === 0) {
      throw new BrokerError(
        'confirmation_invalid',
        'This confirmation was already used; preview the order again',
      );
    }
  }

  private async byClientOrderId(
    tx: Queryable,
    accountId: string,
    clientOrderId: string,
  ): Promise<Order | undefined> {
    const { rows } = await tx.query<OrderRow>(
      'SELECT state FROM orders WHERE account_id = $1 AND client_order_id = $2',
      [accountId, clientOrderId],
    );
    if (rows[0] && !rows[0].state) {
      throw new BrokerError('duplicate_client_order_id', `clientOrderId ${clientOrderId} is already used`);
    }
    return rows[0]?.state ?? undefined;
  }

  private async lockOrder(tx: Queryable, accountId: string, orderId: string): Promise<Order> {
    const { rows } = await tx.query<OrderRow>(
      'SELECT state FROM orders WHERE id = $1 AND account_id = $2 FOR UPDATE',
      [orderId, accountId],
    );
    if (!rows[0]?.state) throw new AppError('not_found', 'No such order');
    return rows[0].state;
  }

  private async insert(tx: Queryable, order: Order): Promise<void> {
    await tx.query(
      `INSERT INTO orders (id, account_id, client_order_id, symbol, side, type, quantity, notional, limit_price,
         stop_price, time_in_force, status, filled_quantity, created_at, updated_at, expires_at, state, processed_at)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$14)`,
      [
        order.id,
        order.accountId,
        order.clientOrderId,
        order.symbol,
        order.side,
        order.type,
        order.quantity,
        order.notional,
        order.limitPrice,
        order.stopPrice,
        order.timeInForce,
        order.status,
        order.filledQuantity,
        order.createdAt,
        order.updatedAt,
        order.expiresAt,
        JSON.stringify(order),
      ],
    );
    await this.events(tx, order, 0);
  }

  private async save(
    tx: Queryable,
    order: Order,
    storedTransitions: number,
    processedAt?: Date,
  ): Promise<void> {
    await tx.query(
      `UPDATE orders SET status = $2, filled_quantity = $3, updated_at = $4, state = $5,
         processed_at = COALESCE($6, processed_at) WHERE id = $1`,
      [
        order.id,
        order.status,
        order.filledQuantity,
        order.updatedAt,
        JSON.stringify(order),
        processedAt ?? null,
      ],
    );
    await this.events(tx, order, storedTransitions);
  }

  /** Every transition not stored yet becomes an `order_events` row. */
  private async events(tx: Queryable, order: Order, stored: number): Promise<void> {
    for (let i = stored; i < order.transitions.length; i++) {
      const t = order.transitions[i]!;
      await tx.query(
        'INSERT INTO order_events (order_id, seq, from_status, to_status, at, reason) VALUES ($1, $2, $3, $4, $5, $6)',
        [order.id, i + 1, t.from, t.to, t.at, t.reason],
      );
    }
  }
}
