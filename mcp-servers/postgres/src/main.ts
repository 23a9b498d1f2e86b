import { createHmac, randomBytes } from 'node:crypto';
import { embeddedDir, migrate, openDatabase } from '@stockpulse/db';
import { marketClockOf, SimulatedFeed } from '@stockpulse/domain';
import { runMcpService } from '@stockpulse/protocols/runtime';
import { AlertWatcher } from './alerts/watcher.js';
import { PaperBroker } from './broker/paper-broker.js';
import { ledgerServerSpec } from './server.js';
import { ledgerStores } from './store/index.js';
import { LEDGER_MIGRATIONS } from './store/migrations.js';
import { seedDemoPortfolio } from './store/seed.js';

await runMcpService('postgres', async ({ config, logger }) => {
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
  const broker = new PaperBroker(db, {
    feed,
    confirmationSecret: confirmationSecret(config.serviceSecret),
    logger,
  });
  const alerts = new AlertWatcher(db, feed, undefined, logger);
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
