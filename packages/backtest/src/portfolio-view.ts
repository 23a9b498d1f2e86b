import { toCents } from '@stockpulse/domain';
import type { Decimal } from 'decimal.js';
import type { OrderDesk } from './desk.js';
import type { Ledger } from './ledger.js';
import type { PortfolioView } from './strategy.js';

/**
 * The account as the strategy sees it at the close. Positions and open orders are built on first
 * use: most strategies only ask for a few quantities.
 */
export function portfolioView(ledger: Ledger, equity: Decimal, desk: OrderDesk): PortfolioView {
  const positions = once(() =>
    Object.freeze(
      ledger.holdings().map((h) => ({
        symbol: h.symbol,
        quantity: h.quantity.toFixed(),
        price: h.price,
        marketValue: toCents(h.value),
        weight: equity.isZero() ? 0 : h.value.div(equity).toNumber(),
      })),
    ),
  );
  const bySymbol = once(() => new Map(positions().map((p) => [p.symbol, p])));
  const openOrders = once(() => Object.freeze(desk.openOrders()));
  return Object.freeze({
    cash: ledger.cash.toFixed(),
    equity: equity.toFixed(),
    get positions() {
      return positions();
    },
    get openOrders() {
      return openOrders();
    },
    position: (symbol: string) => bySymbol().get(symbol),
    quantity: (symbol: string) => ledger.quantity(symbol).toNumber(),
  });
}

/** A value computed on first use, then kept. */
export function once<T>(make: () => T): () => T {
  let value: T | undefined;
  return () => {
    if (value === undefined) value = make();
    return value;
  };
}
