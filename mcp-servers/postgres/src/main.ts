import { embeddedDir, migrate, openDatabase } from '@stockpulse/db';
import { runMcpService } from '@stockpulse/protocols/runtime';
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
  return {
    spec: ledgerServerSpec(ledgerStores(db)),
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
    close: () => db.close(),
  };
});
