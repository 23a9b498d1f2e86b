import type { Logger, StockPulseConfig } from '@stockpulse/core';
import { embeddedDir, openDatabase } from '@stockpulse/db';
import { openPgvectorStore } from './pgvector.js';
import type { VectorStore } from './port.js';
import { openQdrantStore } from './qdrant.js';

/**
 * The store this server owns: Qdrant when `QDRANT_URL` is set; otherwise pgvector, on the Postgres at
 * `VECTOR_DATABASE_URL` (which must have the extension) or on embedded PGlite in the data dir.
 */
export async function openVectorStore(
  config: Pick<StockPulseConfig, 'dataDir' | 'stores'>,
  dimensions: number,
  logger: Logger,
): Promise<VectorStore> {
  const { qdrantUrl, qdrantApiKey, vectorUrl } = config.stores;
  if (qdrantUrl) {
    const store = await openQdrantStore({ url: qdrantUrl, apiKey: qdrantApiKey, dimensions });
    logger.info({ backend: store.backend, url: store.location }, 'vector store opened');
    return store;
  }
  let db: Awaited<ReturnType<typeof openDatabase>>;
  try {
    db = await openDatabase({
      url: vectorUrl,
      dir: embeddedDir(config.dataDir, 'qdrant'),
      schema: 'vectors',
      extensions: ['vector'],
    });
  } catch (e) {
    const message = (e as Error).message;
    if (vectorUrl && /extension "vector"|vector\.control/i.test(message)) {
      throw new Error(
        `VECTOR_DATABASE_URL points at a Postgres without the pgvector extension (${message}). ` +
          'Install pgvector on that server (package postgresql-<version>-pgvector, or build it from source), ' +
          'or unset VECTOR_DATABASE_URL to use the embedded PGlite store.',
      );
    }
    throw e;
  }
  const store = await openPgvectorStore(db);
  logger.info({ backend: store.backend, database: store.location }, 'vector store opened');
  return store;
}
