import { embeddedDir, migrate, openDatabase } from '@stockpulse/db';
import { addDays, DEMO_HOLDINGS, marketClockOf, SimulatedFeed } from '@stockpulse/domain';
import { ServiceTokenSource } from '@stockpulse/protocols/auth';
import { connectMcp } from '@stockpulse/protocols/mcp';
import { runMcpService } from '@stockpulse/protocols/runtime';
import { startQuotePublisher } from './quote-publisher.js';
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

await runMcpService('timescale', async ({ config, logger, mode }) => {
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

  // While the session trades, publish the most followed symbols' live quotes to the redis MCP server.
  const secret = config.serviceSecret;
  const tokens = secret
    ? new ServiceTokenSource({
        authUrl: config.mcp.auth.url,
        clientId: 'mcp-timescale',
        clientSecret: secret,
      })
    : undefined;
  const redis =
    tokens && mode === 'http'
      ? connectMcp(config.mcp.redis.url, {
          name: 'mcp-timescale',
          sessionAuthorization: () => tokens.authorization(),
        })
      : undefined;
  let followed: { day: string; symbols: string[] } | undefined;
  const stopQuotes = redis
    ? startQuotePublisher({
        feed,
        // The demo holdings and the most traded names, recomputed when a new session is stored.
        symbols: async () => {
          const day = (await store.lastBarDay()) ?? config.simulator.start;
          if (followed?.day !== day) {
            const top = await store.mostTradedSymbols(INTRADAY.symbols, addDays(day, -30), day);
            followed = { day, symbols: [...new Set([...INTRADAY.include, ...top])] };
          }
          return followed.symbols;
        },
        publish: async (quotes) => {
          await redis.call('publish_quotes', { quotes });
        },
        intervalMs: 5_000,
        logger,
      })
    : () => {};
  return {
    spec: marketServerSpec(store, feed),
    health: async () => ({ backend: db.kind, storage, lastBarDay: await store.lastBarDay() }),
    close: async () => {
      clearInterval(topUp);
      stopQuotes();
      await redis?.close();
      await db.close();
    },
  };
});
