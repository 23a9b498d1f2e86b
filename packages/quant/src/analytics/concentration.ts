import { money, sum } from '@stockpulse/domain';
import type { Decimal } from 'decimal.js';
import { QuantError } from '../errors.js';

export interface HoldingValue {
  symbol: string;
  /** Market value (non-negative). */
  value: Decimal.Value;
}

export interface Concentration {
  /** Each holding's share of the total, largest first. */
  weights: { symbol: string; weight: Decimal }[];
  largest: { symbol: string; weight: Decimal } | null;
  /** Herfindahl–Hirschman index Σ w² on weights as fractions: 1/n for n equal holdings, 1 for one holding. */
  herfindahl: Decimal;
  /** 1 / HHI, the number of equal holdings with the same concentration; null when empty. */
  effectiveHoldings: Decimal | null;
}

/**
 * Concentration of a portfolio from its holdings' market values: weights over their total (add a cash
 * line to measure against the whole account), the largest weight and the Herfindahl index. Exact.
 */
export function concentration(holdings: readonly HoldingValue[]): Concentration {
  if (holdings.some((h) => money(h.value).isNegative())) {
    throw new QuantError('invalid_argument', 'Holding values must be non-negative');
  }
  const total = sum(holdings.map((h) => h.value));
  const weights = total.isZero()
    ? []
    : holdings
        .map((h) => ({ symbol: h.symbol, weight: money(h.value).div(total) }))
        .sort((a, b) => b.weight.comparedTo(a.weight));
  const herfindahl = weights.reduce((s, w) => s.plus(w.weight.pow(2)), money(0));
  return {
    weights,
    largest: weights[0] ?? null,
    herfindahl,
    effectiveHoldings: herfindahl.isZero() ? null : money(1).div(herfindahl),
  };
}
