import { companyBySymbol, formatUsd, type PortfolioValuation } from '@stockpulse/domain';
import {
  annualizedVolatility,
  backcastValues,
  concentration,
  exposureByGroup,
  historicalVar,
  maxDrawdown,
  simpleReturns,
} from '@stockpulse/quant';
import { z } from 'zod';
import { dailyHistories, type SkillContext } from './context.js';

/** A theme to measure exposure to: a GICS sector, sub-industry words, or one symbol. */
export const themeSchema = z.object({
  label: z.string().min(1).max(60),
  sector: z.string().max(60).optional(),
  subIndustryIncludes: z.array(z.string().min(1).max(60)).max(10).optional(),
  symbol: z.string().max(10).optional(),
});
export type Theme = z.infer<typeof themeSchema>;

const HISTORY_DAYS = 253; // one year of daily returns

export interface RiskReport {
  kind: 'risk-report';
  totalValue: string;
  asOf: string | null;
  sectors: Array<{ sector: string; value: string; weightPercent: string; symbols: string[] }>;
  theme?: { label: string; value: string; weightPercent: string; symbols: string[] };
  concentration: {
    largest: { symbol: string; weightPercent: string } | null;
    herfindahl: string;
    effectiveHoldings: string | null;
  };
  /** Risk of today's holdings held over the past year (a backcast), from daily closes. */
  backcast: {
    from: string;
    to: string;
    observations: number;
    annualizedVolatilityPercent: string;
    valueAtRisk95OneDay: { percent: string; amount: string };
    expectedShortfall95OneDay: { percent: string; amount: string };
    maxDrawdown: { percent: string; peakDate: string | null; troughDate: string | null };
  } | null;
  text: string;
}

function inTheme(theme: Theme, symbol: string): boolean {
  if (theme.symbol) return theme.symbol === symbol;
  const c = companyBySymbol(symbol);
  if (!c) return false;
  if (theme.sector && c.sector !== theme.sector) return false;
  if (theme.subIndustryIncludes && !theme.subIndustryIncludes.some((w) => c.subIndustry.includes(w)))
    return false;
  return Boolean(theme.sector || theme.subIndustryIncludes);
}

/**
 * The `risk-analysis` skill: where the money is (sector and theme exposure, concentration) and how
 * much it can move (volatility, 1-day 95% VaR and expected shortfall, worst drawdown of the current
 * holdings over the past year). Every figure comes from @stockpulse/quant.
 */
export async function analyseRisk(
  ctx: SkillContext,
  valuation: PortfolioValuation,
  theme?: Theme,
): Promise<RiskReport> {
  const holdings = valuation.holdings.map((h) => ({ symbol: h.symbol, value: h.marketValue }));
  const sectors = exposureByGroup(
    holdings,
    (s) => companyBySymbol(s)?.sector ?? 'Unclassified',
    valuation.cash,
  );
  const themed = theme
    ? exposureByGroup(holdings, (s) => (inTheme(theme, s) ? theme.label : undefined), valuation.cash)[0]
    : undefined;
  const conc = concentration([...holdings, { symbol: 'CASH', value: valuation.cash }]);

  let backcast: RiskReport['backcast'] = null;
  if (valuation.holdings.length > 0) {
    const histories = await dailyHistories(
      ctx,
      valuation.holdings.map((h) => h.symbol),
      HISTORY_DAYS,
    );
    const series = backcastValues(valuation.holdings, histories, valuation.cash);
    if (series.length >= 30) {
      const values = series.map((p) => p.value.toNumber());
      const returns = simpleReturns(values);
      const v = historicalVar(returns, { confidence: 0.95, horizonDays: 1 });
      const dd = maxDrawdown(series.map((p, i) => ({ date: p.date, value: values[i]! })));
      const total = Number(valuation.totalValue);
      backcast = {
        from: series[0]!.date,
        to: series.at(-1)!.date,
        observations: returns.length,
        annualizedVolatilityPercent: (annualizedVolatility(returns) * 100).toFixed(1),
        valueAtRisk95OneDay: {
          percent: (v.valueAtRisk * 100).toFixed(2),
          amount: (v.valueAtRisk * total).toFixed(2),
        },
        expectedShortfall95OneDay: {
          percent: (v.expectedShortfall * 100).toFixed(2),
          amount: (v.expectedShortfall * total).toFixed(2),
        },
        maxDrawdown: {
          percent: (dd.maxDrawdown * 100).toFixed(1),
          peakDate: dd.peakDate,
          troughDate: dd.troughDate,
        },
      };
    }
  }

  const report: Omit<RiskReport, 'text'> = {
    kind: 'risk-report',
    totalValue: valuation.totalValue,
    asOf: valuation.asOf,
    sectors: sectors.map((g) => ({
      sector: g.group,
      value: g.value.toFixed(2),
      weightPercent: g.weight.times(100).toFixed(2),
      symbols: g.symbols,
    })),
    ...(theme
      ? {
          theme: {
            label: theme.label,
            value: themed?.value.toFixed(2) ?? '0.00',
            weightPercent: themed?.weight.times(100).toFixed(2) ?? '0.00',
            symbols: themed?.symbols ?? [],
          },
        }
      : {}),
    concentration: {
      largest: conc.largest
        ? { symbol: conc.largest.symbol, weightPercent: conc.largest.weight.times(100).toFixed(2) }
        : null,
      herfindahl: conc.herfindahl.toFixed(4),
      effectiveHoldings: conc.effectiveHoldings?.toFixed(1) ?? null,
    },
    backcast,
  };
  return { ...report, text: describeRisk(report) };
}

function describeRisk(r: Omit<RiskReport, 'text'>): string {
  const lines: string[] = [];
  if (r.theme) {
    const t = r.theme;
    lines.push(
      t.symbols.length === 0
        ? `You have no exposure to ${t.label}.`
        : `Your exposure to ${t.label} is ${formatUsd(t.value)}, ${t.weightPercent}% of your ${formatUsd(r.totalValue)} portfolio (${t.symbols.join(', ')}).`,
    );
  }
  const top = r.sectors.slice(0, 3).map((s) => `${s.sector} ${s.weightPercent}%`);
  if (top.length > 0) lines.push(`By sector: ${top.join(', ')}${r.sectors.length > 3 ? ', …' : '.'}`);
  const largest = r.concentration.largest;
  if (largest && largest.symbol !== 'CASH') {
    lines.push(`Your largest position is ${largest.symbol} at ${largest.weightPercent}% of the portfolio.`);
  }
  if (r.backcast) {
    const b = r.backcast;
    lines.push(
      `Held as it is now over the past year, the portfolio's volatility would have been ${b.annualizedVolatilityPercent}% a year; ` +
        `on 1 day in 20 it could lose ${b.valueAtRisk95OneDay.percent}% (${formatUsd(b.valueAtRisk95OneDay.amount)}) or more, ` +
        `and its worst fall was ${b.maxDrawdown.percent}% (${b.maxDrawdown.peakDate} to ${b.maxDrawdown.troughDate}).`,
    );
  } else if (!r.theme) {
    lines.push('There is not enough price history yet to measure volatility.');
  }
  return lines.join(' ');
}
