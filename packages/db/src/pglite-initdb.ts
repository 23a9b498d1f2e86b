/**
 * Create a PGlite data directory and exit. Run as a short-lived child process by `openPglite`:
 * initdb grows the WASM heap to ~700 MB and a WASM heap never shrinks, so a server that ran initdb
 * itself would keep that memory for life; one that opens an existing directory needs ~200 MB.
 */
import { PGlite } from '@electric-sql/pglite';

const [dir, ...extensionNames] = process.argv.slice(2);
if (!dir) {
  process.stderr.write('usage: pglite-initdb <dir> [extension...]\n');
  process.exit(2);
}
const extensions: Record<string, unknown> = {};
if (extensionNames.includes('vector'))
  extensions.vector = (await import('@electric-sql/pglite-pgvector')).vector;
const pg = new PGlite(dir, { extensions: extensions as never });
await pg.waitReady;
for (const ext of extensionNames) await pg.exec(`CREATE EXTENSION IF NOT EXISTS ${ext}`);
await pg.close();
