import {
  type AccountSnapshot,
  BrokerError,
  cancelOrder,
  checkRisk,
  createOrder,
  expireIfDue,
  type Fill,
  isWorking,
  type MarketEvent,
  type MatchingOptions,
  matchOrder,
  type OpenOrderReservation,
  type Order,
  type OrderRequest,
  type PricingModels,
  parseOrderRequest,
  type RiskCheck,
  type RiskLimits,
  reservationFor,
  transition,
} from '@stockpulse/broker';
import { money } from '@stockpulse/domain';
import type { Decimal } from 'decimal.js';
import { BacktestError } from './errors.js';
import type { Ledger } from './ledger.js';
import type { Decision, OpenOrderView } from './strategy.js';

export const BACKTEST_ACCOUNT_ID = 'backtest';

/** Why pre-trade risk refused an order: the failed rules with their numbers. */
export interface Rejection {
  rules: string[];
  message: string;
  checks: RiskCheck[];
}

/** A broker order as the backtest placed it, with the close it was decided at. */
export interface BacktestOrder extends Order {
  decidedOn: string;
  /** `target`: sized by the engine from a target weight; `order`: the strategy's own order. */
  source: 'target' | 'order';
  rejection: Rejection | null;
}

interface Entry {
  order: Order;
  decidedOn: string;
  source: BacktestOrder['source'];
  rejection: Rejection | null;
}

export interface PlacementContext {
  date: string;
  /** The decision's instant, the session close (computed only if an order is placed). */
  at: () => string;
  ledger: Ledger;
  equity: Decimal;
  startOfDayEquity: Decimal;
}

/**
 * The backtest's order book: places a decision's orders through the broker's pre-trade risk, matches
 * working orders against each bar with the broker's `matchOrder`, expires them at the close. Every
 * order it creates, rejected ones included, stays in its records.
 */
export class OrderDesk {
  readonly #entries = new Map<string, Entry>();
  #working: string[] = [];
  #sequence = 0;

  constructor(
    private readonly matching: MatchingOptions,
    private readonly limits: RiskLimits,
    private readonly allowShort: boolean,
  ) {}

  get hasWorkingOrders(): boolean {
    return this.#working.length > 0;
  }

