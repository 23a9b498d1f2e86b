import { Decimal } from 'decimal.js';

/** Exact decimal arithmetic for money and quantities; never JavaScript floats. */
export const Money = Decimal.clone({ precision: 40, rounding: Decimal.ROUND_HALF_EVEN });
export type Money = Decimal;

export function money(value: Decimal.Value): Decimal {
  return new Money(value);
}

/** Dollars rounded to cents (half-even, as ledgers do), as a string like '1234.50'. */
export function toCents(value: Decimal.Value): string {
  return new Money(value).toDecimalPlaces(2, Decimal.ROUND_HALF_EVEN).toFixed(2);
}

export function sum(values: Iterable<Decimal.Value>): Decimal {
  let total = new Money(0);
  for (const v of values) total = total.plus(v);
  return total;
}

/** '$1,234,567.89' for people; data parts keep the plain decimal string. */
export function formatUsd(value: Decimal.Value): string {
  const [int, frac] = toCents(value).replace('-', '').split('.');
  const grouped = int!.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${new Money(value).isNegative() ? '-' : ''}$${grouped}.${frac}`;
}
