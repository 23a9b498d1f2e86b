import { Money, money, toCents } from '@stockpulse/domain';
import type { Decimal } from 'decimal.js';
import type { OrderSide } from './order.js';
import { PRICE_DECIMALS } from './order.js';

/**
 * Commission models, as data so an account can store its own. Amounts are dollars, rates fractions.
 * - zero: commission-free (US retail, Alpaca). The default.
 * - per_share: `perShare` × shares, at least `minimum`, at most `maxPercentOfNotional` × trade value
 *   (the cap wins when it is below the minimum), as Interactive Brokers' fixed plan ($0.005, $1.00, 1%).
 * - percent_of_notional: `rate` × trade value, at least `minimum`.
 * Minimum and cap apply per order over all its fills: each fill is charged the increase in the
 * order's cumulative commission, so the fills add up to exactly the order's commission.
 */
export type CommissionModel =
  | { kind: 'zero' }
  | { kind: 'per_share'; perShare: string; minimum: string; maxPercentOfNotional: string }
  | { kind: 'percent_of_notional'; rate: string; minimum: string };

/** Slippage against the taker: a buy pays `bps` more, a sell receives `bps` less. Default: none. */
export type SlippageModel = { kind: 'none' } | { kind: 'fixed_bps'; bps: string };

export const ZERO_COMMISSION: CommissionModel = { kind: 'zero' };
export const NO_SLIPPAGE: SlippageModel = { kind: 'none' };

export const perShareCommission = (
  o: Partial<{ perShare: string; minimum: string; maxPercentOfNotional: string }> = {},
): CommissionModel => ({
  kind: 'per_share',
  perShare: o.perShare ?? '0.005',
  minimum: o.minimum ?? '1.00',
  maxPercentOfNotional: o.maxPercentOfNotional ?? '0.01',
});

export const percentOfNotionalCommission = (rate: string, minimum = '0'): CommissionModel => ({
  kind: 'percent_of_notional',
  rate,
  minimum,
});

export const fixedBpsSlippage = (bps: string): SlippageModel => ({ kind: 'fixed_bps', bps });

/** An order's commission for `quantity` shares worth `notional` in all, in cents (half-even). */
export function commissionFor(
  model: CommissionModel,
  trade: { quantity: Decimal.Value; notional: Decimal.Value },
): string {
  const qty = money(trade.quantity);
  if (qty.lte(0)) return '0.00';
  const value = money(trade.notional).abs();
  switch (model.kind) {
    case 'zero':
      return '0.00';
    case 'per_share': {
      const raw = Money.max(qty.times(model.perShare), model.minimum);
      return toCents(Money.min(raw, value.times(model.maxPercentOfNotional)));
    }
    case 'percent_of_notional':
      return toCents(Money.max(value.times(model.rate), model.minimum));
  }
}

/**
 * The commission of one fill: the order's cumulative commission after it less before it.
 * `before` is what the order had filled so far (zero for its first fill).
 */
export function fillCommission(
  model: CommissionModel,
  before: { quantity: Decimal.Value; notional: Decimal.Value },
  fill: { quantity: Decimal.Value; notional: Decimal.Value },
): string {
  const after = {
    quantity: money(before.quantity).plus(fill.quantity),
    notional: money(before.notional).plus(fill.notional),
  };
  return money(commissionFor(model, after)).minus(commissionFor(model, before)).toFixed(2);
}

/** The price a taker gets after slippage, rounded against the taker to 4 decimals. */
export function applySlippage(model: SlippageModel, price: Decimal.Value, side: OrderSide): string {
  const p = money(price);
  if (model.kind === 'none') return p.toFixed();
  const factor = money(model.bps).div(10_000);
  const slipped = side === 'buy' ? p.times(factor.plus(1)) : p.times(money(1).minus(factor));
  return slipped
    .toDecimalPlaces(PRICE_DECIMALS, side === 'buy' ? Money.ROUND_UP : Money.ROUND_DOWN)
    .toFixed();
}
