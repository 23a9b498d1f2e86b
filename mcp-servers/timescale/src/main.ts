import { embeddedDir, migrate, openDatabase } from '@stockpulse/db';
import { runMcpService } from '@stockpulse/protocols/runtime';
import { marketServerSpec } from './server.js';
import { MarketStore } from './store/market.js';
import { MARKET_MIGRATIONS } from './store/migrations.js';
import { seedMarket } from './store/seed.js';

await runMcpService('timescale', async ({ config, logger }) => {
  const db = await openDatabase({
    url: config.stores.timescaleUrl,
    dir: embeddedDir(config.dataDir, 'timescale'),
    schema: 'market',
  });
  const applied = await migrate(db, MARKET_MIGRATIONS);
  if (applied.length) logger.info({ applied }, 'migrations applied');
  const store = new MarketStore(db);
  await seedMarket(store, config.simulator, logger);
  // New sessions close while the server runs: top the simulated history up every 15 minutes.
  const topUp = setInterval(
    () =>
      void seedMarket(store, config.simulator, logger).catch((err) => logger.warn({ err }, 'top-up failed')),
    15 * 60_000,
  );
  topUp.unref();
  return {
    spec: marketServerSpec(store),
    health: async () => ({ backend: db.kind, lastBarDay: await store.lastBarDay() }),
    close: async () => {
      clearInterval(topUp);
      await db.close();
    },
  };
});
