import { type AgentCard, agentCard } from '@stockpulse/protocols/a2a';
import { SKILLS } from './executor.js';

export function portfolioManagerCard(publicUrl: string): AgentCard {
  return agentCard({
    name: 'StockPulse Portfolio Manager',
    description:
      "Analyses a user's portfolio from their brokerage ledger and live market data: value, holdings, weights and P&L.",
    version: '0.1.0',
    publicUrl,
    streaming: true,
    pushNotifications: false,
    skills: [
      {
        id: SKILLS.portfolioAnalysis,
        name: 'Portfolio analysis',
        description:
          'Value the caller’s portfolio at the latest close: total value, cash, positions value, per-holding market ' +
          'value, weight, day change and unrealized P&L. Returns text and a structured valuation data part.',
        tags: ['portfolio', 'valuation', 'holdings', 'pnl'],
        examples: ['What is my portfolio worth?', 'Show my holdings and weights'],
        outputModes: ['text/plain', 'application/json'],
      },
    ],
  });
}
