import { Money, money, toCents } from '@stockpulse/domain';
import type { Decimal } from 'decimal.js';
import {
  applySlippage,
  type CommissionModel,
  fillCommission,
  NO_SLIPPAGE,
  type SlippageModel,
  ZERO_COMMISSION,
} from './fees.js';
import { plain } from './format.js';
import { type Order, type OrderSide, PRICE_DECIMALS, QUANTITY_DECIMALS } from './order.js';
import { sessionAt } from './session.js';
import { expireIfDue, isWorking, type StatusTransition, transition } from './state.js';

/**
 * One market event for the order's symbol. A bar's `ts` is its start (a daily bar is stamped at the
 * 09:30 New York open); a tick's `size` and a bar's `volume` are shares.
 */
export type MarketEvent =
  | { kind: 'tick'; ts: string; price: string; size: string }
  | { kind: 'bar'; ts: string; open: string; high: string; low: string; close: string; volume: string };

export interface MatchingOptions {
  /** Largest fraction of an event's volume one order may take, in (0, 1]. Default 0.1. */
  participationRate: string;
  commission: CommissionModel;
  slippage: SlippageModel;
}

export const DEFAULT_MATCHING: MatchingOptions = {
  participationRate: '0.1',
  commission: ZERO_COMMISSION,
  slippage: NO_SLIPPAGE,
};

export interface Fill {
  /** `${orderId}-${n}`, n counting the order's fills from 1: replaying events gives the same ids. */
  id: string;
  orderId: string;
  accountId: string;
  symbol: string;
  side: OrderSide;
  quantity: string;
  price: string;
  /** quantity × price in cents. */
  grossAmount: string;
  commission: string;
  /** Cash effect in cents: −(gross + commission) for a buy, gross − commission for a sell. */
  netCashFlow: string;
  /** taker: at the prevailing price (tick, open, triggered stop); maker: a resting limit at its limit. */
  liquidity: 'taker' | 'maker';
  at: string;
}

export interface MatchResult {
  order: Order;
  fills: Fill[];
  /** Status changes made by this event (also appended to `order.transitions`). */
  transitions: StatusTransition[];
}

interface View {
  open: Decimal;
  high: Decimal;
  low: Decimal;
  volume: Decimal;
}

interface Execution {
  price: Decimal;
  liquidity: Fill['liquidity'];
}

const view = (e: MarketEvent): View =>
  e.kind === 'tick'
    ? { open: money(e.price), high: money(e.price), low: money(e.price), volume: money(e.size) }
    : { open: money(e.open), high: money(e.high), low: money(e.low), volume: money(e.volume) };

/**
 * Advance one working order by one market event: expire it if the event is past its expiry, trigger
 * stops, fill what the price and the volume allow, resolve IOC/FOK. Pure and deterministic. Events
 * before the order was created or outside the regular session are ignored.
 */
export function matchOrder(
  order: Order,
  event: MarketEvent,
  options: Partial<MatchingOptions> = {},
): MatchResult {
  const opts = { ...DEFAULT_MATCHING, ...options };
  if (!isWorking(order)) return { order, fills: [], transitions: [] };
  const ms = Date.parse(event.ts);
  if (ms >= Date.parse(order.expiresAt)) return result(order, expireIfDue(order, event.ts), []);
  if (ms < Date.parse(order.createdAt) || !sessionAt(ms)) return { order, fills: [], transitions: [] };

  const v = view(event);
  let o = order;
  let execution: Execution | null = null;

  if (o.type === 'trailing_stop' && !o.triggeredAt) o = ratchet(o, v.open);
  if (o.type === 'market' || ((o.type === 'stop' || o.type === 'trailing_stop') && o.triggeredAt)) {
    execution = { price: v.open, liquidity: 'taker' };
  } else if (o.type === 'limit' || (o.type === 'stop_limit' && o.triggeredAt)) {
    execution = limitExecution(o.side, money(o.limitPrice!), v.open, v, true);
  } else {
    const trigger = triggerPrice(o.side, stopLevel(o), v);
    if (trigger === null) {
      if (o.type === 'trailing_stop') o = ratchet(o, o.side === 'sell' ? v.high : v.low);
      return result(order, o, []);
    }
    o = { ...o, triggeredAt: event.ts, updatedAt: event.ts };
    // Within a bar only the trigger price is known to follow the trigger; a stop-limit that gapped
    // through its limit waits for the next event.
    execution =
      o.type === 'stop_limit'
        ? limitExecution(o.side, money(o.limitPrice!), trigger, v, false)
        : { price: trigger, liquidity: 'taker' };
  }

  const immediate = o.timeInForce === 'ioc' || o.timeInForce === 'fok';
  if (!execution) {
    if (!immediate) return result(order, o, []);
    const why = `limit ${o.limitPrice} not marketable at ${plain(v.open)}`;
    return result(order, transition(o, 'canceled', event.ts, `${o.timeInForce.toUpperCase()}: ${why}`), []);
  }

  const price = fillPrice(o, execution, opts.slippage);
  const wanted = remainingQuantity(o, price);
  const available = v.volume.times(opts.participationRate);
  const quantity = wanted.lte(available) ? wanted : available.floor();

  if (o.timeInForce === 'fok' && quantity.lt(wanted)) {
    const why = `FOK: ${plain(wanted)} not fillable at once (${plain(quantity)} available)`;
    return result(order, transition(o, 'canceled', event.ts, why), []);
  }
  if (quantity.lte(0)) {
    if (!immediate) return result(order, o, []);
    return result(order, transition(o, 'canceled', event.ts, 'IOC: no volume available'), []);
  }

  const fill = makeFill(o, quantity, price, execution.liquidity, event.ts, opts.commission);
  o = applyFill(o, fill);
  const complete = remainingQuantity(o, price).isZero();
  const total = o.quantity ?? `$${o.notional}`;
  if (complete) {
    o = transition(o, 'filled', event.ts, `filled ${o.filledQuantity} at an average ${o.averageFillPrice}`);
  } else {
    if (o.status === 'accepted') {
      o = transition(o, 'partially_filled', event.ts, `filled ${fill.quantity} of ${total} at ${fill.price}`);
    }
    if (o.timeInForce === 'ioc') {
      o = transition(o, 'canceled', event.ts, `IOC: unfilled remainder of ${total} canceled`);
    }
  }
  return result(order, o, [fill]);
}

