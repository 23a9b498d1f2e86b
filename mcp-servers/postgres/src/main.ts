import { createHmac, randomBytes } from 'node:crypto';
import type { StockPulseConfig } from '@stockpulse/core';
import { embeddedDir, migrate, openDatabase } from '@stockpulse/db';
import { marketClockOf, SimulatedFeed } from '@stockpulse/domain';
import { ServiceTokenSource } from '@stockpulse/protocols/auth';
import { connectMcp } from '@stockpulse/protocols/mcp';
import { runMcpService } from '@stockpulse/protocols/runtime';
import { type AlertPublisher, AlertWatcher } from './alerts/watcher.js';
import { PaperBroker } from './broker/paper-broker.js';
import { catchUpCorporateActions } from './corporate-actions/index.js';
import { ledgerServerSpec } from './server.js';
import { ledgerStores } from './store/index.js';
import { LEDGER_MIGRATIONS } from './store/migrations.js';
import { seedDemoPortfolio } from './store/seed.js';

await runMcpService('postgres', async ({ config, logger, mode }) => {
  const db = await openDatabase({
    url: config.stores.ledgerUrl,
    dir: embeddedDir(config.dataDir, 'postgres'),
    schema: 'ledger',
  });
  const applied = await migrate(db, LEDGER_MIGRATIONS);
  if (applied.length) logger.info({ applied }, 'migrations applied');
  if (config.demo.enabled && (await seedDemoPortfolio(db, config.simulator)))
    logger.info('demo portfolio seeded');
  const feed = new SimulatedFeed({ ...config.simulator, clock: marketClockOf(config.simulator) });
  every(30_000, await catchUpCorporateActions(db, config, feed, logger), logger, 'corporate actions failed');
  const broker = new PaperBroker(db, {
    feed,
    confirmationSecret: confirmationSecret(config.serviceSecret),
    logger,
  });
  // Triggered alerts go to the person's risk-alerts stream on the redis MCP server, as this service.
  const redis =
    config.serviceSecret && mode === 'http' ? alertStream(config, config.serviceSecret) : undefined;
  const alerts = new AlertWatcher(db, feed, redis?.publish, logger);
  // Resting orders fill as the market crosses them: replay the feed for working orders every second,
  // and check price alerts against it every few seconds.
  const matcher = every(1_000, () => broker.matchOpenOrders(), logger, 'matching pass failed');
  const watcher = every(3_000, () => alerts.check(), logger, 'alert pass failed');
  return {
    spec: ledgerServerSpec(ledgerStores(db), broker),
    health: async () => {
      await db.query('SELECT 1');
      return { backend: db.kind };
    },
    onAudit: async (rec) => {
      await db.query(
        'INSERT INTO audit_log (at, principal, user_id, tool, args_digest, outcome, duration_ms) VALUES ($1,$2,$3,$4,$5,$6,$7)',
        [rec.at, rec.principal, rec.userId ?? null, rec.tool, rec.argsDigest, rec.outcome, rec.durationMs],
      );
    },
    close: async () => {
      clearInterval(matcher);
      clearInterval(watcher);
      await redis?.client.close();
      await db.close();
    },
  };
});

/**
 * The key order confirmations are signed with: derived from the mesh's service secret (so every
 * replica accepts a token another issued), random per process when there is none (stdio).
 */
function confirmationSecret(serviceSecret: string | undefined): string {
  if (!serviceSecret) return randomBytes(32).toString('base64url');
  return createHmac('sha256', serviceSecret).update('stockpulse:order-confirmations').digest('base64url');
}

/** Run `pass` every `ms`, never two at once; failures are logged and the next pass tries again. */
function every(
  ms: number,
  pass: () => Promise<unknown>,
  logger: { warn(o: object, m: string): void },
  what: string,
) {
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    pass()
      .catch((err) => logger.warn({ err }, what))
      .finally(() => {
        running = false;
      });
  }, ms);
  timer.unref();
  return timer;
}

/** Publishes a triggered alert to its owner's `risk-alerts` topic through the redis MCP server. */
function alertStream(
  config: StockPulseConfig,
  secret: string,
): { publish: AlertPublisher; client: ReturnType<typeof connectMcp> } {
  const tokens = new ServiceTokenSource({
    authUrl: config.mcp.auth.url,
    clientId: 'mcp-postgres',
    clientSecret: secret,
  });
  const client = connectMcp(config.mcp.redis.url, {
    name: 'mcp-postgres',
    sessionAuthorization: () => tokens.authorization(),
  });
  return {
    client,
    publish: async (userId, event) => {
      await client.call('deliver_event', { userId, topic: 'risk-alerts', payload: { ...event } });
    },
  };
}
