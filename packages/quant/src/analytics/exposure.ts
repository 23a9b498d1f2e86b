import { money, sum } from '@stockpulse/domain';
import type { Decimal } from 'decimal.js';
import { QuantError } from '../errors.js';
import type { HoldingValue } from './concentration.js';

export interface GroupExposure {
  group: string;
  /** Market value of the group's holdings, exact. */
  value: Decimal;
  /** Share of the base (the whole account when cash is given), exact fraction. */
  weight: Decimal;
  symbols: string[];
}

/**
 * Exposure by group (sector, sub-industry, theme): each group's market value and its weight of the
 * account's total (holdings plus `cash`), largest first. Holdings the classifier returns no group for
 * are left out of the groups but still count in the total.
 */
export function exposureByGroup(
  holdings: readonly HoldingValue[],
  groupOf: (symbol: string) => string | undefined,
  cash: Decimal.Value = 0,
): GroupExposure[] {
  if (holdings.some((h) => money(h.value).isNegative()) || money(cash).isNegative()) {
    throw new QuantError('invalid_argument', 'Holding values and cash must be non-negative');
  }
  const total = sum(holdings.map((h) => h.value)).plus(cash);
  const groups = new Map<string, { value: Decimal; symbols: string[] }>();
  for (const h of holdings) {
    const g = groupOf(h.symbol);
    if (g === undefined) continue;
    const entry = groups.get(g) ?? { value: money(0), symbols: [] };
    entry.value = entry.value.plus(h.value);
    entry.symbols.push(h.symbol);
    groups.set(g, entry);
  }
  return [...groups]
    .map(([group, { value, symbols }]) => ({
      group,
      value,
      weight: total.isZero() ? money(0) : value.div(total),
      symbols,
    }))
    .sort((a, b) => b.value.comparedTo(a.value) || a.group.localeCompare(b.group));
}

export interface PriceHistory {
  symbol: string;
  bars: ReadonlyArray<{ date: string; close: string }>;
}

/**
 * The value each day of today's holdings held unchanged over the past (a "backcast"): on every date
 * all symbols have a close, Σ quantity × close + cash. Used for the risk of the portfolio as it stands
 * now, not of its history (which had other positions). Dates ascending.
 */
export function backcastValues(
  quantities: ReadonlyArray<{ symbol: string; quantity: Decimal.Value }>,
  histories: readonly PriceHistory[],
  cash: Decimal.Value = 0,
): Array<{ date: string; value: Decimal }> {
  const closes = new Map(histories.map((h) => [h.symbol, new Map(h.bars.map((b) => [b.date, b.close]))]));
  const missing = quantities.filter((q) => !closes.has(q.symbol)).map((q) => q.symbol);
  if (missing.length > 0)
    throw new QuantError('invalid_argument', `No price history for ${missing.join(', ')}`);
  if (quantities.length === 0) return [];
  const [first, ...rest] = quantities.map((q) => closes.get(q.symbol)!);
  const dates = [...first!.keys()].filter((d) => rest.every((c) => c.has(d))).sort();
  return dates.map((date) => ({
    date,
    value: quantities.reduce(
      (s, q) => s.plus(money(q.quantity).times(closes.get(q.symbol)!.get(date)!)),
      money(cash),
    ),
  }));
}
