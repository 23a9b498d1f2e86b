import {
  companyBySymbol,
  DEMO_DEPOSIT,
  DEMO_HOLDINGS,
  lastClosedTradingDay,
  money,
  simulateDailyBars,
  simulateMarket,
  toCents,
} from '@stockpulse/domain';

/**
 * The demo portfolio's value computed independently of every service: the opening deposit, less
 * the opening purchases at the first simulated close, plus the dividends paid since (shares held
 * × amount for each ex-date after the purchase day, paid by the last closed session), plus the
 * holdings at the last simulated close. The demo holdings never split (`SPLIT_RULE`), so their
 * quantities are the seeded ones.
 */
export function expectedDemoValue(sim = { seed: 2024, start: '2024-01-02' }, now = new Date()) {
  const companies = DEMO_HOLDINGS.map((h) => companyBySymbol(h.symbol)!);
  const { bars, corporateActions } = simulateMarket({ ...sim, end: lastClosedTradingDay(now), companies });
  let cash = money(DEMO_DEPOSIT);
  let positions = money(0);
  for (const h of DEMO_HOLDINGS) {
    const series = bars.get(h.symbol)!;
    cash = cash.minus(money(h.quantity).times(series[0]!.close));
    positions = positions.plus(money(h.quantity).times(series.at(-1)!.close));
    for (const a of corporateActions) {
      if (a.symbol !== h.symbol) continue;
      if (a.kind !== 'dividend') throw new Error(`Unexpected ${a.kind} of demo holding ${h.symbol}`);
      if (a.exDate > series[0]!.date && a.payDate <= series.at(-1)!.date)
        cash = cash.plus(money(h.quantity).times(a.amount));
    }
  }
  return {
    cash: toCents(cash),
    positionsValue: toCents(positions),
    totalValue: toCents(cash.plus(positions)),
  };
}

/** Parse a text/event-stream body into its JSON `data:` payloads. */
export async function readSse(res: Response): Promise<Array<Record<string, unknown> & { type?: string }>> {
  const text = await res.text();
  return text
    .split(/\n\n/)
    .map((block) =>
      block
        .split('\n')
        .filter((l) => l.startsWith('data:'))
        .map((l) => l.slice(5).trimStart())
        .join('\n'),
    )
    .filter((d) => d.length > 0)
    .map((d) => JSON.parse(d));
}

/**
 * The demo holdings' market values at the last simulated close, computed from the simulator alone:
 * what the risk and rebalancing answers must agree with.
 */
export function expectedDemoHoldings(sim = { seed: 2024, start: '2024-01-02' }, now = new Date()) {
  const companies = DEMO_HOLDINGS.map((h) => companyBySymbol(h.symbol)!);
  const bars = simulateDailyBars({ ...sim, end: lastClosedTradingDay(now), companies });
  return DEMO_HOLDINGS.map((h) => {
    const series = bars.get(h.symbol)!;
    const last = series.at(-1)!;
    const prev = series.at(-2)!;
    return {
      symbol: h.symbol,
      quantity: h.quantity,
      close: last.close,
      previousClose: prev.close,
      date: last.date,
      marketValue: money(h.quantity).times(last.close),
      company: companyBySymbol(h.symbol)!,
    };
  });
}
