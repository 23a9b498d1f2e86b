import { requireUser } from '@stockpulse/protocols/auth';
import { defineTool } from '@stockpulse/protocols/mcp';
import { z } from 'zod';
import type { Backtests } from '../store/backtests.js';
import { cursor, limit, nextCursor, readOnly, symbol, timestamp } from './schemas.js';

const stored = z.object({
  id: z.string().uuid(),
  inputHash: z.string(),
  strategy: z.object({ name: z.string(), params: z.record(z.string(), z.unknown()) }),
  symbols: z.array(z.string()),
  summary: z
    .record(z.string(), z.unknown())
    .describe('Returns, risk, benchmark comparison, trade statistics'),
  createdAt: timestamp,
});

export function backtestTools(backtests: Backtests) {
  return [
    defineTool({
      name: 'save_backtest',
      title: 'Save backtest result',
      description:
        'Store a backtest result (from @stockpulse/backtest) for the calling user. Results are deterministic in ' +
        'their inputs: saving the same inputHash again returns the stored one (created: false).',
      input: {
        inputHash: z.string().regex(/^[a-f0-9]{16,128}$/),
        strategy: z.object({ name: z.string().min(1).max(60), params: z.record(z.string(), z.unknown()) }),
        symbols: z.array(symbol).min(1).max(100),
        summary: z.record(z.string(), z.unknown()),
        result: z.record(z.string(), z.unknown()).describe('The whole result: equity curve, trades, orders'),
      },
      output: { ...stored.shape, created: z.boolean() },
      annotations: {
        readOnlyHint: false,
        destructiveHint: false,
        idempotentHint: true,
        openWorldHint: false,
      },
      handler: async (args, ctx) => backtests.save(requireUser(ctx.principal), args),
    }),
    defineTool({
      name: 'list_backtests',
      title: 'List backtests',
      description:
        "The calling user's stored backtests, newest first, with their summaries. Paginate with nextCursor.",
      input: { limit, cursor },
      output: { items: z.array(stored), nextCursor },
      annotations: readOnly,
      handler: async (args, ctx) => backtests.list(requireUser(ctx.principal), args),
    }),
    defineTool({
      name: 'get_backtest',
      title: 'Get backtest',
      description: 'One stored backtest with its whole result (equity curve, trades, orders, rejections).',
      input: { backtestId: z.string().uuid() },
      output: { ...stored.shape, result: z.record(z.string(), z.unknown()) },
      annotations: readOnly,
      handler: async ({ backtestId }, ctx) => backtests.get(requireUser(ctx.principal), backtestId),
    }),
  ];
}
