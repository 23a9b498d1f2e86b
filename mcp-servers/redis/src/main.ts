import { runMcpService } from '@stockpulse/protocols/runtime';
import { redisServerSpec } from './server.js';
import { MemoryStore } from './store/memory.js';
import type { Store } from './store/port.js';
import { RedisStore } from './store/redis.js';

await runMcpService('redis', async ({ config, logger }) => {
  const { readOnly } = config.mcpOptions.redis;
  let store: Store;
  if (config.stores.redisUrl) {
    const redis = new RedisStore({ url: config.stores.redisUrl, logger });
    // Start even while Redis is down: health says so and tools answer `unavailable` until it is back.
    await redis.ready(2000).catch(() => logger.warn('redis not reachable yet; retrying in the background'));
    store = redis;
  } else {
    store = new MemoryStore();
  }
  logger.info({ backend: store.kind, readOnly }, 'store open');
  return {
    spec: redisServerSpec(store, { readOnly }),
    health: async () => {
      const t0 = performance.now();
      await store.ping();
      return {
        backend: store.kind,
        readOnly,
        ...(store.kind === 'redis' ? { pingMs: Math.round((performance.now() - t0) * 100) / 100 } : {}),
      };
    },
    close: () => store.close(),
  };
});
