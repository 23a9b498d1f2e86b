import type { McpServerSpec } from '@stockpulse/protocols/mcp';
import { quoteResources } from './resources/quotes.js';
import type { Store } from './store/port.js';
import { cacheTools } from './tools/cache.js';
import { deliveryTools } from './tools/deliver.js';
import { quoteTools } from './tools/quotes.js';
import { rateLimitTools } from './tools/rate-limit.js';
import { streamTools } from './tools/streams.js';

export interface RedisServerOptions {
  /** Register only the tools whose annotations say they read nothing but state. */
  readOnly?: boolean;
}

export function redisServerSpec(store: Store, opts: RedisServerOptions = {}): McpServerSpec {
  const all = [
    ...cacheTools(store),
    ...rateLimitTools(store),
    ...streamTools(store),
    ...quoteTools(store),
    ...deliveryTools(store),
  ];
  const tools = opts.readOnly ? all.filter((t) => t.annotations.readOnlyHint) : all;
  return {
    name: 'stockpulse-redis',
    title: 'StockPulse cache, rate limits and events',
    version: '0.1.0',
    instructions:
      'Per-user cache (every key expires), sliding-window rate limits and event streams with consumer groups ' +
      '(topics market-data, trade-executions, ai-insights, risk-alerts; at-least-once: read, process, ack, and ' +
      "claim what a dead consumer left pending). Everything lives in the calling user's own namespace, " +
      'except market-data: one stream of live quotes for everyone (your consumer groups on it are still your ' +
      'own), written by publish_quotes. Live quotes: read quote://{symbol}, subscribe to be told of changes.' +
      (opts.readOnly ? ' This server is read-only: only cache_get and stream_pending are available.' : ''),
    tools,
    resourceTemplates: quoteResources(store),
  };
}
