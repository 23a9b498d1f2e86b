import { money } from '@stockpulse/domain';
import type { Decimal } from 'decimal.js';

export interface PositionReturn {
  symbol: string;
  sector?: string;
  /** Beginning-of-period weight in the whole portfolio (cash included), as a decimal fraction. */
  weight: Decimal.Value;
  /** The position's return over the period, as a decimal fraction. */
  return: Decimal.Value;
}

export interface PositionContribution {
  symbol: string;
  sector: string;
  weight: Decimal;
  return: Decimal;
  contribution: Decimal;
}

export interface SectorContribution {
  sector: string;
  weight: Decimal;
  /** contribution / weight (the sector's own return); null for a zero-weight sector. */
  return: Decimal | null;
  contribution: Decimal;
}

export interface ContributionToReturn {
  /** Σ weight × return; equal, exactly, to the sum of either breakdown. */
  portfolioReturn: Decimal;
  byPosition: PositionContribution[];
  bySector: SectorContribution[];
}

export const UNCLASSIFIED = 'Unclassified';

/**
 * Contribution to return: each position contributes weight × return and the portfolio return is their
 * sum (single period, weights fixed at the start). Sectors sum their positions; positions without a
 * sector go to 'Unclassified'. Include cash as a position (its return 0 or its interest) when its
 * weight is part of the total. Exact decimal arithmetic; sectors in order of first appearance.
 */
export function contributionToReturn(positions: readonly PositionReturn[]): ContributionToReturn {
  const byPosition = positions.map((p) => {
    const weight = money(p.weight);
    const ret = money(p.return);
    return {
      symbol: p.symbol,
      sector: p.sector ?? UNCLASSIFIED,
      weight,
      return: ret,
      contribution: weight.times(ret),
    };
  });
  const sectors = new Map<string, { weight: Decimal; contribution: Decimal }>();
  for (const p of byPosition) {
    const s = sectors.get(p.sector) ?? { weight: money(0), contribution: money(0) };
    sectors.set(p.sector, {
      weight: s.weight.plus(p.weight),
      contribution: s.contribution.plus(p.contribution),
    });
  }
  const bySector = [...sectors].map(([sector, s]) => ({
    sector,
    weight: s.weight,
    return: s.weight.isZero() ? null : s.contribution.div(s.weight),
    contribution: s.contribution,
  }));
  return {
    portfolioReturn: byPosition.reduce((total, p) => total.plus(p.contribution), money(0)),
    byPosition,
    bySector,
  };
}
