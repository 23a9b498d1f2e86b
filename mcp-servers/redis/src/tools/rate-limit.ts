import { requireUser } from '@stockpulse/protocols/auth';
import { defineTool } from '@stockpulse/protocols/mcp';
import { z } from 'zod';
import { LIMITS, type Store } from '../store/port.js';
import { key } from './schemas.js';

export function rateLimitTools(store: Store) {
  return [
    defineTool({
      name: 'rate_limit_check',
      title: 'Check rate limit',
      description:
        'Count one hit against `key` and say whether it is allowed: at most `limit` hits in any sliding window ' +
        'of `windowSeconds`. A refused hit is not counted; retryAfterMs says when the next one would be allowed.',
      input: {
        key,
        limit: z.number().int().min(1).max(LIMITS.maxRateLimit).describe('Hits allowed per window'),
        windowSeconds: z
          .number()
          .int()
          .min(1)
          .max(LIMITS.maxWindowSeconds)
          .describe('Window length, seconds'),
      },
      output: {
        key: z.string(),
        allowed: z.boolean(),
        limit: z.number().int(),
        remaining: z.number().int().min(0),
        retryAfterMs: z.number().int().min(0),
      },
      annotations: {
        readOnlyHint: false,
        destructiveHint: false,
        idempotentHint: false,
        openWorldHint: false,
      },
      handler: async ({ key, limit, windowSeconds }, ctx) => {
        const decision = await store.rateLimit(requireUser(ctx.principal), key, limit, windowSeconds * 1000);
        return { key, limit, ...decision };
      },
    }),
  ];
}
