import { AppError } from '@stockpulse/core';
import { formatUsd, money } from '@stockpulse/domain';
import { z } from 'zod';
import { callTool, type SkillContext } from './context.js';

/** The order a person asked for, as the user-assistant hands it over (validated again by the broker). */
export const orderSchema = z.looseObject({
  clientOrderId: z.string().min(1).max(128),
  symbol: z.string().min(1).max(10),
  side: z.enum(['buy', 'sell']),
  type: z.string().min(1).max(20),
});

export const orderPlanningSchema = z.discriminatedUnion('action', [
  z.object({ action: z.literal('preview'), order: orderSchema }),
  z.object({
    action: z.literal('place'),
    order: orderSchema,
    confirmationToken: z.string().min(20).max(2000),
  }),
  z.object({ action: z.literal('list') }),
]);
export type OrderPlanningRequest = z.infer<typeof orderPlanningSchema>;

interface RiskCheck {
  rule: string;
  passed: boolean;
  message: string;
}
interface Preview {
  request: Record<string, unknown> & { symbol: string; side: string; type: string };
  estimatedPrice: string;
  estimatedQuantity: string;
  estimatedGross: string;
  estimatedFees: string;
  cashAfter: string;
  weights: Array<{ symbol: string; weightBefore: string; weightAfter: string }>;
  risk: { passed: boolean; checks: RiskCheck[] };
  confirmation: { token: string; expiresAt: string } | null;
  marketOpen: boolean;
}
interface BrokerOrder {
  id: string;
  symbol: string;
  side: string;
  type: string;
  status: string;
  quantity: string | null;
  notional: string | null;
  limitPrice: string | null;
  stopPrice: string | null;
  filledQuantity: string;
  averageFillPrice: string | null;
  filledNotional: string;
  transitions: Array<{ to: string; reason: string }>;
}
interface ListedOrder {
  id: string;
  symbol: string;
  side: string;
  type: string;
  status: string;
  quantity: string | null;
  notional: string | null;
  limitPrice: string | null;
  filledQuantity: string;
  createdAt: string;
}

export interface OrderPlanningResult {
  text: string;
  data: { kind: string } & Record<string, unknown>;
}

const pct = (fraction: string) => `${money(fraction).times(100).toFixed(1)}%`;

/** "buy 10 AAPL at market", "sell $500 of MSFT with a limit of $410.00" */
export function describeOrder(o: {
  side: string;
  symbol: string;
  type: string;
  quantity?: unknown;
  notional?: unknown;
  limitPrice?: unknown;
  stopPrice?: unknown;
}): string {
  const what = o.notional ? `${formatUsd(String(o.notional))} of ${o.symbol}` : `${o.quantity} ${o.symbol}`;
  const how =
    o.type === 'market'
      ? 'at market'
      : o.type === 'limit'
        ? `with a limit of ${formatUsd(String(o.limitPrice))}`
        : o.type === 'stop'
          ? `with a stop at ${formatUsd(String(o.stopPrice))}`
          : `(${o.type.replace('_', ' ')})`;
  return `${o.side} ${what} ${how}`;
}

/**
 * The `order-planning` skill: previews an order (cost, fees, resulting weight, every risk check) and
 * places it only with the confirmation token the preview returned — the person confirms in between.
 * Also lists recent orders. The broker (postgres MCP server) enforces the rules; this skill explains them.
 */
export async function planOrder(
  ctx: SkillContext,
  request: OrderPlanningRequest,
): Promise<OrderPlanningResult> {
  switch (request.action) {
    case 'preview':
      return preview(ctx, request.order);
    case 'place':
      return place(ctx, request.order, request.confirmationToken);
    case 'list':
      return list(ctx);
  }
}

