import { money, sum } from '@stockpulse/domain';
import type { Decimal } from 'decimal.js';
import { BrokerError } from './errors.js';
import {
  estimateOrder,
  type OpenOrderReservation,
  type OrderEstimate,
  type PricingModels,
  type Quote,
} from './estimate.js';
import { pct, plain, usd } from './format.js';
import { DEFAULT_MATCHING } from './matching.js';
import { type OrderRequest, type OrderRequestInput, parseOrderRequest } from './order.js';

export interface PositionSnapshot {
  symbol: string;
  /** Signed: negative for a short. */
  quantity: string;
  lastPrice: string;
}

/** What pre-trade risk needs to know about an account, as of now. */
export interface AccountSnapshot {
  accountId: string;
  cash: string;
  equity: string;
  startOfDayEquity: string;
  allowShort: boolean;
  positions: PositionSnapshot[];
  /** Working orders' reservations (`reservationFor`). */
  openOrders: OpenOrderReservation[];
}

export interface RiskLimits {
  /** Largest position as a fraction of equity after the trade. */
  maxPositionWeight: string;
  /** Largest order value in dollars. */
  maxOrderNotional: string;
  /** Largest distance of a limit or stop price from the last price, as a fraction, either way. */
  priceCollarPct: string;
  /** Loss since the start of the day, as a fraction of start-of-day equity, that stops new risk. */
  dailyLossLimitPct: string;
}

export const DEFAULT_RISK_LIMITS: RiskLimits = {
  maxPositionWeight: '0.25',
  maxOrderNotional: '50000',
  priceCollarPct: '0.10',
  dailyLossLimitPct: '0.05',
};

export const RISK_RULES = [
  'buying_power',
  'max_order_notional',
  'max_position_weight',
  'short_selling',
  'price_collar',
  'daily_loss_limit',
] as const;
export type RiskRule = (typeof RISK_RULES)[number];

export interface RiskCheck {
  rule: RiskRule;
  passed: boolean;
  message: string;
  /** Plain decimal strings: `actual` and `limit` for every applicable rule, plus what they came from. */
  numbers: Record<string, string>;
}

export interface RiskResult {
  passed: boolean;
  checks: RiskCheck[];
  estimate: OrderEstimate;
}

export interface RiskInput {
  request: OrderRequestInput;
  account: AccountSnapshot;
  quote: Quote;
  limits?: Partial<RiskLimits>;
  models?: Partial<PricingModels>;
}

const check = (
  rule: RiskRule,
  passed: boolean,
  message: string,
  numbers: Record<string, Decimal.Value> = {},
) => ({
  rule,
  passed,
  message,
  numbers: Object.fromEntries(Object.entries(numbers).map(([k, v]) => [k, plain(v)])),
});

/** Every pre-trade rule for one order against one account snapshot: pure and deterministic. */
export function checkRisk(input: RiskInput): RiskResult {
  const request = parseOrderRequest(input.request);
  const limits = { ...DEFAULT_RISK_LIMITS, ...input.limits };
  const models = { ...DEFAULT_MATCHING, ...input.models };
  if (input.quote.symbol !== request.symbol) {
    throw new BrokerError('invalid_order', `Quote is for ${input.quote.symbol}, order for ${request.symbol}`);
  }
  const estimate = estimateOrder(request, input.quote, models);
  const ctx = { request, account: input.account, quote: input.quote, limits, estimate };
  const checks = [
    buyingPower(ctx),
    maxOrderNotional(ctx),
    maxPositionWeight(ctx),
    shortSelling(ctx),
    priceCollar(ctx),
    dailyLossLimit(ctx),
  ];
  return { passed: checks.every((c) => c.passed), checks, estimate };
}

