import { requireUser } from '@stockpulse/protocols/auth';
import { definePrompt } from '@stockpulse/protocols/mcp';
import { z } from 'zod';
import { portfolioUri } from './resources.js';
import type { LedgerStores } from './store/index.js';

const FOCUS = {
  risk: 'concentration (largest weights, sector exposure) and what a 10% drop in the largest holding would cost',
  performance: 'unrealized gain or loss per position against its average cost, and recent trading activity',
  rebalancing: 'how far each position is from an equal weight, and which trades would close the gap',
} as const;

/** A workflow for "review my portfolio": the data attached, the steps spelled out. */
export function ledgerPrompts({ ledger }: LedgerStores) {
  return [
    definePrompt({
      name: 'portfolio_review',
      title: 'Portfolio review',
      description:
        'Review one account: valuation, cash, concentration and recent trades, with its data attached.',
      args: {
        accountId: z.string().optional().describe("Account id; omit for the user's primary account"),
        focus: z.enum(['risk', 'performance', 'rebalancing']).optional().describe('What to emphasize'),
      },
      get: async ({ accountId, focus }, ctx) => {
        const userId = requireUser(ctx.principal);
        const portfolio = await ledger.portfolio(userId, accountId);
        const cash = await ledger.cashBalance(userId, portfolio.account.id);
        const uri = portfolioUri(portfolio.account.id);
        return {
          description: `Review of ${portfolio.account.name}`,
          messages: [
            {
              role: 'user',
              content: {
                type: 'resource',
                resource: { uri, mimeType: 'application/json', text: JSON.stringify({ ...portfolio, cash }) },
              },
            },
            {
              role: 'user',
              content: {
                type: 'text',
                text: [
                  `Review my account "${portfolio.account.name}" (the attached ${uri}).`,
                  '1. Price every position with get_latest_quotes (timescale server) and value the account: cash plus positions.',
                  '2. Give each position its weight and unrealized P&L against its average cost.',
                  '3. Check the cash ledger: report the get_cash_balance consistency check if it is not consistent.',
                  '4. Look at the last 30 days of list_trades.',
                  `Focus on ${FOCUS[focus ?? 'risk']}.`,
                  'Quote exact figures from the tools; do not do arithmetic you could not show.',
                ].join('\n'),
              },
            },
          ],
        };
      },
    }),
  ];
}
