import type { Database } from '@stockpulse/db';

/**
 * Create the TimescaleDB extension when the server offers it (real Postgres with the library
 * installed and preloaded), so the migrations make hypertables. It goes into `public`, not the
 * store's own schema (first on the search_path), so dropping that schema never drops the
 * extension other schemas may use. Never fatal: without it the store runs on plain Postgres.
 */
export async function enableTimescaleDb(
  db: Database,
): Promise<{ enabled: boolean; version?: string; reason?: string }> {
  if (db.kind !== 'postgres') return { enabled: false, reason: 'embedded PGlite has no TimescaleDB' };
  const available = await db.query<{ version: string; installed: string | null }>(
    `SELECT default_version AS version, installed_version AS installed
     FROM pg_available_extensions WHERE name = 'timescaledb'`,
  );
  const ext = available.rows[0];
  if (!ext) return { enabled: false, reason: 'the timescaledb extension is not installed on the server' };
  if (ext.installed) return { enabled: true, version: ext.installed };
  try {
    await db.exec('CREATE EXTENSION IF NOT EXISTS timescaledb SCHEMA public');
    return { enabled: true, version: ext.version };
  } catch (e) {
    // Not preloaded (shared_preload_libraries), or no right to create extensions.
    return { enabled: false, reason: (e as Error).message };
  }
}
