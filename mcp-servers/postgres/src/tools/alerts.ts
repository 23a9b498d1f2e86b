import { requireUser } from '@stockpulse/protocols/auth';
import { defineTool } from '@stockpulse/protocols/mcp';
import { z } from 'zod';
import { ALERT_KINDS, ALERT_LIMITS, type Alerts } from '../store/alerts.js';
import { cursor, decimal, limit, nextCursor, readOnly, symbol, timestamp } from './schemas.js';

const alert = z.object({
  id: z.string().uuid(),
  symbol: z.string(),
  kind: z.enum(ALERT_KINDS),
  threshold: decimal,
  note: z.string().nullable(),
  status: z.enum(['active', 'triggered']),
  createdAt: timestamp,
  triggeredAt: timestamp.nullable(),
  triggeredPrice: decimal.nullable().describe('The price the alert fired at'),
});

export function alertTools(alerts: Alerts) {
  return [
    defineTool({
      name: 'list_alerts',
      title: 'List alerts',
      description: "The caller's price alerts, newest first, optionally for one symbol or status.",
      input: { symbol: symbol.optional(), status: z.enum(['active', 'triggered']).optional(), limit, cursor },
      output: { items: z.array(alert), nextCursor },
      annotations: readOnly,
      handler: async (args, ctx) => alerts.list(requireUser(ctx.principal), args),
    }),
    defineTool({
      name: 'create_alert',
      title: 'Create alert',
      description:
        'Create a price alert: price_above / price_below fire when the price crosses threshold (a price); ' +
        'change_pct fires when the day change reaches threshold percent (signed: -5 for a 5% drop). ' +
        `Each call creates a new alert; at most ${ALERT_LIMITS.activePerUser} active per user.`,
      input: {
        symbol,
        kind: z.enum(ALERT_KINDS),
        threshold: z
          .string()
          .regex(/^-?\d{1,12}(\.\d{1,4})?$/)
          .describe('Exact decimal string, up to 4 decimal places'),
        note: z.string().max(500).optional().describe('Why the user wants this alert'),
      },
      output: alert,
      annotations: {
        readOnlyHint: false,
        destructiveHint: false,
        idempotentHint: false,
        openWorldHint: false,
      },
      handler: async (args, ctx) => alerts.create(requireUser(ctx.principal), args),
    }),
    defineTool({
      name: 'delete_alert',
      title: 'Delete alert',
      description: 'Delete one of the caller’s alerts by id.',
      input: { alertId: z.string().uuid() },
      output: { id: z.string().uuid(), deleted: z.literal(true) },
      annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
      handler: async ({ alertId }, ctx) => alerts.delete(requireUser(ctx.principal), alertId),
    }),
  ];
}
