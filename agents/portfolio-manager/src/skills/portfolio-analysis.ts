import { Annotation, END, START, StateGraph } from '@langchain/langgraph';
import { formatUsd, money, type PortfolioValuation, valuePortfolio } from '@stockpulse/domain';
import type { DataPlane } from '../tools.js';

interface PortfolioSnapshot {
  account: { id: string; name: string; cash: string };
  positions: Array<{ symbol: string; quantity: string; averageCost: string }>;
}
interface QuotesResult {
  quotes: Array<{
    symbol: string;
    price: string;
    previousClose: string | null;
    asOf: string;
    live?: boolean;
  }>;
}

const State = Annotation.Root({
  authorization: Annotation<string>(),
  accountId: Annotation<string | undefined>(),
  portfolio: Annotation<PortfolioSnapshot | undefined>(),
  quotes: Annotation<QuotesResult['quotes']>(),
  valuation: Annotation<PortfolioValuation | undefined>(),
  answer: Annotation<string>(),
});

export interface PortfolioAnalysis {
  accountId: string;
  accountName: string;
  valuation: PortfolioValuation;
  text: string;
}

/**
 * The `portfolio-analysis` skill as a LangGraph pipeline: read the ledger, price every holding,
 * value it exactly (the agent never does its own arithmetic), then describe it.
 */
export function portfolioAnalysisGraph(data: DataPlane) {
  return (
    new StateGraph(State)
      // Every call carries the run's signal: cancelling the task aborts the tool call in flight.
      .addNode('loadPortfolio', async (s, config) => ({
        portfolio: await data.ledger.call<PortfolioSnapshot>(
          'get_portfolio',
          s.accountId ? { accountId: s.accountId } : {},
          { authorization: s.authorization, signal: config.signal },
        ),
      }))
      .addNode('loadQuotes', async (s, config) => {
        const symbols = s.portfolio!.positions.map((p) => p.symbol);
        if (symbols.length === 0) return { quotes: [] };
        const r = await data.market.call<QuotesResult>(
          'get_latest_quotes',
          { symbols },
          { authorization: s.authorization, signal: config.signal },
        );
        return { quotes: r.quotes };
      })
      .addNode('value', async (s) => ({
        valuation: valuePortfolio(s.portfolio!.account.cash, s.portfolio!.positions, s.quotes),
      }))
      .addNode('describe', async (s) => ({
        answer: describe(
          s.portfolio!.account.name,
          s.valuation!,
          s.quotes.some((q) => q.live),
        ),
      }))
      .addEdge(START, 'loadPortfolio')
      .addEdge('loadPortfolio', 'loadQuotes')
      .addEdge('loadQuotes', 'value')
      .addEdge('value', 'describe')
      .addEdge('describe', END)
      .compile()
  );
}

export async function analysePortfolio(
  graph: ReturnType<typeof portfolioAnalysisGraph>,
  input: { authorization: string; accountId?: string; signal?: AbortSignal },
): Promise<PortfolioAnalysis> {
  const out = await graph.invoke(
    { authorization: input.authorization, accountId: input.accountId },
    { signal: input.signal },
  );
  return {
    accountId: out.portfolio!.account.id,
    accountName: out.portfolio!.account.name,
    valuation: out.valuation!,
    text: out.answer,
  };
}

function describe(accountName: string, v: PortfolioValuation, live: boolean): string {
  const when = !v.asOf ? '' : live ? ' at live prices' : ` as of the ${v.asOf} close`;
  const lines = [`Your portfolio is worth ${formatUsd(v.totalValue)}${when}.`];
  if (v.holdings.length === 0) {
    lines.push(`It is all cash (${formatUsd(v.cash)}) in ${accountName}.`);
    return lines.join(' ');
  }
  lines[0] += ` That is ${formatUsd(v.positionsValue)} in ${v.holdings.length} positions plus ${formatUsd(v.cash)} cash.`;
  if (v.dayChange) {
    const d = money(v.dayChange);
    lines.push(`Today your holdings ${d.isNegative() ? 'lost' : 'gained'} ${formatUsd(d.abs())}.`);
  }
  const pnl = money(v.unrealizedPnl);
  lines.push(
    `Unrealized P&L is ${pnl.isNegative() ? '-' : '+'}${formatUsd(pnl.abs())} on a cost basis of ${formatUsd(v.costBasis)}.`,
  );
  const top = v.holdings
    .slice(0, 3)
    .map((h) => `${h.symbol} ${formatUsd(h.marketValue)} (${h.weightPercent}%)`);
  lines.push(`Largest holdings: ${top.join(', ')}.`);
  return lines.join(' ');
}
