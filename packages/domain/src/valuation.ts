import { money, toCents } from './money.js';

export interface HoldingInput {
  symbol: string;
  quantity: string;
  averageCost: string;
}

export interface PriceInput {
  symbol: string;
  price: string;
  previousClose?: string | null;
  asOf: string;
}

export interface ValuedHolding {
  symbol: string;
  quantity: string;
  price: string;
  marketValue: string;
  costBasis: string;
  unrealizedPnl: string;
  unrealizedPnlPercent: string | null;
  dayChange: string | null;
  weightPercent: string;
}

export interface PortfolioValuation {
  cash: string;
  positionsValue: string;
  totalValue: string;
  costBasis: string;
  unrealizedPnl: string;
  dayChange: string | null;
  asOf: string | null;
  holdings: ValuedHolding[];
}

/**
 * Value a portfolio exactly: total = cash + Σ quantity × price, each line rounded to cents only at
 * the end (half-even). Weights are of the total including cash. Every holding needs a price.
 */
export function valuePortfolio(
  cash: string,
  holdings: readonly HoldingInput[],
  prices: readonly PriceInput[],
): PortfolioValuation {
  const bySymbol = new Map(prices.map((p) => [p.symbol, p]));
  const rows = holdings.map((h) => {
    const p = bySymbol.get(h.symbol);
    if (!p) throw new Error(`No price for ${h.symbol}`);
    const qty = money(h.quantity);
    const value = qty.times(p.price);
    const cost = qty.times(h.averageCost);
    const day = p.previousClose ? qty.times(money(p.price).minus(p.previousClose)) : null;
    return { h, p, qty, value, cost, day };
  });
  const positionsValue = rows.reduce((s, r) => s.plus(r.value), money(0));
  const total = positionsValue.plus(cash);
  const costBasis = rows.reduce((s, r) => s.plus(r.cost), money(0));
  const dayChange = rows.every((r) => r.day) ? rows.reduce((s, r) => s.plus(r.day!), money(0)) : null;
  const asOf = prices.reduce<string | null>(
    (latest, p) => (!latest || p.asOf > latest ? p.asOf : latest),
    null,
  );
  return {
    cash: toCents(cash),
    positionsValue: toCents(positionsValue),
    totalValue: toCents(total),
    costBasis: toCents(costBasis),
    unrealizedPnl: toCents(positionsValue.minus(costBasis)),
    dayChange: dayChange ? toCents(dayChange) : null,
    asOf,
    holdings: rows
      .map((r) => ({
        symbol: r.h.symbol,
        quantity: r.qty.toString(),
        price: toCents(r.p.price),
        marketValue: toCents(r.value),
        costBasis: toCents(r.cost),
        unrealizedPnl: toCents(r.value.minus(r.cost)),
        unrealizedPnlPercent: r.cost.isZero()
          ? null
          : r.value.minus(r.cost).div(r.cost).times(100).toFixed(2),
        dayChange: r.day ? toCents(r.day) : null,
        weightPercent: total.isZero() ? '0.00' : r.value.div(total).times(100).toFixed(2),
      }))
      .sort((a, b) => money(b.marketValue).comparedTo(a.marketValue)),
  };
}
