import type { Database } from './port.js';

export interface Migration {
  /** Sortable, never reused: '001_init'. */
  id: string;
  sql: string;
}

/**
 * Apply pending migrations in id order, each in its own transaction, recorded in
 * `schema_migrations`. Idempotent; concurrent starters serialize on an advisory lock (real Postgres).
 */
export async function migrate(db: Database, migrations: readonly Migration[]): Promise<string[]> {
  await db.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
    id text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`);
  const applied: string[] = [];
  for (const m of [...migrations].sort((a, b) => a.id.localeCompare(b.id))) {
    const done = await db.transaction(async (tx) => {
      if (db.kind === 'postgres') {
        await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`${db.schema}:migrations`]);
      }
      const seen = await tx.query('SELECT 1 FROM schema_migrations WHERE id = $1', [m.id]);
      if (seen.rows.length > 0) return false;
      await tx.exec(m.sql);
      await tx.query('INSERT INTO schema_migrations (id) VALUES ($1)', [m.id]);
      return true;
    });
    if (done) applied.push(m.id);
  }
  return applied;
}