async function preview(ctx: SkillContext, order: Record<string, unknown>): Promise<OrderPlanningResult> {
  const p = await callTool<Preview>(ctx, ctx.data.ledger, 'preview_order', { order });
  const summary = describeOrder(p.request);
  const failed = p.risk.checks.filter((c) => !c.passed);
  if (failed.length > 0) {
    return {
      text: `I can't place ${summary}: ${failed.map((c) => c.message).join(' ')}`,
      data: { kind: 'order-preview', request: p.request, summary, confirmation: null, preview: p },
    };
  }
  const weight = p.weights.find((w) => w.symbol === p.request.symbol);
  const lines = [
    `Preview: ${summary}, about ${formatUsd(p.estimatedGross)} (${p.estimatedQuantity} share${money(p.estimatedQuantity).eq(1) ? '' : 's'} at about ${formatUsd(p.estimatedPrice)}${money(p.estimatedFees).isZero() ? ', no commission' : `, plus ${formatUsd(p.estimatedFees)} commission`}).`,
    `Cash afterwards: ${formatUsd(p.cashAfter)}.`,
  ];
  if (weight)
    lines.push(
      `${p.request.symbol} would be ${pct(weight.weightAfter)} of your portfolio (now ${pct(weight.weightBefore)}).`,
    );
  lines.push('All risk checks pass.');
  if (!p.marketOpen && p.request.type === 'market')
    lines.push('The market is closed, so it would fill at the next open.');
  return {
    text: lines.join(' '),
    data: { kind: 'order-preview', request: p.request, summary, confirmation: p.confirmation, preview: p },
  };
}

async function place(
  ctx: SkillContext,
  order: Record<string, unknown>,
  token: string,
): Promise<OrderPlanningResult> {
  let placed: BrokerOrder;
  try {
    ({ order: placed } = await callTool<{ order: BrokerOrder }>(ctx, ctx.data.ledger, 'place_order', {
      order,
      confirmationToken: token,
    }));
  } catch (e) {
    // The broker refused (token expired or used, risk changed): say why, place nothing.
    if (e instanceof AppError && ['forbidden', 'conflict', 'bad_request'].includes(e.code)) {
      return {
        text: `The order was not placed: ${e.message}`,
        data: { kind: 'order-not-placed', code: e.code, reason: e.message },
      };
    }
    throw e;
  }
  return { text: describePlaced(placed), data: { kind: 'order-placed', order: placed } };
}

function describePlaced(o: BrokerOrder): string {
  const summary = describeOrder({ ...o, quantity: o.quantity, notional: o.notional });
  const verb = o.side === 'buy' ? 'Bought' : 'Sold';
  switch (o.status) {
    case 'filled':
      return `Done. ${verb} ${o.filledQuantity} ${o.symbol} at ${formatUsd(o.averageFillPrice!)} (${formatUsd(money(o.filledNotional).toFixed(2))} in all). Order ${o.id.slice(0, 8)}.`;
    case 'partially_filled':
      return `Order ${o.id.slice(0, 8)} placed: ${summary}; ${o.filledQuantity} filled so far at ${formatUsd(o.averageFillPrice!)}, the rest is working.`;
    case 'accepted':
      return `Order ${o.id.slice(0, 8)} placed: ${summary}. It is working and fills when the market reaches it${o.type === 'market' ? ' (at the next open)' : ''}.`;
    case 'rejected':
      return `The broker rejected ${summary}: ${o.transitions.at(-1)?.reason ?? 'no reason given'}`;
    default:
      return `Order ${o.id.slice(0, 8)} (${summary}) is ${o.status}.`;
  }
}

async function list(ctx: SkillContext): Promise<OrderPlanningResult> {
  const { items } = await callTool<{ items: ListedOrder[] }>(ctx, ctx.data.ledger, 'list_orders', {
    limit: 10,
  });
  if (items.length === 0)
    return { text: 'You have no orders yet.', data: { kind: 'order-list', orders: [] } };
  const working = items.filter((o) => ['new', 'accepted', 'partially_filled'].includes(o.status));
  const lines = [
    `Your ${items.length} most recent orders${working.length ? ` (${working.length} still working)` : ''}:`,
    ...items.map(
      (o) =>
        `- ${o.createdAt.slice(0, 10)} ${describeOrder(o)}: ${o.status.replace('_', ' ')}${o.status === 'partially_filled' ? ` (${o.filledQuantity} filled)` : ''}`,
    ),
  ];
  return { text: lines.join('\n'), data: { kind: 'order-list', orders: items } };
}
