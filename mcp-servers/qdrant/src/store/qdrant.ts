import { createHash } from 'node:crypto';
import {
  QdrantClient,
  QdrantClientResourceExhaustedError,
  QdrantClientTimeoutError,
  type Schemas,
} from '@qdrant/js-client-rest';
import { AppError } from '@stockpulse/core';
import { joinChunks } from '../chunk.js';
import { lexicalSparseVector, tokenize } from '../embed/lexical.js';
import {
  COLLECTIONS,
  type CollectionName,
  type DocumentInput,
  type DocumentMeta,
  type DocumentRef,
  emptyCounts,
  RRF_K,
  type SearchHit,
  type SearchRequest,
  type StoredDocument,
  type VectorStore,
} from './port.js';

export interface QdrantStoreOptions {
  url: string;
  apiKey?: string;
  dimensions: number;
  /** Qdrant collection names are `<prefix>_<collection>`; default `stockpulse`. */
  prefix?: string;
  /** For tests: an existing client. */
  client?: QdrantClient;
}

const DENSE = 'dense';
const LEXICAL = 'lexical';

/** What each point carries besides its vectors. */
interface ChunkPayload {
  tenant: string;
  collection: CollectionName;
  docId: string;
  /** `<tenant>/<docId>`: what search results are grouped by (one hit per document). */
  docKey: string;
  chunkIndex: number;
  charStart: number;
  text: string;
  title: string;
  symbols: string[];
  tags: string[];
  sector?: string;
  source: string;
  publishedAt: string;
  embedder: string;
  updatedAt: string;
}

type Filter = Schemas['Filter'];
type Condition = Schemas['Condition'];

const match = (key: string, value: string | number): Condition => ({ key, match: { value } });
const matchAny = (key: string, any: string[]): Condition => ({ key, match: { any } });

