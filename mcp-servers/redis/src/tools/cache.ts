import { requireUser } from '@stockpulse/protocols/auth';
import { defineTool } from '@stockpulse/protocols/mcp';
import { z } from 'zod';
import { LIMITS, type Store } from '../store/port.js';
import { cacheValue, key, reads } from './schemas.js';

export function cacheTools(store: Store) {
  return [
    defineTool({
      name: 'cache_get',
      title: 'Get cached value',
      description:
        'Read a value you cached with cache_set, with the milliseconds it has left to live. ' +
        'A miss (never set, expired or deleted) is `found: false`, not an error.',
      input: { key },
      output: {
        key: z.string(),
        found: z.boolean(),
        value: z.string().nullable(),
        ttlMs: z.number().int().nullable().describe('Milliseconds until expiry; null on a miss'),
      },
      annotations: reads,
      handler: async ({ key }, ctx) => {
        const entry = await store.cacheGet(requireUser(ctx.principal), key);
        return { key, found: entry !== null, value: entry?.value ?? null, ttlMs: entry?.ttlMs ?? null };
      },
    }),
    defineTool({
      name: 'cache_set',
      title: 'Cache a value',
      description:
        'Store a string value (up to 64 KiB) under a key in your own namespace for ttlSeconds ' +
        '(1 to 86400: every key expires). Overwrites an existing value unless onlyIfAbsent is set, ' +
        'in which case `stored: false` means the key already held a value.',
      input: {
        key,
        value: cacheValue,
        ttlSeconds: z.number().int().min(1).max(LIMITS.maxTtlSeconds).describe('Time to live, 1 to 86400 s'),
        onlyIfAbsent: z.boolean().default(false).describe('Store only if the key holds no value (SET NX)'),
      },
      output: {
        key: z.string(),
        stored: z.boolean(),
        expiresAt: z.string().nullable().describe('ISO time the value expires; null when not stored'),
      },
      annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
      handler: async ({ key, value, ttlSeconds, onlyIfAbsent }, ctx) => {
        const ttlMs = ttlSeconds * 1000;
        const stored = await store.cacheSet(requireUser(ctx.principal), key, value, ttlMs, { onlyIfAbsent });
        return { key, stored, expiresAt: stored ? new Date(Date.now() + ttlMs).toISOString() : null };
      },
    }),
    defineTool({
      name: 'cache_delete',
      title: 'Delete cached value',
      description:
        'Remove a cached key from your namespace. `deleted: false` when there was nothing to remove.',
      input: { key },
      output: { key: z.string(), deleted: z.boolean() },
      annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
      handler: async ({ key }, ctx) => ({
        key,
        deleted: await store.cacheDelete(requireUser(ctx.principal), key),
      }),
    }),
  ];
}