/** Throw `risk_rejected` with every failed rule's message (and all checks in `details`). */
export function assertRiskPassed(result: RiskResult): void {
  if (result.passed) return;
  const failed = result.checks.filter((c) => !c.passed);
  throw new BrokerError('risk_rejected', `Order rejected: ${failed.map((c) => c.message).join('; ')}`, {
    rules: failed.map((c) => c.rule),
    checks: result.checks,
  });
}

interface Ctx {
  request: OrderRequest;
  account: AccountSnapshot;
  quote: Quote;
  limits: RiskLimits;
  estimate: OrderEstimate;
}

const signed = (c: Ctx) => money(c.estimate.quantity).times(c.request.side === 'buy' ? 1 : -1);
const held = (c: Ctx) =>
  sum(c.account.positions.filter((p) => p.symbol === c.request.symbol).map((p) => p.quantity));
const open = (c: Ctx, side: 'buy' | 'sell') =>
  c.account.openOrders.filter((o) => o.symbol === c.request.symbol && o.side === side);

/** An order that only shrinks a position (sells of a long, buys covering a short). */
function reducesPosition(c: Ctx): boolean {
  const h = held(c);
  const q = signed(c);
  return !h.isZero() && h.isNegative() !== q.isNegative() && q.abs().lte(h.abs());
}

function buyingPower(c: Ctx): RiskCheck {
  if (c.request.side === 'sell')
    return check('buying_power', true, 'not applicable: sell orders use no buying power');
  const reserved = sum(c.account.openOrders.filter((o) => o.side === 'buy').map((o) => o.cash));
  const available = money(c.account.cash).minus(reserved);
  const cost = money(c.estimate.notional).plus(c.estimate.fees);
  const numbers = {
    actual: cost,
    limit: available,
    notional: c.estimate.notional,
    fees: c.estimate.fees,
    cash: c.account.cash,
    reserved,
  };
  const parts = `${usd(c.estimate.notional)} + ${usd(c.estimate.fees)} fees`;
  const power = `buying power ${usd(available)} (${usd(c.account.cash)} cash less ${usd(reserved)} reserved by open buy orders)`;
  return cost.lte(available)
    ? check('buying_power', true, `order cost ${usd(cost)} (${parts}) within ${power}`, numbers)
    : check('buying_power', false, `order cost ${usd(cost)} (${parts}) exceeds ${power}`, numbers);
}

function maxOrderNotional(c: Ctx): RiskCheck {
  const notional = money(c.estimate.notional);
  const limit = money(c.limits.maxOrderNotional);
  const passed = notional.lte(limit);
  return check(
    'max_order_notional',
    passed,
    `order notional ${usd(notional)} ${passed ? 'within' : 'exceeds'} the ${usd(limit)} limit`,
    { actual: notional, limit },
  );
}

function maxPositionWeight(c: Ctx): RiskCheck {
  const { symbol } = c.request;
  const before = held(c);
  const pending = sum(open(c, 'buy').map((o) => o.quantity)).minus(
    sum(open(c, 'sell').map((o) => o.quantity)),
  );
  const after = before.plus(pending).plus(signed(c));
  if (after.abs().lte(before.plus(pending).abs())) {
    return check('max_position_weight', true, `not applicable: the order reduces the ${symbol} position`);
  }
  const value = after.abs().times(c.quote.price);
  const equity = money(c.account.equity).minus(c.estimate.fees);
  const limit = money(c.limits.maxPositionWeight);
  const numbers = { limit, positionValue: value, equity, quantityAfter: after };
  if (equity.lte(0)) {
    return check('max_position_weight', false, `account equity ${usd(equity)} is not positive`, numbers);
  }
  const weight = value.div(equity);
  const passed = weight.lte(limit);
  const pendingText = pending.isZero() ? '' : `, counting ${plain(pending)} shares in open orders`;
  return check(
    'max_position_weight',
    passed,
    `${symbol} would be ${pct(weight)} of equity (${usd(value)} of ${usd(equity)}${pendingText}), ` +
      `${passed ? 'within' : 'above'} the ${pct(limit)} limit`,
    { actual: weight.toDecimalPlaces(6), ...numbers },
  );
}

