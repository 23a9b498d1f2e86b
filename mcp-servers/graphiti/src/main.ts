import { embeddedDir, migrate, openDatabase } from '@stockpulse/db';
import { runMcpService } from '@stockpulse/protocols/runtime';
import { graphServerSpec } from './server.js';
import { GraphStore } from './store/graph.js';
import { GRAPH_MIGRATIONS } from './store/migrations.js';
import { seedMarketGraph } from './store/seed.js';

await runMcpService('graphiti', async ({ config, logger }) => {
  const db = await openDatabase({
    url: config.stores.graphUrl,
    dir: embeddedDir(config.dataDir, 'graphiti'),
    schema: 'graph',
  });
  const applied = await migrate(db, GRAPH_MIGRATIONS);
  if (applied.length) logger.info({ applied }, 'migrations applied');
  const store = new GraphStore(db);
  await seedMarketGraph(store, logger);
  return {
    spec: graphServerSpec(store),
    health: async () => ({ backend: db.kind, ...(await store.stats()) }),
    close: () => db.close(),
  };
});