/** Qdrant point ids are UUIDs or integers: derive a stable UUID from the chunk's identity. */
export function pointId(ref: DocumentRef, chunkIndex: number): string {
  const h = createHash('sha256')
    .update(`${ref.tenant}\u0000${ref.collection}\u0000${ref.id}\u0000${chunkIndex}`)
    .digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((Number.parseInt(h[16]!, 16) & 3) | 8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** Open (creating collections and payload indexes when missing) the Qdrant store. */
export async function openQdrantStore(opts: QdrantStoreOptions): Promise<QdrantStore> {
  const client =
    opts.client ??
    new QdrantClient({ url: opts.url, apiKey: opts.apiKey, checkCompatibility: false, timeout: 30_000 });
  const store = new QdrantStore(client, opts);
  await store.ensureCollections();
  return store;
}

/**
 * One Qdrant collection per logical collection, each point a chunk with a named dense vector (cosine)
 * and a named sparse lexical vector (hashed unigrams + bigrams, `idf` modifier: BM25-like). Tenancy is
 * a filter on the `tenant` payload field (indexed with `is_tenant`) in every request.
 *
 * Hybrid search is one Query API call: three prefetches (dense; sparse; and, for queries of two or more
 * words, dense restricted by a full-text `phrase` match on the `text` payload index) fused with `rrf`
 * (k = 61, which with Qdrant's zero-based ranks equals 1 / (60 + rank) from 1, as in the pgvector
 * adapter), grouped by document (`docKey`) so each document appears once with its best chunk.
 *
 * Not run on the development machines (no Qdrant server there): written against the client's types and
 * Qdrant's documented Query API; the contract suite runs against it when QDRANT_URL is set.
 */
export class QdrantStore implements VectorStore {
  readonly backend = 'qdrant' as const;
  readonly location: string;
  private readonly prefix: string;
  private readonly dimensions: number;

  constructor(
    private readonly client: QdrantClient,
    opts: QdrantStoreOptions,
  ) {
    this.prefix = opts.prefix ?? 'stockpulse';
    this.dimensions = opts.dimensions;
    const u = new URL(opts.url);
    this.location = `${u.protocol}//${u.host}`;
  }

  collectionName(c: CollectionName): string {
    return `${this.prefix}_${c}`;
  }

  async ensureCollections(): Promise<void> {
    for (const c of COLLECTIONS) {
      const name = this.collectionName(c);
      const { exists } = await this.call(() => this.client.collectionExists(name));
      if (exists) continue;
      await this.call(() =>
        this.client.createCollection(name, {
          vectors: { [DENSE]: { size: this.dimensions, distance: 'Cosine' } },
          sparse_vectors: { [LEXICAL]: { modifier: 'idf' } },
        }),
      );
      // Index the filtered fields right after creation, before HNSW is built, so filterable HNSW can use them.
      const indexes: Array<[string, Schemas['PayloadFieldSchema']]> = [
        ['tenant', { type: 'keyword', is_tenant: true }],
        ['docId', 'keyword'],
        ['docKey', 'keyword'],
        ['symbols', 'keyword'],
        ['embedder', 'keyword'],
        ['chunkIndex', 'integer'],
        ['text', { type: 'text', tokenizer: 'word', lowercase: true, phrase_matching: true }],
      ];
      for (const [field_name, field_schema] of indexes) {
        await this.call(() => this.client.createPayloadIndex(name, { field_name, field_schema, wait: true }));
      }
    }
  }

  async upsert(doc: DocumentInput): Promise<void> {
    const name = this.collectionName(doc.collection);
    const updatedAt = new Date().toISOString();
    // Qdrant has no multi-request transactions: drop the old chunks, then write the new ones.
    await this.call(() => this.client.delete(name, { wait: true, filter: docFilter(doc) }));
    const points = doc.chunks.map((c) => {
      const payload: ChunkPayload = {
        tenant: doc.tenant,
        collection: doc.collection,
        docId: doc.id,
        docKey: `${doc.tenant}/${doc.id}`,
        chunkIndex: c.index,
        charStart: c.start,
        text: c.text,
        title: doc.meta.title,
        symbols: doc.meta.symbols,
        tags: doc.meta.tags,
        ...(doc.meta.sector ? { sector: doc.meta.sector } : {}),
        source: doc.meta.source,
        publishedAt: doc.meta.publishedAt,
        embedder: doc.meta.embedder,
        updatedAt,
      };
      return {
        id: pointId(doc, c.index),
        vector: { [DENSE]: c.vector, [LEXICAL]: lexicalSparseVector(`${doc.meta.title}\n${c.text}`) },
        payload: payload as unknown as Record<string, unknown>,
      };
    });
    for (let i = 0; i < points.length; i += 64) {
      const batch = points.slice(i, i + 64);
      await this.call(() => this.client.upsert(name, { wait: true, points: batch }));
    }
  }

  async search(req: SearchRequest): Promise<SearchHit[]> {
    const filter: Filter = {
      must: [
        matchAny('tenant', [...req.tenants]),
        ...(req.symbols?.length ? [matchAny('symbols', [...req.symbols])] : []),
      ],
    };
    const sparse = lexicalSparseVector(req.query);
    if (req.mode === 'text' && sparse.indices.length === 0) return [];
    const candidates = Math.max(50, req.limit * 4);
    const dense = (): number[] => {
      if (!req.vector) throw new Error(`a query vector is required for ${req.mode} search`);
      return req.vector;
    };
    let query: Pick<Schemas['QueryGroupsRequest'], 'prefetch' | 'query' | 'using' | 'filter'>;
    if (req.mode === 'vector') query = { query: dense(), using: DENSE, filter };
    else if (req.mode === 'text') query = { query: sparse, using: LEXICAL, filter };
    else {
      const prefetch: Schemas['Prefetch'][] = [{ query: dense(), using: DENSE, filter, limit: candidates }];
      if (sparse.indices.length > 0)
        prefetch.push({ query: sparse, using: LEXICAL, filter, limit: candidates });
      // Exact-phrase matches as a ranking of their own (a payload match has no score: rank them by the
      // dense vector), so they stay first; only for queries of two or more words, as in pgvector.
      if (tokenize(req.query).length > 1) {
        prefetch.push({
          query: dense(),
          using: DENSE,
          filter: { must: [...(filter.must as Condition[]), { key: 'text', match: { phrase: req.query } }] },
          limit: candidates,
        });
      }
      query = { prefetch, query: { rrf: { k: RRF_K + 1 } } };
    }
    const collections = req.collection ? [req.collection] : [...COLLECTIONS];
    const perCollection = await Promise.all(
      collections.map((c) =>
        this.call(() =>
          this.client.queryGroups(this.collectionName(c), {
            ...query,
            group_by: 'docKey',
            group_size: 1,
            limit: req.limit,
            with_payload: true,
          }),
        ),
      ),
    );
    const hits: SearchHit[] = [];
    for (const result of perCollection) {
      for (const group of result.groups) {
        const point = group.hits[0];
        if (!point?.payload) continue;
        const pl = point.payload as unknown as ChunkPayload;
        hits.push({
          tenant: pl.tenant,
          collection: pl.collection,
          id: pl.docId,
          meta: metaOf(pl),
          chunkIndex: pl.chunkIndex,
          text: pl.text,
          score: point.score,
        });
      }
    }
    return hits
      .sort((a, b) => b.score - a.score || b.meta.publishedAt.localeCompare(a.meta.publishedAt))
      .slice(0, req.limit);
  }

  async get(
    tenants: readonly string[],
    id: string,
    collection?: CollectionName,
  ): Promise<StoredDocument | undefined> {
    for (const c of collection ? [collection] : COLLECTIONS) {
      const { points } = await this.call(() =>
        this.client.scroll(this.collectionName(c), {
          filter: { must: [matchAny('tenant', [...tenants]), match('docId', id)] },
          limit: 1000,
          with_payload: true,
          with_vector: false,
        }),
      );
      const chunks = points.map((pt) => pt.payload as unknown as ChunkPayload);
      // The first tenant in preference order that holds the id owns the answer.
      const owner = tenants.find((t) => chunks.some((ch) => ch.tenant === t));
      if (owner === undefined) continue;
      const own = chunks.filter((ch) => ch.tenant === owner).sort((a, b) => a.chunkIndex - b.chunkIndex);
      const first = own[0]!;
      return {
        tenant: owner,
        collection: c,
        id,
        meta: metaOf(first),
        text: joinChunks(own.map((ch) => ({ start: ch.charStart, text: ch.text }))),
        chunkCount: own.length,
        updatedAt: first.updatedAt,
      };
    }
    return undefined;
  }

  async delete(ref: DocumentRef): Promise<boolean> {
    const name = this.collectionName(ref.collection);
    const { count } = await this.call(() => this.client.count(name, { filter: docFilter(ref), exact: true }));
    if (count === 0) return false;
    await this.call(() => this.client.delete(name, { wait: true, filter: docFilter(ref) }));
    return true;
  }

  async countByCollection(tenants: readonly string[]): Promise<Record<CollectionName, number>> {
    const counts = emptyCounts();
    await Promise.all(
      COLLECTIONS.map(async (c) => {
        const { count } = await this.call(() =>
          this.client.count(this.collectionName(c), {
            filter: { must: [matchAny('tenant', [...tenants]), match('chunkIndex', 0)] },
            exact: true,
          }),
        );
        counts[c] = count;
      }),
    );
    return counts;
  }

  async ids(tenant: string, collection: CollectionName): Promise<string[]> {
    const ids: string[] = [];
    let offset: Schemas['ExtendedPointId'] | undefined;
    do {
      const page = await this.call(() =>
        this.client.scroll(this.collectionName(collection), {
          filter: { must: [match('tenant', tenant), match('chunkIndex', 0)] },
          limit: 1000,
          offset,
          with_payload: ['docId'],
          with_vector: false,
        }),
      );
      for (const pt of page.points) ids.push(String((pt.payload as { docId: string }).docId));
      offset = (page.next_page_offset as Schemas['ExtendedPointId'] | null | undefined) ?? undefined;
    } while (offset !== undefined);
    return ids.sort();
  }

  async countForeignVectors(embedderId: string): Promise<number> {
    const counts = await Promise.all(
      COLLECTIONS.map((c) =>
        this.call(() =>
          this.client.count(this.collectionName(c), {
            filter: { must_not: [match('embedder', embedderId)] },
            exact: true,
          }),
        ),
      ),
    );
    return counts.reduce((n, r) => n + r.count, 0);
  }

  async close(): Promise<void> {
    // The REST client holds no connection to close.
  }

  /** Qdrant failures become AppErrors: `timeout`, `rate_limited`, else `unavailable` with the server's message. */
  private async call<T>(op: () => Promise<T>): Promise<T> {
    try {
      return await op();
    } catch (e) {
      if (e instanceof AppError) throw e;
      if (e instanceof QdrantClientTimeoutError)
        throw new AppError('timeout', `Qdrant at ${this.location} timed out`);
      if (e instanceof QdrantClientResourceExhaustedError) {
        throw new AppError(
          'rate_limited',
          `Qdrant at ${this.location} is overloaded; retry in ${e.retry_after} s`,
        );
      }
      const err = e as { status?: number; message?: string; data?: { status?: { error?: string } } };
      const detail = err.data?.status?.error ?? err.message ?? String(e);
      throw new AppError('unavailable', `Qdrant at ${this.location} failed: ${detail}`, {
        ...(err.status ? { status: err.status } : {}),
      });
    }
  }
}

function docFilter(ref: DocumentRef): Filter {
  return { must: [match('tenant', ref.tenant), match('docId', ref.id)] };
}

function metaOf(pl: ChunkPayload): DocumentMeta {
  return {
    title: pl.title,
    symbols: pl.symbols ?? [],
    tags: pl.tags ?? [],
    ...(pl.sector ? { sector: pl.sector } : {}),
    source: pl.source,
    publishedAt: pl.publishedAt,
    embedder: pl.embedder,
  };
}
