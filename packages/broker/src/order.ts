import { createHash } from 'node:crypto';
import { money } from '@stockpulse/domain';
import { z } from 'zod';
import { BrokerError } from './errors.js';
import { plain, stripUndefined } from './format.js';
import { dayOrderExpiry, gtcOrderExpiry } from './session.js';
import type { OrderStatus, StatusTransition } from './state.js';

export const ORDER_SIDES = ['buy', 'sell'] as const;
export const ORDER_TYPES = ['market', 'limit', 'stop', 'stop_limit', 'trailing_stop'] as const;
export const TIMES_IN_FORCE = ['day', 'gtc', 'ioc', 'fok'] as const;
export type OrderSide = (typeof ORDER_SIDES)[number];
export type OrderType = (typeof ORDER_TYPES)[number];
export type TimeInForce = (typeof TIMES_IN_FORCE)[number];

/** Shares to 8 decimals (the ledger's numeric(24, 8)); prices to 4 (numeric(20, 4)); notional to cents. */
export const QUANTITY_DECIMALS = 8;
export const PRICE_DECIMALS = 4;
export const NOTIONAL_DECIMALS = 2;
/** Smallest notional order, as at Alpaca. */
export const MIN_NOTIONAL = '1';

/** Which times in force each order type accepts (as at Alpaca: IOC/FOK only for market and limit). */
export const ALLOWED_TIME_IN_FORCE: Record<OrderType, readonly TimeInForce[]> = {
  market: ['day', 'gtc', 'ioc', 'fok'],
  limit: ['day', 'gtc', 'ioc', 'fok'],
  stop: ['day', 'gtc'],
  stop_limit: ['day', 'gtc'],
  trailing_stop: ['day', 'gtc'],
};

/** A non-negative decimal as a string (never a JSON number: money stays exact). */
export const decimalString = (what: string) =>
  z.string().regex(/^\d+(\.\d+)?$/, `must be ${what} as a decimal string, e.g. "10" or "0.5"`);

/**
 * What a caller sends to place an order; also the MCP tool input. Cross-field rules (which prices a
 * type needs, quantity xor notional, allowed times in force, decimals) are checked in superRefine so
 * every problem is reported with its field.
 */
