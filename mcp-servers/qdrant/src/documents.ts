import { randomUUID } from 'node:crypto';
import { AppError } from '@stockpulse/core';
import type { Principal } from '@stockpulse/protocols/auth';
import { chunkText } from './chunk.js';
import type { Embedder } from './embed/port.js';
import {
  COLLECTIONS,
  type CollectionName,
  type DocumentInput,
  type DocumentMeta,
  PUBLIC_TENANT,
  type SearchHit,
  type SearchMode,
  type StoredDocument,
  type VectorStore,
} from './store/port.js';
import { readableTenants, writableTenant } from './tenancy.js';

export const COLLECTION_INFO: Record<CollectionName, { description: string; userWritable: boolean }> = {
  news: {
    description: 'Market news: the shared corpus every user can read (read-only).',
    userWritable: false,
  },
  research: { description: "Research write-ups: the caller's own, private.", userWritable: true },
  notes: { description: "Free-form notes: the caller's own, private.", userWritable: true },
};

/** The most a document may hold (UTF-8 bytes). */
export const MAX_DOCUMENT_BYTES = 100 * 1024;

export interface NewDocument {
  collection: CollectionName;
  id?: string;
  title: string;
  text: string;
  symbols?: string[];
  tags?: string[];
  sector?: string;
  source?: string;
  publishedAt?: string;
}

export interface Owned<T> {
  value: T;
  owner: 'public' | 'you';
}

/**
 * Documents for a principal: chunks and embeds on the way in, applies the tenancy rules, and leaves
 * storage to the {@link VectorStore}.
 */
export class DocumentLibrary {
  constructor(
    readonly store: VectorStore,
    readonly embedder: Embedder,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async collections(p: Principal) {
    const counts = await this.store.countByCollection(readableTenants(p));
    const canWrite = Boolean(p.userId);
    return COLLECTIONS.map((name) => ({
      name,
      description: COLLECTION_INFO[name].description,
      documents: counts[name],
      writable: canWrite && COLLECTION_INFO[name].userWritable,
    }));
  }

  /** Create or replace one of the caller's documents. */
  async save(p: Principal, doc: NewDocument, signal?: AbortSignal) {
    const tenant = writableTenant(p);
    if (!COLLECTION_INFO[doc.collection].userWritable) {
      throw new AppError('forbidden', `The ${doc.collection} collection is read-only`);
    }
    const id = doc.id ?? randomUUID();
    const existing = doc.id ? await this.store.get([tenant], id) : undefined;
    if (existing && existing.collection !== doc.collection) {
      throw new AppError(
        'conflict',
        `You already have a document '${id}' in ${existing.collection}; ids are unique across your collections`,
      );
    }
    const [input] = await this.prepare([{ ...doc, id, tenant, source: doc.source ?? 'user' }], signal);
    await this.store.upsert(input!);
    return { id, collection: doc.collection, chunks: input!.chunks.length, created: !existing };
  }

  /** Write documents of the public corpus (the server's own seeding; no principal can do this). */
  async publish(collection: CollectionName, docs: Array<Omit<NewDocument, 'collection'> & { id: string }>) {
    const inputs = await this.prepare(docs.map((d) => ({ ...d, collection, tenant: PUBLIC_TENANT })));
    for (const input of inputs) await this.store.upsert(input);
    return inputs.length;
  }

  publicIds(collection: CollectionName): Promise<string[]> {
    return this.store.ids(PUBLIC_TENANT, collection);
  }

  async search(
    p: Principal,
    q: { query: string; collection?: CollectionName; symbols?: string[]; mode: SearchMode; limit: number },
    signal?: AbortSignal,
  ): Promise<Array<Owned<SearchHit>>> {
    const vector = q.mode === 'text' ? undefined : (await this.embedder.embed([q.query], signal))[0];
    const hits = await this.store.search({ ...q, tenants: readableTenants(p), vector });
    return hits.map((h) => ({ value: h, owner: h.tenant === PUBLIC_TENANT ? 'public' : 'you' }));
  }

  async get(p: Principal, id: string, collection?: CollectionName): Promise<Owned<StoredDocument>> {
    const doc = await this.store.get(readableTenants(p), id, collection);
    if (!doc) throw notFound(id, collection);
    return { value: doc, owner: doc.tenant === PUBLIC_TENANT ? 'public' : 'you' };
  }

  /** Delete one of the caller's documents. Public documents are read-only; other users' are invisible. */
  async remove(p: Principal, id: string, collection?: CollectionName) {
    const tenant = writableTenant(p);
    const own = await this.store.get([tenant], id, collection);
    if (!own) {
      if (await this.store.get([PUBLIC_TENANT], id, collection)) {
        throw new AppError('forbidden', `'${id}' belongs to the public news corpus, which is read-only`);
      }
      throw notFound(id, collection);
    }
    await this.store.delete({ tenant, collection: own.collection, id });
    return { id, collection: own.collection, deleted: true as const };
  }

  /** Chunk every document and embed all chunks in one batch (title + chunk text, so each chunk knows its topic). */
  private async prepare(
    docs: Array<Omit<NewDocument, 'id'> & { id: string; tenant: string }>,
    signal?: AbortSignal,
  ): Promise<DocumentInput[]> {
    const chunked = docs.map((d) => {
      if (Buffer.byteLength(d.text, 'utf8') > MAX_DOCUMENT_BYTES) {
        throw new AppError(
          'bad_request',
          `Document '${d.id}' is larger than ${MAX_DOCUMENT_BYTES / 1024} KB`,
        );
      }
      const chunks = chunkText(d.text);
      if (chunks.length === 0 || d.text.trim() === '') {
        throw new AppError('bad_request', `Document '${d.id}' has no text`);
      }
      return { d, chunks };
    });
    const vectors = await this.embedder.embed(
      chunked.flatMap(({ d, chunks }) => chunks.map((c) => `${d.title}\n${c.text}`)),
      signal,
    );
    let next = 0;
    const updatedAt = this.now().toISOString();
    return chunked.map(({ d, chunks }) => {
      const meta: DocumentMeta = {
        title: d.title,
        symbols: [...new Set((d.symbols ?? []).map((s) => s.toUpperCase()))],
        tags: [...new Set(d.tags ?? [])],
        ...(d.sector ? { sector: d.sector } : {}),
        source: d.source ?? 'user',
        publishedAt: d.publishedAt ?? updatedAt,
        embedder: this.embedder.id,
      };
      return {
        tenant: d.tenant,
        collection: d.collection,
        id: d.id,
        meta,
        chunks: chunks.map((c) => ({ ...c, vector: vectors[next++]! })),
      };
    });
  }
}

function notFound(id: string, collection?: CollectionName): AppError {
  return new AppError('not_found', `No document '${id}'${collection ? ` in ${collection}` : ''}`);
}
