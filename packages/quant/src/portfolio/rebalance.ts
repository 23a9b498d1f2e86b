import { money, sum, toCents } from '@stockpulse/domain';
import type { Decimal } from 'decimal.js';
import { QuantError } from '../errors.js';

export interface RebalanceHolding {
  symbol: string;
  quantity: Decimal.Value;
  price: Decimal.Value;
}

export interface RebalanceTrade {
  symbol: string;
  side: 'buy' | 'sell';
  /** Whole shares. */
  quantity: string;
  price: string;
  /** quantity × price at the given price, before fees. */
  estimatedValue: string;
}

export interface RebalancePlan {
  totalValue: string;
  /** Sells first (they fund the buys), then buys; each largest first. */
  trades: RebalanceTrade[];
  cashAfter: string;
  /** Weight (percent of the total) of every symbol after the trades, and of cash. */
  weightsAfter: Array<{
    symbol: string;
    currentPercent: string;
    targetPercent: string;
    afterPercent: string;
  }>;
  cashPercentAfter: string;
}

/**
 * Whole-share trades that move a portfolio to target weights (fractions summing to ≤ 1; held symbols
 * without a target are sold). The rest, and `cashBuffer` of the total, stays in cash. Quantities are
 * truncated toward zero so no trade overshoots its target; if the sells' rounding would leave cash
 * negative, the largest buy gives up shares until it does not. Prices are estimates; fees excluded.
 */
export function rebalancePlan(input: {
  holdings: readonly RebalanceHolding[];
  cash: Decimal.Value;
  targets: Readonly<Record<string, number | string>>;
  cashBuffer?: number;
  prices?: Readonly<Record<string, Decimal.Value>>;
}): RebalancePlan {
  const buffer = input.cashBuffer ?? 0;
  if (!(buffer >= 0 && buffer < 1)) throw new QuantError('invalid_argument', 'cashBuffer must be in [0, 1)');
  const targets = Object.entries(input.targets).map(([symbol, w]) => ({ symbol, weight: money(w) }));
  if (targets.some((t) => t.weight.isNegative()))
    throw new QuantError('invalid_argument', 'Target weights must be ≥ 0');
  if (sum(targets.map((t) => t.weight)).greaterThan(1)) {
    throw new QuantError('invalid_argument', 'Target weights must sum to at most 1');
  }
  const price = new Map<string, Decimal>(input.holdings.map((h) => [h.symbol, money(h.price)]));
  for (const [s, p] of Object.entries(input.prices ?? {})) price.set(s, money(p));
  const held = new Map(input.holdings.map((h) => [h.symbol, money(h.quantity)]));
  const symbols = [...new Set([...held.keys(), ...targets.map((t) => t.symbol)])];
  for (const s of symbols) {
    const p = price.get(s);
    if (!p || !p.greaterThan(0)) throw new QuantError('invalid_argument', `No positive price for ${s}`);
  }
  const total = input.holdings.reduce(
    (acc, h) => acc.plus(money(h.quantity).times(h.price)),
    money(input.cash),
  );
  const investable = total.times(1 - buffer);
  const weightOf = new Map(targets.map((t) => [t.symbol, t.weight]));

  const delta = new Map<string, Decimal>();
  for (const s of symbols) {
    const current = (held.get(s) ?? money(0)).times(price.get(s)!);
    const target = investable.times(weightOf.get(s) ?? 0);
    delta.set(s, target.minus(current).div(price.get(s)!).trunc());
  }
  const cashAfter = () =>
    symbols.reduce((c, s) => c.minus(delta.get(s)!.times(price.get(s)!)), money(input.cash));
  while (cashAfter().isNegative()) {
    const buys = symbols.filter((s) => delta.get(s)!.greaterThan(0));
    if (buys.length === 0) break;
    const largest = buys.sort((a, b) =>
      delta
        .get(b)!
        .times(price.get(b)!)
        .comparedTo(delta.get(a)!.times(price.get(a)!)),
    )[0]!;
    delta.set(largest, delta.get(largest)!.minus(1));
  }

  const trades = symbols
    .filter((s) => !delta.get(s)!.isZero())
    .map((s) => {
      const q = delta.get(s)!;
      const p = price.get(s)!;
      return {
        symbol: s,
        side: q.isNegative() ? ('sell' as const) : ('buy' as const),
        quantity: q.abs().toString(),
        price: toCents(p),
        estimatedValue: toCents(q.abs().times(p)),
      };
    })
    .sort((a, b) =>
      a.side === b.side ? money(b.estimatedValue).comparedTo(a.estimatedValue) : a.side === 'sell' ? -1 : 1,
    );
  const pct = (v: Decimal) => (total.isZero() ? '0.00' : v.div(total).times(100).toFixed(2));
  const cash = cashAfter();
  return {
    totalValue: toCents(total),
    trades,
    cashAfter: toCents(cash),
    weightsAfter: symbols.map((s) => {
      const before = held.get(s) ?? money(0);
      return {
        symbol: s,
        currentPercent: pct(before.times(price.get(s)!)),
        targetPercent: (weightOf.get(s) ?? money(0)).times(100).toFixed(2),
        afterPercent: pct(before.plus(delta.get(s)!).times(price.get(s)!)),
      };
    }),
    cashPercentAfter: pct(cash),
  };
}

/** Equal weights over `symbols` after keeping `cashBuffer` in cash: each gets (1 − buffer) / n. */
export function equalWeights(symbols: readonly string[]): Record<string, string> {
  if (symbols.length === 0) return {};
  const w = money(1).div(symbols.length).toDecimalPlaces(12, 1);
  return Object.fromEntries(symbols.map((s) => [s, w.toString()]));
}
