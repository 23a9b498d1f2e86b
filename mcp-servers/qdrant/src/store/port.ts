/**
 * The vector store port: documents cut into chunks, each chunk with a dense vector, searchable by
 * vector, by full text, or both fused. Two adapters (pgvector on the db port, Qdrant), one contract
 * suite (`test/store.contract.test.ts`). The store enforces nothing about who may see what: callers
 * pass the tenants a request may read (see `tenancy.ts`), and the store filters on them every time.
 */
export const COLLECTIONS = ['news', 'research', 'notes'] as const;
export type CollectionName = (typeof COLLECTIONS)[number];

/** The tenant of the shared corpus every user can read and nobody can write through the tools. */
export const PUBLIC_TENANT = 'public';

export type SearchMode = 'vector' | 'text' | 'hybrid';

/** Reciprocal-rank fusion constant: a document's fused score is Σ 1 / (RRF_K + rank), rank from 1. */
export const RRF_K = 60;

export interface DocumentMeta {
  title: string;
  /** Upper-case tickers the document is about (filterable). */
  symbols: string[];
  tags: string[];
  sector?: string;
  /** Where the document came from: `user`, `StockPulse simulated newswire`… */
  source: string;
  /** ISO 8601 timestamp. */
  publishedAt: string;
  /** Id of the embedder that produced the vectors. */
  embedder: string;
}

export interface DocumentRef {
  /** A user id, or {@link PUBLIC_TENANT}. */
  tenant: string;
  collection: CollectionName;
  /** Unique within a tenant and collection. */
  id: string;
}

export interface ChunkInput {
  index: number;
  /** Character offset of the chunk in the document. */
  start: number;
  text: string;
  vector: number[];
}

export interface DocumentInput extends DocumentRef {
  meta: DocumentMeta;
  chunks: ChunkInput[];
}

export interface StoredDocument extends DocumentRef {
  meta: DocumentMeta;
  /** The whole document, rebuilt from its chunks. */
  text: string;
  chunkCount: number;
  updatedAt: string;
}

export interface SearchRequest {
  /** Tenants the caller may read; never empty. */
  tenants: readonly string[];
  collection?: CollectionName;
  /** Keep documents about at least one of these symbols. */
  symbols?: readonly string[];
  query: string;
  /** The query's embedding; required unless `mode` is `text`. */
  vector?: number[];
  mode: SearchMode;
  limit: number;
}

/** One document per hit, represented by its best-matching chunk. */
export interface SearchHit extends DocumentRef {
  meta: DocumentMeta;
  chunkIndex: number;
  text: string;
  /** vector: cosine similarity; text: the backend's text score; hybrid: the RRF score. Higher is better. */
  score: number;
}

export interface VectorStore {
  readonly backend: 'pgvector' | 'qdrant';
  /** Where the data lives, without credentials: `pglite`, `postgres`, a Qdrant URL. */
  readonly location: string;
  /** Insert or replace a document (all its chunks) as one unit. */
  upsert(doc: DocumentInput): Promise<void>;
  search(req: SearchRequest): Promise<SearchHit[]>;
  /**
   * A document readable by `tenants`. If several of those tenants hold the id, the one listed first wins
   * (so a user's own document shadows a public one with the same id).
   */
  get(
    tenants: readonly string[],
    id: string,
    collection?: CollectionName,
  ): Promise<StoredDocument | undefined>;
  /** Whether something was deleted. */
  delete(ref: DocumentRef): Promise<boolean>;
  /** Documents per collection readable by `tenants`. */
  countByCollection(tenants: readonly string[]): Promise<Record<CollectionName, number>>;
  /** Ids of one tenant's documents in a collection (for idempotent seeding). */
  ids(tenant: string, collection: CollectionName): Promise<string[]>;
  /** Chunks whose vectors came from another embedder than `embedderId` (they no longer compare). */
  countForeignVectors(embedderId: string): Promise<number>;
  close(): Promise<void>;
}

export function emptyCounts(): Record<CollectionName, number> {
  return { news: 0, research: 0, notes: 0 };
}