function shortSelling(c: Ctx): RiskCheck {
  if (c.request.side === 'buy') return check('short_selling', true, 'not applicable: buy order');
  const { symbol } = c.request;
  const h = held(c);
  const reserved = sum(open(c, 'sell').map((o) => o.quantity));
  const available = longOnly(h).minus(reserved);
  const qty = money(c.estimate.quantity);
  const numbers = { actual: qty, limit: longOnly(available), held: h, reserved };
  if (qty.lte(available)) {
    return check(
      'short_selling',
      true,
      `selling ${plain(qty)} ${symbol} of ${plain(available)} available`,
      numbers,
    );
  }
  const detail = `only ${plain(longOnly(available))} available (${plain(h)} held, ${plain(reserved)} in open sell orders)`;
  if (c.account.allowShort) {
    return check(
      'short_selling',
      true,
      `selling ${plain(qty)} ${symbol} opens a short: ${detail}; shorts allowed`,
      numbers,
    );
  }
  return check(
    'short_selling',
    false,
    `selling ${plain(qty)} ${symbol} would sell short: ${detail}, and this account does not allow short selling`,
    numbers,
  );
}

/** Held shares available to sell: a short holds none. */
function longOnly(v: Decimal): Decimal {
  return v.isNegative() ? money(0) : v;
}

function priceCollar(c: Ctx): RiskCheck {
  const last = money(c.quote.price);
  const collar = money(c.limits.priceCollarPct);
  const prices = (['limitPrice', 'stopPrice'] as const).filter((f) => c.request[f] !== undefined);
  if (prices.length === 0)
    return check('price_collar', true, `not applicable: ${c.request.type} order has no limit or stop price`);
  const worst = prices
    .map((field) => ({
      field,
      price: money(c.request[field]!),
      distance: money(c.request[field]!).minus(last).div(last),
    }))
    .sort((a, b) => b.distance.abs().comparedTo(a.distance.abs()))[0]!;
  const name = worst.field === 'limitPrice' ? 'limit price' : 'stop price';
  const passed = worst.distance.abs().lte(collar);
  const direction = worst.distance.isNegative() ? 'below' : 'above';
  return check(
    'price_collar',
    passed,
    `${name} ${usd(worst.price)} is ${pct(worst.distance.abs())} ${direction} the last price ${usd(last)}, ` +
      `${passed ? 'inside' : 'outside'} the ${pct(collar)} collar`,
    { actual: worst.distance.abs().toDecimalPlaces(6), limit: collar, price: worst.price, lastPrice: last },
  );
}

function dailyLossLimit(c: Ctx): RiskCheck {
  const start = money(c.account.startOfDayEquity);
  const limit = money(c.limits.dailyLossLimitPct);
  if (start.lte(0)) return check('daily_loss_limit', true, 'not applicable: no start-of-day equity');
  const loss = start.minus(c.account.equity);
  const fraction = loss.div(start);
  const numbers = {
    actual: fraction.toDecimalPlaces(6),
    limit,
    loss,
    startOfDayEquity: start,
    equity: c.account.equity,
  };
  const what = loss.isNegative()
    ? `day gain ${pct(fraction.neg())}`
    : `daily loss ${pct(fraction)} (${usd(loss)} below the ${usd(start)} start-of-day equity)`;
  if (fraction.lt(limit))
    return check('daily_loss_limit', true, `${what} within the ${pct(limit)} limit`, numbers);
  if (reducesPosition(c)) {
    return check(
      'daily_loss_limit',
      true,
      `${what} reached the ${pct(limit)} limit, but the order reduces a position`,
      numbers,
    );
  }
  return check(
    'daily_loss_limit',
    false,
    `${what} reached the ${pct(limit)} kill switch: only orders that reduce a position are allowed`,
    numbers,
  );
}
