import type { SimulatedFeed } from '@stockpulse/domain';
import { requireUser } from '@stockpulse/protocols/auth';
import { defineTool } from '@stockpulse/protocols/mcp';
import { z } from 'zod';
import { positionAccounting } from '../store/accounting.js';
import type { Ledger } from '../store/ledger.js';
import { accountId, decimal, readOnly } from './schemas.js';

const lot = z.object({ openedOn: z.string(), quantity: decimal, costBasis: decimal, costPerShare: decimal });
const closure = z.object({
  date: z.string(),
  openedOn: z.string(),
  quantity: decimal,
  proceeds: decimal,
  costBasis: decimal,
  realizedPnl: z.string(),
});
const position = z.object({
  symbol: z.string(),
  quantity: z.string(),
  costBasis: z.string(),
  averageCost: z.string().nullable(),
  openLots: z.array(lot).describe('Open lots, oldest first (FIFO accounts; one pooled lot for average cost)'),
  closures: z.array(closure).describe('The latest lot closures by sales, with their realized P&L'),
  realizedPnl: z.string().describe('Net of fees'),
  dividendIncome: z.string(),
  dividendsReceivable: z.string(),
  commissions: z.string(),
  marketPrice: z.string().nullable(),
  marketValue: z.string().nullable(),
  unrealizedPnl: z.string().nullable(),
});

export function accountingTools(ledger: Ledger, feed: SimulatedFeed) {
  return [
    defineTool({
      name: 'get_position_accounting',
      title: 'Position accounting (cost basis and P&L)',
      description:
        'Cost basis, open lots, realized P&L (net of fees), unrealized P&L at the current price and dividend ' +
        "income per symbol, by the account's cost method (average cost or FIFO lots), replaying every " +
        'execution, split and dividend the ledger recorded.',
      input: { accountId },
      output: {
        accountId: z.string().uuid(),
        method: z.enum(['average', 'fifo']),
        asOf: z.string(),
        positions: z.array(position),
      },
      annotations: readOnly,
      handler: async (args, ctx) =>
        positionAccounting(ledger, feed, requireUser(ctx.principal), args.accountId),
    }),
  ];
}
