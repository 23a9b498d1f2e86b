import { requireUser } from '@stockpulse/protocols/auth';
import { defineTool } from '@stockpulse/protocols/mcp';
import { z } from 'zod';
import type { Ledger } from '../store/ledger.js';
import { ORDER_STATUSES, type Orders } from '../store/orders.js';
import { accountId, cursor, decimal, limit, nextCursor, readOnly, symbol, timestamp } from './schemas.js';

export const order = z.object({
  id: z.string().uuid(),
  accountId: z.string().uuid(),
  clientOrderId: z.string(),
  symbol: z.string(),
  side: z.enum(['buy', 'sell']),
  type: z.string().describe('market, limit, stop, stop_limit or trailing_stop'),
  quantity: decimal.nullable().describe('Shares; null for a notional (dollar) order'),
  notional: decimal.nullable().describe('Dollars, for a notional market order'),
  limitPrice: decimal.nullable(),
  stopPrice: decimal.nullable(),
  timeInForce: z.string(),
  status: z.string().describe(ORDER_STATUSES.join(', ')),
  filledQuantity: decimal,
  createdAt: timestamp,
  updatedAt: timestamp,
  expiresAt: timestamp.nullable().describe('When a working order expires (the close for day orders)'),
});

const trade = z.object({
  id: z.string().uuid(),
  orderId: z.string().uuid().nullable(),
  accountId: z.string().uuid(),
  symbol: z.string(),
  side: z.enum(['buy', 'sell']),
  quantity: decimal,
  price: decimal,
  commission: decimal,
  grossAmount: decimal.describe('quantity × price'),
  netCashFlow: decimal.describe('Cash effect incl. commission: negative for buys'),
  executedAt: timestamp,
});

export function orderTools(ledger: Ledger, orders: Orders) {
  return [
    defineTool({
      name: 'list_orders',
      title: 'List orders',
      description:
        "Orders of an account, newest first, optionally only some statuses (e.g. ['new','accepted'," +
        "'partially_filled'] for open orders) or one symbol. Paginate with nextCursor.",
      input: {
        accountId,
        status: z
          .array(z.enum(ORDER_STATUSES))
          .max(ORDER_STATUSES.length)
          .optional()
          .describe('Only these statuses'),
        symbol: symbol.optional(),
        limit,
        cursor,
      },
      output: { accountId: z.string().uuid(), items: z.array(order), nextCursor },
      annotations: readOnly,
      handler: async (args, ctx) => {
        const userId = requireUser(ctx.principal);
        const acct = await ledger.account(userId, args.accountId);
        const page = await orders.list(userId, acct.id, {
          statuses: args.status,
          symbol: args.symbol,
          limit: args.limit,
          cursor: args.cursor,
        });
        return { accountId: acct.id, ...page };
      },
    }),
    defineTool({
      name: 'get_order',
      title: 'Get order',
      description:
        'One order by id with its fills (executions, oldest first) and average fill price. Use after ' +
        'list_orders, or to follow up on an order the user placed.',
      input: { orderId: z.string().uuid() },
      output: {
        order,
        averageFillPrice: decimal.nullable().describe('Volume-weighted over the fills; null when unfilled'),
        executions: z.array(trade),
        executionsTruncated: z.boolean().describe('True when the order has more than 200 fills'),
        transitions: z
          .array(z.object({ from: z.string(), to: z.string(), at: timestamp, reason: z.string() }))
          .describe('Every status change, oldest first'),
      },
      annotations: readOnly,
      handler: async ({ orderId }, ctx) => orders.get(requireUser(ctx.principal), orderId),
    }),
    defineTool({
      name: 'list_trades',
      title: 'List trades',
      description:
        'Executions (fills) of an account, newest first, in a date range [from, to), optionally for one ' +
        'symbol or side, each with its gross amount and net cash flow. Use for "what did I buy last month", ' +
        'realized activity and fees. Paginate with nextCursor.',
      input: {
        accountId,
        from: z.iso.datetime({ offset: true }).optional().describe('Inclusive start; omit for the beginning'),
        to: z.iso.datetime({ offset: true }).optional().describe('Exclusive end; omit for now'),
        symbol: symbol.optional(),
        side: z.enum(['buy', 'sell']).optional(),
        limit,
        cursor,
      },
      output: { accountId: z.string().uuid(), items: z.array(trade), nextCursor },
      annotations: readOnly,
      handler: async (args, ctx) => {
        const userId = requireUser(ctx.principal);
        const acct = await ledger.account(userId, args.accountId);
        const page = await orders.trades(userId, acct.id, {
          from: args.from,
          to: args.to,
          symbol: args.symbol,
          side: args.side,
          limit: args.limit,
          cursor: args.cursor,
        });
        return { accountId: acct.id, ...page };
      },
    }),
  ];
}
