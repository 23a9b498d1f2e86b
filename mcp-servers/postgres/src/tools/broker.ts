import {
  type Order,
  OrderChangesSchema,
  OrderRequestSchema,
  type PreviewResult,
  RISK_RULES,
} from '@stockpulse/broker';
import { requireUser } from '@stockpulse/protocols/auth';
import { defineTool } from '@stockpulse/protocols/mcp';
import { z } from 'zod';
import type { PaperBroker } from '../broker/paper-broker.js';
import type { Ledger } from '../store/ledger.js';
import { accountId, decimal, readOnly, timestamp } from './schemas.js';

const riskCheck = z.object({
  rule: z.enum(RISK_RULES),
  passed: z.boolean(),
  message: z.string().describe('What the rule found, with the numbers'),
  numbers: z.record(z.string(), z.string()),
});

const previewOutput = {
  accountId: z.string().uuid(),
  request: z.record(z.string(), z.unknown()).describe('The order as it will be placed (canonical)'),
  quote: z.object({ symbol: z.string(), price: decimal, at: timestamp.optional() }),
  estimatedPrice: decimal,
  estimatedQuantity: decimal,
  estimatedGross: decimal,
  estimatedFees: decimal,
  estimatedCashFlow: decimal.describe('Negative for a buy'),
  cashBefore: decimal,
  cashAfter: decimal,
  weights: z.array(
    z.object({
      symbol: z.string(),
      quantityBefore: decimal,
      quantityAfter: decimal,
      valueAfter: decimal,
      weightBefore: decimal,
      weightAfter: decimal,
    }),
  ),
  risk: z.object({ passed: z.boolean(), checks: z.array(riskCheck) }),
  confirmation: z
    .object({ token: z.string(), expiresAt: timestamp })
    .nullable()
    .describe('Present only when every risk check passed: pass the token to place_order within its lifetime'),
  marketOpen: z.boolean().describe('Whether the market is open now (a market order fills at once)'),
};

const brokerOrder = z.object({
  id: z.string().uuid(),
  accountId: z.string().uuid(),
  clientOrderId: z.string(),
  symbol: z.string(),
  side: z.enum(['buy', 'sell']),
  type: z.string(),
  timeInForce: z.string(),
  quantity: decimal.nullable(),
  notional: decimal.nullable(),
  limitPrice: decimal.nullable(),
  stopPrice: decimal.nullable(),
  trailPercent: decimal.nullable(),
  trailPrice: decimal.nullable(),
  status: z.string(),
  filledQuantity: decimal,
  filledNotional: decimal,
  averageFillPrice: decimal.nullable(),
  commission: decimal,
  createdAt: timestamp,
  updatedAt: timestamp,
  expiresAt: timestamp,
  replaces: z.string().nullable(),
  replacedBy: z.string().nullable(),
  transitions: z.array(z.object({ from: z.string(), to: z.string(), at: timestamp, reason: z.string() })),
});

const toPreview = (p: PreviewResult, marketOpen: boolean) => ({
  ...p,
  request: p.request as unknown as Record<string, unknown>,
  confirmation: p.confirmation ? { token: p.confirmation.token, expiresAt: p.confirmation.expiresAt } : null,
  marketOpen,
});
const toOrder = (o: Order) => ({ order: o as z.infer<typeof brokerOrder> });

const tradeWrite = {
  readOnlyHint: false,
  destructiveHint: false,
  idempotentHint: true,
  openWorldHint: false,
} as const;

/**
 * Paper trading with human confirmation: `preview_order` shows what an order would do and runs the
 * pre-trade risk checks; only when they pass does it return a short-lived confirmation token, and
 * only `place_order` with that token (and the `trade` scope) places it.
 */
export function brokerTools(ledger: Ledger, broker: PaperBroker) {
  const open = () => broker.feed.sessionAt(broker.feed.clock.now()).phase === 'open';
  return [
    defineTool({
      name: 'preview_order',
      title: 'Preview an order',
      description:
        'What an order would do if placed now: estimated price, cost, fees, cash after, position weights after, ' +
        'and every pre-trade risk check (buying power, max order notional, max position weight, short selling, ' +
        'price collar, daily-loss limit) with its numbers. Places nothing. When all checks pass it returns a ' +
        'confirmation token (valid ~2 minutes) for place_order; show the preview to the person and place only ' +
        'after they confirm.',
      input: { accountId, order: OrderRequestSchema },
      output: previewOutput,
      annotations: readOnly,
      handler: async (args, ctx) => {
        const acct = await ledger.account(requireUser(ctx.principal), args.accountId);
        return toPreview(await broker.preview(acct.id, args.order), open());
      },
    }),
    defineTool({
      name: 'place_order',
      title: 'Place an order',
      description:
        'Place an order the person confirmed: `order` must be exactly the previewed request and ' +
        '`confirmationToken` the token preview_order returned (single use). Risk is checked again. Resending the ' +
        'same clientOrderId returns the existing order instead of placing another. A market order fills at once ' +
        'while the market is open; otherwise it waits for the open. Needs the trade scope.',
      scope: 'trade',
      input: { accountId, order: OrderRequestSchema, confirmationToken: z.string().min(20).max(2000) },
      output: { order: brokerOrder },
      annotations: tradeWrite,
      handler: async (args, ctx) => {
        const acct = await ledger.account(requireUser(ctx.principal), args.accountId);
        return toOrder(await broker.place(acct.id, args.order, args.confirmationToken));
      },
    }),
    defineTool({
      name: 'cancel_order',
      title: 'Cancel an order',
      description:
        'Cancel a working order (new, accepted or partially filled). A filled or final order cannot be canceled.',
      scope: 'trade',
      input: { accountId, orderId: z.string().uuid() },
      output: { order: brokerOrder },
      annotations: {
        readOnlyHint: false,
        destructiveHint: true,
        idempotentHint: false,
        openWorldHint: false,
      },
      handler: async (args, ctx) => {
        const acct = await ledger.account(requireUser(ctx.principal), args.accountId);
        return toOrder(await broker.cancel(acct.id, args.orderId));
      },
    }),
    defineTool({
      name: 'preview_replace_order',
      title: 'Preview a cancel-replace',
      description:
        'Preview changing a working order (new total quantity, limit, stop, trail or time in force): the ' +
        'replacement is checked as if the old order were gone. Returns a confirmation token for replace_order.',
      input: { accountId, orderId: z.string().uuid(), changes: OrderChangesSchema },
      output: previewOutput,
      annotations: readOnly,
      handler: async (args, ctx) => {
        const acct = await ledger.account(requireUser(ctx.principal), args.accountId);
        return toPreview(await broker.previewReplace(acct.id, args.orderId, args.changes), open());
      },
    }),
    defineTool({
      name: 'replace_order',
      title: 'Replace an order',
      description:
        'Cancel a working order and place its replacement atomically, with the token from preview_replace_order. ' +
        'Needs the trade scope.',
      scope: 'trade',
      input: {
        accountId,
        orderId: z.string().uuid(),
        changes: OrderChangesSchema,
        confirmationToken: z.string().min(20).max(2000),
      },
      output: { order: brokerOrder },
      annotations: {
        readOnlyHint: false,
        destructiveHint: true,
        idempotentHint: false,
        openWorldHint: false,
      },
      handler: async (args, ctx) => {
        const acct = await ledger.account(requireUser(ctx.principal), args.accountId);
        return toOrder(await broker.replace(acct.id, args.orderId, args.changes, args.confirmationToken));
      },
    }),
  ];
}
