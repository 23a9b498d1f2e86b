/** The portfolio-manager's skills by id, as advertised in its Agent Card and named in delegations. */
export const SKILLS = {
  portfolioAnalysis: 'portfolio-analysis',
  riskAnalysis: 'risk-analysis',
  marketAnalysis: 'market-analysis',
  rebalancing: 'rebalancing',
  orderPlanning: 'order-planning',
  alerts: 'alerts',
  backtesting: 'backtesting',
} as const;
export type SkillId = (typeof SKILLS)[keyof typeof SKILLS];

const TICKER = /\b([A-Z]{1,5}(?:\.[A-Z])?)\b/;

/**
 * The skill a text-only request asks for, for A2A callers that send no `{ skill }` data part:
 * a small keyword rule (the user-assistant always names the skill).
 */
export function skillForText(text: string): { skill: SkillId; symbol?: string } {
  const t = text.toLowerCase();
  if (/\brebalanc/.test(t)) return { skill: SKILLS.rebalancing };
  if (/\b(risk|risky|exposed|exposure|volatil|drawdown|concentrat|diversif)/.test(t))
    return { skill: SKILLS.riskAnalysis };
  const symbol = TICKER.exec(text)?.[1];
  if (symbol && /\b(why|move|moved|doing|analy|price|quote|news)/.test(t))
    return { skill: SKILLS.marketAnalysis, symbol };
  return { skill: SKILLS.portfolioAnalysis };
}
