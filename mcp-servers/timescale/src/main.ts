import { embeddedDir, migrate, openDatabase } from '@stockpulse/db';
import { DEMO_HOLDINGS, marketClockOf, SimulatedFeed } from '@stockpulse/domain';
import { runMcpService } from '@stockpulse/protocols/runtime';
import { marketServerSpec } from './server.js';
import { enableTimescaleDb } from './store/extension.js';
import { MarketStore } from './store/market.js';
import { MARKET_MIGRATIONS, MINUTE_BARS_RETENTION_DAYS } from './store/migrations.js';
import { seedIntraday, seedMarket } from './store/seed.js';

/**
 * Simulated intraday history: 1-minute bars for the last 5 closed sessions of 50 symbols, the demo
 * portfolio's holdings and then the most traded by dollar volume.
 */
const INTRADAY = {
  sessions: 5,
  symbols: 50,
  include: DEMO_HOLDINGS.map((h) => h.symbol),
  retentionDays: MINUTE_BARS_RETENTION_DAYS,
};

await runMcpService('timescale', async ({ config, logger }) => {
  const db = await openDatabase({
    url: config.stores.timescaleUrl,
    dir: embeddedDir(config.dataDir, 'timescale'),
    schema: 'market',
  });
  const timescaledb = await enableTimescaleDb(db);
  if (db.kind === 'postgres') logger.info({ timescaledb }, 'timescaledb extension');
  const applied = await migrate(db, MARKET_MIGRATIONS);
  if (applied.length) logger.info({ applied }, 'migrations applied');
  const store = await MarketStore.open(db);
  const storage = await store.storageFeatures();
  logger.info({ backend: db.kind, storage }, 'market store open');
  const feed = new SimulatedFeed({ ...config.simulator, clock: marketClockOf(config.simulator) });
  const seed = async () => {
    const now = feed.clock.now();
    await seedMarket(store, config.simulator, logger, now);
    await seedIntraday(store, { ...INTRADAY, seed: config.simulator.seed }, logger, now);
  };
  await seed();
  // New sessions close while the server runs: top the simulated history up every 15 market minutes.
  const topUp = setInterval(
    () => void seed().catch((err) => logger.warn({ err }, 'top-up failed')),
    Math.max(5_000, (15 * 60_000) / (config.simulator.clock?.speed ?? 1)),
  );
  topUp.unref();
  return {
    spec: marketServerSpec(store, feed),
    health: async () => ({ backend: db.kind, storage, lastBarDay: await store.lastBarDay() }),
    close: async () => {
      clearInterval(topUp);
      await db.close();
    },
  };
});
