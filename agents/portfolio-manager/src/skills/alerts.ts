import { formatUsd } from '@stockpulse/domain';
import { z } from 'zod';
import { callTool, type SkillContext } from './context.js';

export const alertsRequestSchema = z.discriminatedUnion('action', [
  z.object({
    action: z.literal('create'),
    alert: z.object({
      symbol: z.string().min(1).max(10),
      kind: z.enum(['price_above', 'price_below', 'change_pct']),
      threshold: z.string().regex(/^-?\d{1,12}(\.\d{1,4})?$/),
    }),
  }),
  z.object({ action: z.literal('list') }),
]);
export type AlertsRequest = z.infer<typeof alertsRequestSchema>;

interface Alert {
  id: string;
  symbol: string;
  kind: 'price_above' | 'price_below' | 'change_pct';
  threshold: string;
  status: 'active' | 'triggered';
  triggeredAt: string | null;
}
interface Quote {
  symbol: string;
  price: string;
  changePercent: string | null;
}

/** "AAPL rises above $230.00", "TSLA moves 5% or more" */
export function describeAlert(a: Pick<Alert, 'symbol' | 'kind' | 'threshold'>): string {
  if (a.kind === 'price_above') return `${a.symbol} rises above ${formatUsd(a.threshold)}`;
  if (a.kind === 'price_below') return `${a.symbol} falls below ${formatUsd(a.threshold)}`;
  const pct = Number(a.threshold);
  return `${a.symbol} ${pct < 0 ? 'falls' : 'rises'} ${Math.abs(pct)}% or more on the day`;
}

/**
 * The `alerts` skill: price and day-change alerts on the simulated exchange's live feed. The ledger
 * (postgres MCP server) stores them and checks them every few seconds; a triggered alert is published
 * to the person's `risk-alerts` stream and the assistant tells them at their next turn.
 */
export async function manageAlerts(ctx: SkillContext, request: AlertsRequest) {
  if (request.action === 'create') {
    const [alert, quotes] = await Promise.all([
      callTool<Alert>(ctx, ctx.data.ledger, 'create_alert', request.alert),
      callTool<{ quotes: Quote[] }>(ctx, ctx.data.market, 'get_latest_quotes', {
        symbols: [request.alert.symbol],
      }),
    ]);
    const q = quotes.quotes[0];
    const now = q
      ? ` ${q.symbol} is at ${formatUsd(q.price)}${q.changePercent ? ` (${q.changePercent}% today)` : ''}.`
      : '';
    return {
      text: `Done: I'll tell you when ${describeAlert(alert)}.${now}`,
      data: { kind: 'alert-created', alert },
    };
  }
  const { items } = await callTool<{ items: Alert[] }>(ctx, ctx.data.ledger, 'list_alerts', { limit: 20 });
  if (items.length === 0) {
    return {
      text: 'You have no alerts. Say e.g. "alert me when AAPL goes above 230".',
      data: { kind: 'alert-list', alerts: [] },
    };
  }
  const lines = items.map(
    (a) =>
      `- ${describeAlert(a)}: ${a.status === 'active' ? 'watching' : `triggered ${a.triggeredAt?.slice(0, 16).replace('T', ' ')} UTC`}`,
  );
  return { text: [`Your alerts:`, ...lines].join('\n'), data: { kind: 'alert-list', alerts: items } };
}
