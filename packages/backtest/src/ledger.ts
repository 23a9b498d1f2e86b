import type { Fill } from '@stockpulse/broker';
import { money } from '@stockpulse/domain';
import type { Decimal } from 'decimal.js';

export interface Valuation {
  cash: Decimal;
  /** Σ signed quantity × last close. */
  holdings: Decimal;
  /** Σ |quantity| × last close. */
  gross: Decimal;
  equity: Decimal;
}

/**
 * The backtest account's cash and shares, exact: cash moves by each fill's `netCashFlow` (cents, fees
 * included), shares by its quantity. Positions are valued at each symbol's latest close.
 */
export class Ledger {
  #cash: Decimal;
  readonly #quantities = new Map<string, Decimal>();
  // Closes stay text until a held position needs its value: most symbols are not held on most days.
  readonly #closes = new Map<string, { text: string; value: Decimal | null }>();

  constructor(initialCash: string) {
    this.#cash = money(initialCash);
  }

  get cash(): Decimal {
    return this.#cash;
  }

  markClose(symbol: string, close: string): void {
    const entry = this.#closes.get(symbol);
    if (entry) {
      entry.text = close;
      entry.value = null;
    } else this.#closes.set(symbol, { text: close, value: null });
  }

  /** The latest close seen for the symbol, undefined before its first bar. */
  lastClose(symbol: string): string | undefined {
    return this.#closes.get(symbol)?.text;
  }

  quantity(symbol: string): Decimal {
    return this.#quantities.get(symbol) ?? money(0);
  }

  apply(fill: Fill): void {
    this.#cash = this.#cash.plus(fill.netCashFlow);
    const q = this.quantity(fill.symbol).plus(
      fill.side === 'buy' ? fill.quantity : money(fill.quantity).neg(),
    );
    if (q.isZero()) this.#quantities.delete(fill.symbol);
    else this.#quantities.set(fill.symbol, q);
  }

  /** Non-zero holdings by symbol with their latest close. */
  holdings(): Array<{ symbol: string; quantity: Decimal; price: string; value: Decimal }> {
    return [...this.#quantities]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([symbol, quantity]) => {
        return {
          symbol,
          quantity,
          price: this.#closes.get(symbol)!.text,
          value: quantity.times(this.#close(symbol)),
        };
      });
  }

  valuation(): Valuation {
    let holdings = money(0);
    let gross = money(0);
    for (const [symbol, quantity] of this.#quantities) {
      const value = quantity.times(this.#close(symbol));
      holdings = holdings.plus(value);
      gross = gross.plus(value.abs());
    }
    return { cash: this.#cash, holdings, gross, equity: this.#cash.plus(holdings) };
  }

  #close(symbol: string): Decimal {
    const entry = this.#closes.get(symbol)!;
    entry.value ??= money(entry.text);
    return entry.value;
  }
}
