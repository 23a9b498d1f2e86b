import { requireUser } from '@stockpulse/protocols/auth';
import { defineTool } from '@stockpulse/protocols/mcp';
import { z } from 'zod';
import type { Ledger } from '../store/ledger.js';

const decimal = z
  .string()
  .regex(/^-?\d+(\.\d+)?$/)
  .describe('Exact decimal as a string');
const accountId = z.string().uuid().optional().describe("Account id; omit for the user's primary account");

const account = z.object({
  id: z.string().uuid(),
  name: z.string(),
  baseCurrency: z.string(),
  costBasisMethod: z.enum(['average', 'fifo']),
  cash: decimal.describe('Cash balance: the sum of every cash ledger row'),
});
const position = z.object({
  symbol: z.string(),
  quantity: decimal,
  averageCost: decimal,
  costBasis: decimal,
  openedAt: z.string(),
});

const readOnly = {
  readOnlyHint: true,
  destructiveHint: false,
  idempotentHint: true,
  openWorldHint: false,
} as const;

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
  ];
}
