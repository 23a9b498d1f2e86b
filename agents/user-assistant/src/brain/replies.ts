import { formatUsd, type PortfolioValuation } from '@stockpulse/domain';

export const CAPABILITIES =
  'I can tell you what your portfolio is worth and what you hold, how exposed and how risky it is, why a stock ' +
  'moved, how to rebalance, and place paper trades after you confirm them. Try "What is my portfolio worth?", ' +
  '"How exposed am I to chips?", "Why did NVDA move?", "Rebalance my portfolio" or "Buy 10 AAPL".';

export const NOTHING_PENDING =
  'There is no order waiting for your confirmation. Say e.g. "buy 10 AAPL" to preview one.';

export const PREVIEW_EXPIRED = (summary: string) =>
  `The preview of ${summary} has expired, so I did not place it. Ask again for a fresh preview.`;

/** The question after an order preview; the order is placed only on "confirm". */
export function confirmPrompt(expiresAt: string): string {
  const seconds = Math.max(0, Math.round((Date.parse(expiresAt) - Date.now()) / 1000));
  return `Reply "confirm" within ${seconds} seconds to place it, or "cancel" to drop it.`;
}

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
