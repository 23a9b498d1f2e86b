import { AppError } from '@stockpulse/core';
import { formatUsd, type PortfolioValuation } from '@stockpulse/domain';
import { equalWeights, type RebalancePlan, rebalancePlan } from '@stockpulse/quant';
import { z } from 'zod';

export const rebalanceRequestSchema = z.object({
  /** Target weights as fractions (sum ≤ 1); default: equal weight over the current holdings. */
  targets: z.record(z.string().regex(/^[A-Z][A-Z0-9.-]{0,9}$/), z.number().min(0).max(1)).optional(),
  /** Fraction of the portfolio to keep in cash. */
  cashBuffer: z.number().min(0).max(0.5).default(0.02),
});
export type RebalanceRequest = z.infer<typeof rebalanceRequestSchema>;

export interface RebalanceProposal extends RebalancePlan {
  kind: 'rebalance-plan';
  method: 'equal-weight' | 'targets';
  cashBufferPercent: string;
  text: string;
}

/**
 * The `rebalancing` skill: whole-share trades from the current holdings to target weights (equal
 * weight by default, keeping a cash buffer). A plan only — nothing is placed; each trade can then be
 * previewed and confirmed as an order.
 */
export function proposeRebalance(
  valuation: PortfolioValuation,
  request: RebalanceRequest,
): RebalanceProposal {
  const targetSymbols = Object.keys(request.targets ?? {});
  const missingPrice = targetSymbols.filter((s) => !valuation.holdings.some((h) => h.symbol === s));
  if (missingPrice.length > 0) {
    throw new AppError(
      'bad_request',
      `Targets can only name current holdings for now: ${missingPrice.join(', ')}`,
    );
  }
  if (valuation.holdings.length === 0 && !request.targets) {
    throw new AppError('bad_request', 'There is nothing to rebalance: the portfolio holds no stocks.');
  }
  const plan = rebalancePlan({
    holdings: valuation.holdings.map((h) => ({ symbol: h.symbol, quantity: h.quantity, price: h.price })),
    cash: valuation.cash,
    targets: request.targets ?? equalWeights(valuation.holdings.map((h) => h.symbol)),
    cashBuffer: request.cashBuffer,
  });
  const proposal = {
    kind: 'rebalance-plan' as const,
    method: request.targets ? ('targets' as const) : ('equal-weight' as const),
    cashBufferPercent: (request.cashBuffer * 100).toFixed(1),
    ...plan,
  };
  return { ...proposal, text: describePlan(proposal) };
}

function describePlan(p: Omit<RebalanceProposal, 'text'>): string {
  if (p.trades.length === 0)
    return 'Your portfolio is already within one share of its targets; no trades needed.';
  const goal =
    p.method === 'equal-weight'
      ? `equal weight across your ${p.weightsAfter.length} holdings, keeping ${p.cashBufferPercent}% in cash`
      : 'your target weights';
  const lines = [`To rebalance to ${goal} (${formatUsd(p.totalValue)} in all), I would:`];
  for (const t of p.trades) {
    lines.push(
      `- ${t.side} ${t.quantity} ${t.symbol} at about ${formatUsd(t.price)} (${formatUsd(t.estimatedValue)})`,
    );
  }
  lines.push(
    `Cash afterwards: about ${formatUsd(p.cashAfter)} (${p.cashPercentAfter}%). Nothing has been placed; say e.g. "${p.trades[0]!.side} ${p.trades[0]!.quantity} ${p.trades[0]!.symbol}" to preview an order.`,
  );
  return lines.join('\n');
}
