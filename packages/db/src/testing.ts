import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from './index.js';
import type { Database, OpenDatabaseOptions } from './port.js';

/** The real Postgres the contract suites also run on (the machines and CI have one). */
export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface TestBackend {
  kind: 'pglite' | 'postgres';
  open(): Promise<Database>;
  /** Drop what `open` created (the temp dir or the schema). */
  cleanup(): Promise<void>;
}

/**
 * The backends a contract suite runs on: embedded PGlite in a temp dir, and real Postgres in a
 * schema unique to this run (dropped by `cleanup`). Use with `describe.each(testBackends(...))`.
 */
export function testBackends(
  schemaBase: string,
  extra: Pick<OpenDatabaseOptions, 'extensions'> = {},
): Array<[TestBackend['kind'], TestBackend]> {
  const schema = `${schemaBase}_t${process.pid}_${Date.now().toString(36)}`;
  let dir: string | undefined;
  let pg: Database | undefined;
  const pglite: TestBackend = {
    kind: 'pglite',
    open: async () => {
      dir = mkdtempSync(join(tmpdir(), `sp-${schemaBase}-`));
      return openDatabase({ dir: join(dir, 'pgdata'), schema: schemaBase, ...extra });
    },
    cleanup: async () => {
      if (dir) rmSync(dir, { recursive: true, force: true });
    },
  };
  const postgres: TestBackend = {
    kind: 'postgres',
    open: async () => {
      pg = await openDatabase({ url: TEST_DATABASE_URL, schema, ...extra });
      return pg;
    },
    cleanup: async () => {
      const admin = await openDatabase({ url: TEST_DATABASE_URL, schema: 'public' });
      await admin.exec(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await admin.close();
    },
  };
  return [
    ['pglite', pglite],
    ['postgres', postgres],
  ];
}
