import { formatUsd, type PortfolioValuation } from '@stockpulse/domain';

export const CAPABILITIES =
  'I can tell you what your portfolio is worth and what you hold, how exposed and how risky it is, why a stock ' +
  'moved, and how to rebalance. Try "What is my portfolio worth?", "How exposed am I to chips?", ' +
  '"Why did NVDA move?" or "Rebalance my portfolio".';

export const TRADING_UNAVAILABLE = 'Placing orders is not available yet.';

export const GREETING = `Hi! I'm StockPulse, your trading assistant. ${CAPABILITIES}`;

export function unsupported(text: string): string {
  const quoted = text.length > 80 ? `${text.slice(0, 77)}...` : text;
  return `I can't help with "${quoted}" yet. ${CAPABILITIES}`;
}

export function holdingsReply(v: PortfolioValuation): string {
  if (v.holdings.length === 0) return `You hold no stocks right now; your ${formatUsd(v.cash)} is all cash.`;
  const lines = v.holdings.map(
    (h) =>
      `- ${h.symbol}: ${h.quantity} shares at ${formatUsd(h.price)} = ${formatUsd(h.marketValue)} (${h.weightPercent}%)`,
  );
  return [
    `You hold ${v.holdings.length} positions${v.asOf ? ` (prices as of the ${v.asOf} close)` : ''}:`,
    ...lines,
    `- Cash: ${formatUsd(v.cash)}`,
  ].join('\n');
}