export const OrderRequestSchema = z
  .strictObject({
    clientOrderId: z
      .string()
      .regex(/^[A-Za-z0-9._:-]{1,128}$/, 'must be 1-128 letters, digits or . _ : -')
      .describe('Idempotency key, unique per account: resending the same request returns the same order'),
    symbol: z
      .string()
      .regex(/^[A-Z][A-Z0-9.-]{0,9}$/, 'must be an upper-case ticker like AAPL or BRK.B')
      .describe('Ticker in upper case, e.g. AAPL or BRK.B'),
    side: z.enum(ORDER_SIDES),
    type: z.enum(ORDER_TYPES),
    quantity: decimalString('a share count')
      .optional()
      .describe(`Shares (up to ${QUANTITY_DECIMALS} decimals); exactly one of quantity or notional`),
    notional: decimalString('a dollar amount')
      .optional()
      .describe('Dollars to trade, market orders only; converted to fractional shares at the fill'),
    limitPrice: decimalString('a price').optional().describe('Required for limit and stop_limit'),
    stopPrice: decimalString('a price').optional().describe('Required for stop and stop_limit'),
    trailPercent: decimalString('a percentage')
      .optional()
      .describe(
        'trailing_stop: distance from the high-water (sell) / low-water (buy) mark in percent, "5" = 5%',
      ),
    trailPrice: decimalString('a price')
      .optional()
      .describe('trailing_stop: distance from the mark in dollars'),
    timeInForce: z.enum(TIMES_IN_FORCE).default('day').describe('day (default), gtc, ioc or fok'),
  })
  .superRefine((o, ctx) => {
    const issue = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
    const valid = (s: string | undefined) => s !== undefined && /^\d+(\.\d+)?$/.test(s);
    const decimals = (s: string) => money(s).decimalPlaces();

    if ((o.quantity === undefined) === (o.notional === undefined)) {
      issue(o.quantity === undefined ? 'quantity' : 'notional', 'give exactly one of quantity or notional');
    }
    if (valid(o.quantity)) {
      if (money(o.quantity!).lte(0)) issue('quantity', 'must be greater than 0');
      if (decimals(o.quantity!) > QUANTITY_DECIMALS) {
        issue('quantity', `has more than ${QUANTITY_DECIMALS} decimal places`);
      }
    }
    if (o.notional !== undefined) {
      if (o.type !== 'market') issue('notional', `is only allowed for market orders, not ${o.type}`);
      if (valid(o.notional) && money(o.notional).lt(MIN_NOTIONAL))
        issue('notional', 'must be at least $1.00');
      if (valid(o.notional) && decimals(o.notional) > NOTIONAL_DECIMALS)
        issue('notional', 'must be whole cents');
    }

    const needs = {
      limitPrice: o.type === 'limit' || o.type === 'stop_limit',
      stopPrice: o.type === 'stop' || o.type === 'stop_limit',
    };
    for (const field of ['limitPrice', 'stopPrice'] as const) {
      const value = o[field];
      if (needs[field] && value === undefined) issue(field, `is required for ${o.type} orders`);
      if (!needs[field] && value !== undefined) issue(field, `is not allowed for ${o.type} orders`);
      if (valid(value)) checkPrice(field, value!, issue);
    }

    if (o.type === 'trailing_stop') {
      if ((o.trailPercent === undefined) === (o.trailPrice === undefined)) {
        issue('trailPercent', 'give exactly one of trailPercent or trailPrice for trailing_stop orders');
      }
      if (valid(o.trailPercent)) {
        const p = money(o.trailPercent!);
        if (p.lte(0) || p.gte(100)) issue('trailPercent', 'must be between 0 and 100 (percent)');
        if (decimals(o.trailPercent!) > 2) issue('trailPercent', 'has more than 2 decimal places');
      }
      if (valid(o.trailPrice)) checkPrice('trailPrice', o.trailPrice!, issue);
    } else {
      for (const field of ['trailPercent', 'trailPrice'] as const) {
        if (o[field] !== undefined) issue(field, `is only allowed for trailing_stop orders, not ${o.type}`);
      }
    }

    if (!ALLOWED_TIME_IN_FORCE[o.type].includes(o.timeInForce)) {
      issue(
        'timeInForce',
        `${o.timeInForce} is not allowed for ${o.type} orders (allowed: ${ALLOWED_TIME_IN_FORCE[o.type].join(', ')})`,
      );
    }
  });

/** Positive, at most 4 decimals, and whole cents from $1.00 up (SEC Rule 612, no sub-penny quotes). */
function checkPrice(field: string, value: string, issue: (path: string, message: string) => void) {
  const p = money(value);
  if (p.lte(0)) return issue(field, 'must be greater than 0');
  if (p.decimalPlaces() > PRICE_DECIMALS)
    return issue(field, `has more than ${PRICE_DECIMALS} decimal places`);
  if (p.gte(1) && p.decimalPlaces() > 2)
    issue(field, 'must be whole cents at or above $1.00 (no sub-penny prices)');
}

export type OrderRequestInput = z.input<typeof OrderRequestSchema>;
export type OrderRequest = z.output<typeof OrderRequestSchema>;

export interface OrderIssue {
  field: string;
  message: string;
}

/** Validate and canonicalize ('100.50' → '100.5'); throws `invalid_order` listing every bad field. */
export function parseOrderRequest(input: unknown): OrderRequest {
  const parsed = OrderRequestSchema.safeParse(input);
  if (!parsed.success) {
    const issues: OrderIssue[] = parsed.error.issues.map((i) => ({
      field: i.path.join('.') || (i.code === 'unrecognized_keys' ? i.keys.join(', ') : '(order)'),
      message: i.message,
    }));
    throw new BrokerError(
      'invalid_order',
      `Invalid order: ${issues.map((i) => `${i.field}: ${i.message}`).join('; ')}`,
      { issues },
    );
  }
  const o = parsed.data;
  const canon = (v: string | undefined) => (v === undefined ? undefined : plain(v));
  return stripUndefined({
    ...o,
    quantity: canon(o.quantity),
    notional: canon(o.notional),
    limitPrice: canon(o.limitPrice),
    stopPrice: canon(o.stopPrice),
    trailPercent: canon(o.trailPercent),
    trailPrice: canon(o.trailPrice),
  });
}

