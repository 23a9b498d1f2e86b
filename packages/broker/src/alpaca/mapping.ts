import { money } from '@stockpulse/domain';
import { z } from 'zod';
import { plain } from '../format.js';
import {
  ORDER_SIDES,
  ORDER_TYPES,
  type Order,
  type OrderRequest,
  orderRequestOf,
  requestHash,
  type TimeInForce,
} from '../order.js';
import type { AccountState } from '../port.js';
import { dayOrderExpiry, gtcOrderExpiry } from '../session.js';
import type { OrderStatus, StatusTransition } from '../state.js';

/** Alpaca sends decimals as strings, sometimes as JSON numbers; both become plain decimal strings. */
const decimal = z
  .union([z.string(), z.number()])
  .nullish()
  .transform((v) => (v === null || v === undefined || v === '' ? null : plain(String(v))));
const time = z
  .string()
  .nullish()
  .transform((v) => (v ? new Date(v).toISOString() : null));

/** The fields of Alpaca's order object we use (GET/POST/PATCH /v2/orders); others are ignored. */
export const AlpacaOrderSchema = z.object({
  id: z.string(),
  client_order_id: z.string(),
  created_at: z.string(),
  updated_at: time,
  submitted_at: time,
  filled_at: time,
  expired_at: time,
  canceled_at: time,
  failed_at: time,
  replaced_at: time,
  expires_at: time,
  replaced_by: z.string().nullish(),
  replaces: z.string().nullish(),
  symbol: z.string(),
  notional: decimal,
  qty: decimal,
  filled_qty: decimal,
  filled_avg_price: decimal,
  type: z.enum(ORDER_TYPES).optional(),
  order_type: z.enum(ORDER_TYPES).optional(),
  side: z.enum(ORDER_SIDES),
  time_in_force: z.string(),
  limit_price: decimal,
  stop_price: decimal,
  status: z.string(),
  trail_percent: decimal,
  trail_price: decimal,
  hwm: decimal,
  commission: decimal,
});
export type AlpacaOrder = z.input<typeof AlpacaOrderSchema>;

export const AlpacaAccountSchema = z.object({
  id: z.string(),
  currency: z.string().default('USD'),
  cash: decimal,
  equity: decimal,
  last_equity: decimal,
  buying_power: decimal,
  shorting_enabled: z.boolean().default(false),
});

export const AlpacaPositionSchema = z.object({
  symbol: z.string(),
  qty: decimal,
  side: z.enum(['long', 'short']).optional(),
  avg_entry_price: decimal,
  current_price: decimal,
  market_value: decimal,
});

/** Alpaca's many states onto ours; still-working states keep accepted / partially_filled. */
export function ourStatus(alpacaStatus: string, filledQuantity: string): OrderStatus {
  const working: OrderStatus = money(filledQuantity).gt(0) ? 'partially_filled' : 'accepted';
  switch (alpacaStatus) {
    case 'pending_new':
      return 'new';
    case 'filled':
      return 'filled';
    case 'canceled':
    case 'replaced':
      return 'canceled';
    case 'expired':
      return 'expired';
    case 'rejected':
      return 'rejected';
    default:
      // new, accepted, partially_filled, pending_cancel, pending_replace, done_for_day, stopped, held, …
      return working;
  }
}

/** Alpaca's opg / cls (auction) orders have no equivalent here; they are shown as day orders. */
const timeInForce = (tif: string): TimeInForce =>
  tif === 'gtc' || tif === 'ioc' || tif === 'fok' ? tif : 'day';

export type AlpacaMappedOrder = Order & { alpacaStatus: string };

export function toOrder(json: unknown, accountId: string): AlpacaMappedOrder {
  const a = AlpacaOrderSchema.parse(json);
  const filledQuantity = a.filled_qty ?? '0';
  const status = ourStatus(a.status, filledQuantity);
  const createdAt = new Date(a.created_at).toISOString();
  const tif = timeInForce(a.time_in_force);
  const order: AlpacaMappedOrder = {
    id: a.id,
    accountId,
    clientOrderId: a.client_order_id,
    symbol: a.symbol,
    side: a.side,
    type: a.type ?? a.order_type ?? 'market',
    timeInForce: tif,
    quantity: a.notional !== null ? null : a.qty,
    notional: a.notional,
    limitPrice: a.limit_price,
    stopPrice: a.stop_price,
    trailPercent: a.trail_percent,
    trailPrice: a.trail_price,
    status,
    filledQuantity,
    filledNotional: a.filled_avg_price ? plain(money(filledQuantity).times(a.filled_avg_price)) : '0',
    averageFillPrice: money(filledQuantity).gt(0) ? a.filled_avg_price : null,
    commission: money(a.commission ?? 0).toFixed(2),
    fillCount: 0, // Alpaca reports fills through its activities API, not on the order
    triggeredAt: null,
    trailingMark: a.hwm,
    createdAt,
    updatedAt: a.updated_at ?? createdAt,
    expiresAt: a.expires_at ?? (tif === 'gtc' ? gtcOrderExpiry : dayOrderExpiry)(Date.parse(createdAt)),
    requestHash: '',
    replaces: a.replaces ?? null,
    replacedBy: a.replaced_by ?? null,
    transitions: [],
    alpacaStatus: a.status,
  };
  order.transitions = synthesizeTransitions(order, a);
  try {
    order.requestHash = requestHash(orderRequestOf(order));
  } catch {
    // An order placed elsewhere that our schema cannot express (e.g. a long client id): no hash.
  }
  return order;
}