function result(before: Order, after: Order, fills: Fill[]): MatchResult {
  return { order: after, fills, transitions: after.transitions.slice(before.transitions.length) };
}

/** Move a trailing stop's mark to a better price: higher for a sell, lower for a buy. */
function ratchet(o: Order, price: Decimal): Order {
  if (o.trailingMark !== null) {
    const mark = money(o.trailingMark);
    if (o.side === 'sell' ? price.lte(mark) : price.gte(mark)) return o;
  }
  return { ...o, trailingMark: plain(price) };
}

/** The stop price in force: the order's, or for a trailing stop its distance from the mark. */
export function stopLevel(o: Order): Decimal {
  if (o.type !== 'trailing_stop') return money(o.stopPrice!);
  const mark = money(o.trailingMark!);
  const sign = o.side === 'sell' ? -1 : 1;
  const distance = o.trailPercent !== null ? mark.times(o.trailPercent).div(100) : money(o.trailPrice!);
  return mark.plus(distance.times(sign));
}

/** Where a stop triggers: at the open if the price gapped through it, else at the stop; null if not. */
function triggerPrice(side: OrderSide, stop: Decimal, v: View): Decimal | null {
  if (side === 'sell') return v.open.lte(stop) ? v.open : v.low.lte(stop) ? stop : null;
  return v.open.gte(stop) ? v.open : v.high.gte(stop) ? stop : null;
}

/** A limit order at `open` (taker, the better price) or, inside a bar, at its limit (maker). */
function limitExecution(side: OrderSide, limit: Decimal, open: Decimal, v: View, intrabar: boolean) {
  if (side === 'buy' ? open.lte(limit) : open.gte(limit)) return { price: open, liquidity: 'taker' } as const;
  if (intrabar && (side === 'buy' ? v.low.lte(limit) : v.high.gte(limit))) {
    return { price: limit, liquidity: 'maker' } as const;
  }
  return null;
}

/** Slippage for takers, never past a limit, to 4 decimals rounded against the order. */
function fillPrice(o: Order, e: Execution, slippage: SlippageModel): Decimal {
  let p = e.liquidity === 'taker' ? money(applySlippage(slippage, e.price, o.side)) : e.price;
  if (o.limitPrice !== null) p = o.side === 'buy' ? Money.min(p, o.limitPrice) : Money.max(p, o.limitPrice);
  return p.toDecimalPlaces(PRICE_DECIMALS, o.side === 'buy' ? Money.ROUND_UP : Money.ROUND_DOWN);
}

/** Shares still to fill; for a notional order, what the unspent dollars buy at `price` (8 decimals, down). */
function remainingQuantity(o: Order, price: Decimal): Decimal {
  if (o.quantity !== null) return money(o.quantity).minus(o.filledQuantity);
  const dollars = money(o.notional!).minus(o.filledNotional);
  return dollars.div(price).toDecimalPlaces(QUANTITY_DECIMALS, Money.ROUND_DOWN);
}

function makeFill(
  o: Order,
  quantity: Decimal,
  price: Decimal,
  liquidity: Fill['liquidity'],
  at: string,
  commission: CommissionModel,
): Fill {
  const gross = quantity.times(price);
  const fee = fillCommission(
    commission,
    { quantity: o.filledQuantity, notional: o.filledNotional },
    { quantity, notional: gross },
  );
  const cents = money(toCents(gross));
  return {
    id: `${o.id}-${o.fillCount + 1}`,
    orderId: o.id,
    accountId: o.accountId,
    symbol: o.symbol,
    side: o.side,
    quantity: plain(quantity),
    price: plain(price),
    grossAmount: cents.toFixed(2),
    commission: fee,
    netCashFlow: (o.side === 'buy' ? cents.plus(fee).neg() : cents.minus(fee)).toFixed(2),
    liquidity,
    at,
  };
}

function applyFill(o: Order, f: Fill): Order {
  const filledQuantity = money(o.filledQuantity).plus(f.quantity);
  const filledNotional = money(o.filledNotional).plus(money(f.quantity).times(f.price));
  return {
    ...o,
    filledQuantity: plain(filledQuantity),
    filledNotional: plain(filledNotional),
    averageFillPrice: plain(filledNotional.div(filledQuantity).toDecimalPlaces(6)),
    commission: money(o.commission).plus(f.commission).toFixed(2),
    fillCount: o.fillCount + 1,
    updatedAt: f.at,
  };
}