  get #models(): PricingModels {
    return { commission: this.matching.commission, slippage: this.matching.slippage };
  }

  /** Offer one bar (stamped at its open) to every working order in its symbol; returns the fills in order. */
  matchBars(barOf: (symbol: string) => MarketEvent | undefined): Fill[] {
    const fills: Fill[] = [];
    for (const id of this.#working) {
      const entry = this.#entries.get(id)!;
      const event = barOf(entry.order.symbol);
      if (!event) continue;
      const result = matchOrder(entry.order, event, this.matching);
      entry.order = result.order;
      fills.push(...result.fills);
    }
    this.#retire();
    return fills;
  }

  /** Expire the working orders due at `at` (DAY orders at their session's close). */
  expire(at: string): void {
    for (const id of this.#working) {
      const entry = this.#entries.get(id)!;
      entry.order = expireIfDue(entry.order, at);
    }
    this.#retire();
  }

  openOrders(): OpenOrderView[] {
    return this.#working.map((id) => {
      const o = this.#entries.get(id)!.order;
      return {
        id: o.id,
        symbol: o.symbol,
        side: o.side,
        type: o.type,
        timeInForce: o.timeInForce,
        remainingQuantity: o.quantity === null ? null : money(o.quantity).minus(o.filledQuantity).toFixed(),
        limitPrice: o.limitPrice,
        stopPrice: o.stopPrice,
        createdAt: o.createdAt,
      };
    });
  }

  /** Every order placed, in placement order. */
  orders(): BacktestOrder[] {
    return [...this.#entries.values()].map(({ order, decidedOn, source, rejection }) => ({
      ...order,
      decidedOn,
      source,
      rejection,
    }));
  }

  /**
   * Turn a decision into orders at the close: cancellations first, then target weights sized into
   * market orders, then the strategy's own orders; sells are checked and placed before buys.
   */
  place(decision: Decision, c: PlacementContext): void {
    for (const id of decision.cancel ?? []) {
      const entry = this.#entries.get(id);
      if (!entry || !isWorking(entry.order)) {
        throw new BacktestError('invalid_decision', `Order ${id} is not working and cannot be canceled`, {
          orderId: id,
        });
      }
      entry.order = cancelOrder(entry.order, c.at(), 'canceled by the strategy');
    }
    this.#retire();

    const requests = [
      ...this.#targetRequests(decision.targets ?? {}, c),
      ...this.#intentRequests(decision, c),
    ];
    // Stable: sells first, so their proceeds can fund the buys of the same close.
    requests.sort((a, b) => (a.request.side === b.request.side ? 0 : a.request.side === 'sell' ? -1 : 1));
    if (requests.length === 0) return;

    const positions = c.ledger.holdings().map((h) => ({
      symbol: h.symbol,
      quantity: h.quantity.toFixed(),
      lastPrice: h.price,
    }));
    const reservations: OpenOrderReservation[] = this.#working.map((id) => {
      const o = this.#entries.get(id)!.order;
      return reservationFor(o, this.#quote(c.ledger, o.symbol), this.#models);
    });
    let saleProceeds = money(0);

    for (const { request, source } of requests) {
      const id = `bt-${String(++this.#sequence).padStart(6, '0')}`;
      const req = { ...request, clientOrderId: id };
      const quote = this.#quote(c.ledger, req.symbol);
      const cash = req.side === 'buy' ? c.ledger.cash.plus(saleProceeds) : c.ledger.cash;
      const account: AccountSnapshot = {
        accountId: BACKTEST_ACCOUNT_ID,
        cash: cash.toFixed(),
        equity: c.equity.toFixed(),
        startOfDayEquity: c.startOfDayEquity.toFixed(),
        allowShort: this.allowShort,
        positions,
        openOrders: reservations,
      };
      const risk = checkRisk({ request: req, account, quote, limits: this.limits, models: this.#models });
      const created = createOrder(req, { id, accountId: BACKTEST_ACCOUNT_ID, at: c.at() });
      if (risk.passed) {
        const order = transition(created, 'accepted', c.at(), 'pre-trade risk checks passed');
        this.#entries.set(id, { order, decidedOn: c.date, source, rejection: null });
        this.#working.push(id);
        reservations.push(reservationFor(order, quote, this.#models));
        if (req.side === 'sell') {
          saleProceeds = saleProceeds.plus(risk.estimate.notional).minus(risk.estimate.fees);
        }
        continue;
      }
      const failed = risk.checks.filter((check) => !check.passed);
      const message = `Order rejected: ${failed.map((check) => check.message).join('; ')}`;
      const order = transition(created, 'rejected', c.at(), message);
      const rejection = { rules: failed.map((check) => check.rule), message, checks: failed };
      this.#entries.set(id, { order, decidedOn: c.date, source, rejection });
    }
  }

  #targetRequests(targets: Readonly<Record<string, number>>, c: PlacementContext): Planned[] {
    const planned: Planned[] = [];
    for (const symbol of Object.keys(targets).sort()) {
      const weight = targets[symbol]!;
      if (!Number.isFinite(weight)) {
        throw new BacktestError('invalid_decision', `Target weight for ${symbol} is not a finite number`, {
          symbol,
          weight: String(weight),
        });
      }
      const price = this.#requirePrice(c.ledger, symbol);
      for (const id of this.#working) {
        const entry = this.#entries.get(id)!;
        if (entry.order.symbol === symbol) {
          entry.order = cancelOrder(entry.order, c.at(), 'superseded by a new target weight');
        }
      }
      this.#retire();
      const target = money(weight).times(c.equity).div(price).trunc();
      const delta = target.minus(c.ledger.quantity(symbol));
      if (delta.isZero()) continue;
      planned.push({
        source: 'target',
        request: {
          symbol,
          side: delta.isNegative() ? 'sell' : 'buy',
          type: 'market',
          quantity: delta.abs().toFixed(),
          timeInForce: 'day',
        },
      });
    }
    return planned;
  }

  #intentRequests(decision: Decision, c: PlacementContext): Planned[] {
    return (decision.orders ?? []).map((intent) => {
      let request: OrderRequest;
      try {
        request = parseOrderRequest({ ...intent, clientOrderId: 'intent' });
      } catch (err) {
        if (!(err instanceof BrokerError)) throw err;
        throw new BacktestError('invalid_decision', err.message, { intent, ...err.details });
      }
      this.#requirePrice(c.ledger, request.symbol);
      const { clientOrderId: _, ...rest } = request;
      return { source: 'order' as const, request: rest };
    });
  }

  #requirePrice(ledger: Ledger, symbol: string): string {
    const price = ledger.lastClose(symbol);
    if (price === undefined) {
      throw new BacktestError('invalid_decision', `${symbol} has no bar yet, so it cannot be traded`, {
        symbol,
      });
    }
    return price;
  }

  #quote(ledger: Ledger, symbol: string) {
    return { symbol, price: ledger.lastClose(symbol)! };
  }

  #retire(): void {
    this.#working = this.#working.filter((id) => isWorking(this.#entries.get(id)!.order));
  }
}

interface Planned {
  source: BacktestOrder['source'];
  request: Omit<OrderRequest, 'clientOrderId'>;
}