/** Alpaca keeps no state history; rebuild it from the order's timestamps. */
function synthesizeTransitions(o: Order, a: z.output<typeof AlpacaOrderSchema>): StatusTransition[] {
  const out: StatusTransition[] = [];
  const reason = `reported by Alpaca (${a.status})`;
  const submitted = a.submitted_at ?? o.createdAt;
  if (o.status === 'new') return out;
  if (o.status === 'rejected')
    return [{ from: 'new', to: 'rejected', at: a.failed_at ?? o.updatedAt, reason }];
  out.push({ from: 'new', to: 'accepted', at: submitted, reason: 'accepted by Alpaca' });
  const filled = money(o.filledQuantity).gt(0);
  if (filled && o.status !== 'filled') {
    out.push({ from: 'accepted', to: 'partially_filled', at: o.updatedAt, reason });
  }
  const from: OrderStatus = filled && o.status !== 'filled' ? 'partially_filled' : 'accepted';
  const end: Partial<Record<OrderStatus, string | null>> = {
    filled: a.filled_at,
    canceled: a.canceled_at ?? a.replaced_at,
    expired: a.expired_at,
  };
  if (o.status in end) {
    const why = a.status === 'replaced' && o.replacedBy ? `replaced by order ${o.replacedBy}` : reason;
    out.push({ from, to: o.status, at: end[o.status] ?? o.updatedAt, reason: why });
  }
  return out;
}

export function toAccountState(
  accountJson: unknown,
  positionsJson: unknown,
  accountId: string,
): AccountState {
  const a = AlpacaAccountSchema.parse(accountJson);
  const positions = z.array(AlpacaPositionSchema).parse(positionsJson);
  return {
    accountId,
    currency: 'USD',
    cash: a.cash ?? '0',
    equity: a.equity ?? '0',
    startOfDayEquity: a.last_equity ?? a.equity ?? '0',
    buyingPower: a.buying_power ?? '0',
    allowShort: a.shorting_enabled,
    positions: positions.map((p) => {
      const qty = money(p.qty ?? 0);
      // Alpaca reports a short with side 'short'; make the quantity negative either way.
      const quantity = p.side === 'short' && qty.gt(0) ? qty.neg() : qty;
      return {
        symbol: p.symbol,
        quantity: plain(quantity),
        averageEntryPrice: p.avg_entry_price,
        lastPrice: p.current_price ?? '0',
        marketValue: p.market_value ?? '0',
      };
    }),
  };
}

/** POST /v2/orders body. Decimals travel as strings, as Alpaca accepts them. */
export function toAlpacaOrderBody(r: OrderRequest): Record<string, string> {
  const body: Record<string, string | undefined> = {
    symbol: r.symbol,
    side: r.side,
    type: r.type,
    time_in_force: r.timeInForce,
    client_order_id: r.clientOrderId,
    qty: r.quantity,
    notional: r.notional,
    limit_price: r.limitPrice,
    stop_price: r.stopPrice,
    trail_percent: r.trailPercent,
    trail_price: r.trailPrice,
  };
  return Object.fromEntries(Object.entries(body).filter(([, v]) => v !== undefined)) as Record<
    string,
    string
  >;
}

/** PATCH /v2/orders/{id} body for a replacement (Alpaca calls the trailing distance `trail`). */
export function toAlpacaReplaceBody(r: OrderRequest): Record<string, string> {
  const body: Record<string, string | undefined> = {
    qty: r.quantity,
    time_in_force: r.timeInForce,
    limit_price: r.limitPrice,
    stop_price: r.stopPrice,
    trail: r.trailPercent ?? r.trailPrice,
    client_order_id: r.clientOrderId,
  };
  return Object.fromEntries(Object.entries(body).filter(([, v]) => v !== undefined)) as Record<
    string,
    string
  >;
}
