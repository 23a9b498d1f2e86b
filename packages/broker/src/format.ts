import { formatUsd, money } from '@stockpulse/domain';
import type { Decimal } from 'decimal.js';

/** Display helpers for rule messages; data fields keep plain decimal strings. */
export const usd = (v: Decimal.Value): string => formatUsd(v);

/** A fraction as a percentage with two decimals: 0.312 → '31.20%'. */
export const pct = (fraction: Decimal.Value): string => `${money(fraction).times(100).toFixed(2)}%`;

/** A decimal in plain notation without trailing zeros: '100.50' → '100.5', 1e-8 → '0.00000001'. */
export const plain = (v: Decimal.Value): string => money(v).toFixed();

/** The object without its undefined properties (optional fields absent, not undefined). */
export function stripUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
