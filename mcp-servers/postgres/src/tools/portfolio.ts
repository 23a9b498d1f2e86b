import { requireUser } from '@stockpulse/protocols/auth';
import { defineTool } from '@stockpulse/protocols/mcp';
import { z } from 'zod';
import type { Ledger } from '../store/ledger.js';
import { accountId, decimal, readOnly, timestamp } from './schemas.js';

export const account = z.object({
  id: z.string().uuid(),
  name: z.string(),
  baseCurrency: z.string(),
  costBasisMethod: z.enum(['average', 'fifo']),
  cash: decimal.describe('Cash balance: the sum of every cash ledger row'),
});
export const position = z.object({
  symbol: z.string(),
  quantity: decimal,
  averageCost: decimal,
  costBasis: decimal,
  openedAt: z.string(),
});

export function portfolioTools(ledger: Ledger) {
  return [
    defineTool({
      name: 'list_accounts',
      title: 'List accounts',
      description:
        "The caller's brokerage accounts with their cash balances. Start here to find an account id.",
      input: {},
      output: { accounts: z.array(account) },
      annotations: readOnly,
      handler: async (_args, ctx) => ({ accounts: await ledger.accounts(requireUser(ctx.principal)) }),
    }),
    defineTool({
      name: 'get_portfolio',
      title: 'Get portfolio',
      description:
        'Everything needed to value a portfolio in one call: the account, its cash balance and every open ' +
        'position (quantity, average cost, cost basis). Prices are not included: get them from the timescale ' +
        "server's get_latest_quotes. Use this for 'what is my portfolio worth', holdings and exposure questions.",
      input: { accountId },
      output: { account, positions: z.array(position) },
      annotations: readOnly,
      handler: async ({ accountId }, ctx) => ledger.portfolio(requireUser(ctx.principal), accountId),
    }),
    defineTool({
      name: 'list_positions',
      title: 'List positions',
      description: 'Open positions of an account: symbol, quantity, average cost and cost basis.',
      input: { accountId },
      output: { accountId: z.string().uuid(), positions: z.array(position) },
      annotations: readOnly,
      handler: async ({ accountId }, ctx) => {
        const userId = requireUser(ctx.principal);
        const acct = await ledger.account(userId, accountId);
        return { accountId: acct.id, positions: await ledger.positions(userId, acct.id) };
      },
    }),
    defineTool({
      name: 'list_cash_transactions',
      title: 'List cash transactions',
      description:
        'Cash ledger of an account, newest first: deposits, withdrawals, trade settlements, fees and dividends. ' +
        'Paginate with the returned nextCursor.',
      input: {
        accountId,
        limit: z.number().int().min(1).max(200).default(50),
        cursor: z.string().regex(/^\d+$/).optional().describe('nextCursor from the previous page'),
      },
      output: {
        accountId: z.string().uuid(),
        items: z.array(
          z.object({
            id: z.number().int(),
            at: z.string(),
            kind: z.string(),
            amount: decimal,
            reference: z.string().nullable(),
            memo: z.string().nullable(),
          }),
        ),
        nextCursor: z.string().nullable(),
      },
      annotations: readOnly,
      handler: async ({ accountId, limit, cursor }, ctx) => {
        const userId = requireUser(ctx.principal);
        const acct = await ledger.account(userId, accountId);
        const page = await ledger.cashTransactions(userId, acct.id, {
          limit,
          beforeId: cursor ? Number(cursor) : undefined,
        });
        return { accountId: acct.id, ...page };
      },
    }),
    defineTool({
      name: 'get_cash_balance',
      title: 'Get cash balance',
      description:
        "An account's cash balance, derived from its cash ledger (the sum of every movement, optionally up " +
        'to a point in time), broken down by kind, with a consistency check against a recomputation from the ' +
        'executions. Use for "how much cash do I have", buying-power questions, or to audit the ledger.',
      input: {
        accountId,
        asOf: z.iso
          .datetime({ offset: true })
          .optional()
          .describe('Balance as of this instant; omit for now'),
      },
      output: {
        accountId: z.string().uuid(),
        currency: z.string(),
        balance: decimal.describe('Sum of every cash ledger row up to asOf'),
        asOf: timestamp,
        entries: z.number().int().describe('Cash ledger rows counted'),
        byKind: z.object({
          deposit: decimal,
          withdrawal: decimal,
          trade: decimal,
          fee: decimal,
          dividend: decimal,
          adjustment: decimal,
        }),
        check: z.object({
          recomputed: decimal.describe('Non-trade rows plus the cash effect of every execution'),
          difference: decimal.describe('balance − recomputed'),
          consistent: z.boolean().describe('True when the two agree and every execution has its cash row'),
          executions: z.number().int(),
          executionsWithoutCashRow: z.number().int(),
          tradeRowsWithoutExecution: z.number().int(),
        }),
      },
      annotations: readOnly,
      handler: async ({ accountId, asOf }, ctx) => {
        const userId = requireUser(ctx.principal);
        const acct = await ledger.account(userId, accountId);
        const balance = await ledger.cashBalance(userId, acct.id, asOf ? new Date(asOf) : undefined);
        return { accountId: acct.id, currency: acct.baseCurrency, ...balance };
      },
    }),
  ];
}