/** Sorted-key JSON of the canonical request: equal for requests that mean the same order. */
export function canonicalRequest(request: OrderRequestInput): string {
  const r = parseOrderRequest(request) as Record<string, unknown>;
  return JSON.stringify(
    Object.fromEntries(
      Object.keys(r)
        .sort()
        .map((k) => [k, r[k]]),
    ),
  );
}

/** SHA-256 (hex) of the canonical request: what a confirmation binds and idempotency compares. */
export function requestHash(request: OrderRequestInput): string {
  return createHash('sha256').update(canonicalRequest(request)).digest('hex');
}

/** An order as the broker keeps it. Decimals are strings; times ISO 8601 UTC. */
export interface Order {
  id: string;
  accountId: string;
  clientOrderId: string;
  symbol: string;
  side: OrderSide;
  type: OrderType;
  timeInForce: TimeInForce;
  /** Null for a notional order: its shares are known only as it fills. */
  quantity: string | null;
  notional: string | null;
  limitPrice: string | null;
  stopPrice: string | null;
  trailPercent: string | null;
  trailPrice: string | null;
  status: OrderStatus;
  filledQuantity: string;
  /** Σ fill quantity × fill price, exact. */
  filledNotional: string;
  averageFillPrice: string | null;
  /** Commission charged so far, in dollars and cents. */
  commission: string;
  fillCount: number;
  /** When a stop, stop-limit or trailing stop was triggered; null before. */
  triggeredAt: string | null;
  /** Trailing stops: the high-water (sell) or low-water (buy) mark the stop trails. */
  trailingMark: string | null;
  createdAt: string;
  updatedAt: string;
  /** DAY/IOC/FOK: the session close; GTC: the 90-day limit. */
  expiresAt: string;
  requestHash: string;
  replaces: string | null;
  replacedBy: string | null;
  transitions: StatusTransition[];
}

/** A new order (status `new`) from a request; accept it with `transition(order, 'accepted', …)`. */
export function createOrder(
  input: OrderRequestInput,
  ids: { id: string; accountId: string; at: string; replaces?: string },
): Order {
  const r = parseOrderRequest(input);
  const ms = Date.parse(ids.at);
  return {
    id: ids.id,
    accountId: ids.accountId,
    clientOrderId: r.clientOrderId,
    symbol: r.symbol,
    side: r.side,
    type: r.type,
    timeInForce: r.timeInForce,
    quantity: r.quantity ?? null,
    notional: r.notional ?? null,
    limitPrice: r.limitPrice ?? null,
    stopPrice: r.stopPrice ?? null,
    trailPercent: r.trailPercent ?? null,
    trailPrice: r.trailPrice ?? null,
    status: 'new',
    filledQuantity: '0',
    filledNotional: '0',
    averageFillPrice: null,
    commission: '0.00',
    fillCount: 0,
    triggeredAt: null,
    trailingMark: null,
    createdAt: new Date(ms).toISOString(),
    updatedAt: new Date(ms).toISOString(),
    expiresAt: r.timeInForce === 'gtc' ? gtcOrderExpiry(ms) : dayOrderExpiry(ms),
    requestHash: requestHash(r),
    replaces: ids.replaces ?? null,
    replacedBy: null,
    transitions: [],
  };
}

/** The request that recreates an order: for idempotency checks and previews of a replacement. */
export function orderRequestOf(order: Order): OrderRequest {
  return parseOrderRequest(
    stripUndefined({
      clientOrderId: order.clientOrderId,
      symbol: order.symbol,
      side: order.side,
      type: order.type,
      timeInForce: order.timeInForce,
      quantity: order.quantity ?? undefined,
      notional: order.notional ?? undefined,
      limitPrice: order.limitPrice ?? undefined,
      stopPrice: order.stopPrice ?? undefined,
      trailPercent: order.trailPercent ?? undefined,
      trailPrice: order.trailPrice ?? undefined,
    }),
  );
}
