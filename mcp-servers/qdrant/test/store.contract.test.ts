import { QdrantClient } from '@qdrant/js-client-rest';
import { type Database, openDatabase } from '@stockpulse/db';
import { TEST_DATABASE_URL } from '@stockpulse/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chunkText } from '../src/chunk.js';
import { lexicalEmbedder } from '../src/embed/index.js';
import { openPgvectorStore } from '../src/store/pgvector.js';
import {
  type DocumentInput,
  type DocumentMeta,
  type DocumentRef,
  PUBLIC_TENANT,
  type SearchRequest,
  type VectorStore,
} from '../src/store/port.js';
import { openQdrantStore } from '../src/store/qdrant.js';

/**
 * One behavioural suite for every VectorStore adapter. pgvector on PGlite always runs; pgvector on
 * the real Postgres runs only where `CREATE EXTENSION vector` succeeds there (checked now); Qdrant
 * runs only when QDRANT_URL points at a server.
 */
interface Backend {
  name: string;
  /** Why it is skipped, or undefined when it runs. */
  skip?: string;
  open(): Promise<VectorStore>;
  cleanup(): Promise<void>;
}

class Rollback extends Error {}

/** Whether the test Postgres is reachable and can create the pgvector extension (tried in a rolled-back transaction). */
async function postgresVectorSupport(): Promise<string | undefined> {
  let db: Database;
  try {
    db = await openDatabase({ url: TEST_DATABASE_URL, schema: 'public', maxConnections: 1 });
  } catch (e) {
    return `Postgres at ${TEST_DATABASE_URL} unreachable: ${(e as Error).message}`;
  }
  try {
    await db.transaction(async (tx) => {
      await tx.query('CREATE EXTENSION IF NOT EXISTS vector');
      throw new Rollback();
    });
    return 'unexpected';
  } catch (e) {
    return e instanceof Rollback ? undefined : `CREATE EXTENSION vector fails there: ${(e as Error).message}`;
  } finally {
    await db.close();
  }
}

const runId = `${process.pid}_${Date.now().toString(36)}`;
const pgSchema = `vectors_t${runId}`;
const qdrantUrl = process.env.QDRANT_URL;
const qdrantPrefix = `sptest_${runId}`;

const backends: Backend[] = [
  {
    name: 'pgvector on PGlite',
    open: async () =>
      openPgvectorStore(await openDatabase({ dir: 'memory://', schema: 'vectors', extensions: ['vector'] })),
    cleanup: async () => {},
  },
  {
    name: 'pgvector on Postgres',
    skip: await postgresVectorSupport(),
    open: async () =>
      openPgvectorStore(
        await openDatabase({ url: TEST_DATABASE_URL, schema: pgSchema, extensions: ['vector'] }),
      ),
    cleanup: async () => {
      const admin = await openDatabase({ url: TEST_DATABASE_URL, schema: 'public' });
      await admin.exec(`DROP SCHEMA IF EXISTS "${pgSchema}" CASCADE`);
      await admin.close();
    },
  },
  {
    name: 'Qdrant',
    skip: qdrantUrl ? undefined : 'QDRANT_URL is not set',
    open: () =>
      openQdrantStore({
        url: qdrantUrl!,
        apiKey: process.env.QDRANT_API_KEY,
        dimensions: 384,
        prefix: qdrantPrefix,
      }),
    cleanup: async () => {
      const client = new QdrantClient({
        url: qdrantUrl!,
        apiKey: process.env.QDRANT_API_KEY,
        checkCompatibility: false,
      });
      const { collections } = await client.getCollections();
      for (const c of collections.filter((c) => c.name.startsWith(`${qdrantPrefix}_`))) {
        await client.deleteCollection(c.name);
      }
    },
  },
];

// --- fixtures -----------------------------------------------------------------------------------------
const embedder = lexicalEmbedder();
const ALICE = '11111111-1111-4111-8111-111111111111';
const BOB = '22222222-2222-4222-8222-222222222222';
const PUBLIC_ONLY = [PUBLIC_TENANT];
const AS_ALICE = [ALICE, PUBLIC_TENANT];
const AS_BOB = [BOB, PUBLIC_TENANT];

async function doc(
  ref: DocumentRef,
  title: string,
  text: string,
  meta: Partial<DocumentMeta> = {},
): Promise<DocumentInput> {
  const chunks = chunkText(text);
  const vectors = await embedder.embed(chunks.map((c) => `${title}\n${c.text}`));
  return {
    ...ref,
    meta: {
      title,
      symbols: [],
      tags: [],
      source: 'test',
      publishedAt: '2024-03-05T21:00:00.000Z',
      embedder: embedder.id,
      ...meta,
    },
    chunks: chunks.map((c, i) => ({ ...c, vector: vectors[i]! })),
  };
}

const news = (id: string): DocumentRef => ({ tenant: PUBLIC_TENANT, collection: 'news', id });
const PHRASE = 'semiconductor export curbs';
const LONG_TEXT = Array.from(
  { length: 40 },
  (_, i) => `Paragraph ${i} of the long memo weighs valuation scenario ${i} for the turbine backlog. `,
).join('');

const CORPUS: Array<() => Promise<DocumentInput>> = [
  () =>
    doc(
      news('chips'),
      'NVDA jumps as data-center demand surges',
      'Nvidia rallied as hyperscalers ordered more GPUs for data-center build-outs and AI training clusters.',
      {
        symbols: ['NVDA'],
        sector: 'Information Technology',
      },
    ),
  () =>
    doc(
      news('oil'),
      'XOM slides as crude prices fall',
      'Exxon Mobil fell after crude oil prices dropped on rising inventories and weaker refining margins.',
      {
        symbols: ['XOM'],
        sector: 'Energy',
      },
    ),
  () =>
    doc(
      news('phrase'),
      'Chip designers fall',
      `Washington tightened ${PHRASE} on Tuesday, and chip designers fell in late trading.`,
      {
        symbols: ['AMD'],
      },
    ),
  // Distractors: every query word, often repeated, but never as the phrase.
  () =>
    doc(
      news('scattered-1'),
      'Semiconductor export volumes',
      'Export volumes of semiconductor equipment rose again. Semiconductor export growth beat forecasts; some expect curbs on steel instead. Export, export, semiconductor.',
      {
        symbols: ['AMAT'],
      },
    ),
  () =>
    doc(
      news('scattered-2'),
      'Curbs and exports',
      'Curbs on grain exports dominated the agenda while semiconductor stocks drifted; export data come next week and curbs may follow.',
      {
        symbols: ['MU'],
      },
    ),
  () =>
    doc(
      { tenant: ALICE, collection: 'notes', id: 'alice-thesis' },
      'My NVDA thesis',
      `Risk list: ${PHRASE} could hit NVDA data-center sales. Private note.`,
      {
        symbols: ['NVDA'],
      },
    ),
  () =>
    doc({ tenant: ALICE, collection: 'research', id: 'alice-memo' }, 'Turbine memo', LONG_TEXT, {
      symbols: ['GE'],
    }),
  () =>
    doc(
      { tenant: BOB, collection: 'notes', id: 'bob-oil' },
      'Oil idea',
      'Crude could rebound; watch XOM and CVX.',
      { symbols: ['XOM', 'CVX'] },
    ),
];

for (const backend of backends) {
  describe.skipIf(backend.skip !== undefined)(
    `vector store contract: ${backend.name}${backend.skip ? ` (skipped: ${backend.skip})` : ''}`,
    () => {
      let store: VectorStore;
      const find = (req: Partial<SearchRequest> & Pick<SearchRequest, 'tenants' | 'query'>) =>
        embedder
          .embed([req.query])
          .then(([vector]) => store.search({ mode: 'hybrid', limit: 10, vector, ...req }));
      const ids = async (req: Parameters<typeof find>[0]) => (await find(req)).map((h) => h.id);

      beforeAll(async () => {
        store = await backend.open();
        for (const make of CORPUS) await store.upsert(await make());
      });
      afterAll(async () => {
        await store?.close();
        await backend.cleanup();
      });

      it('reads back a multi-chunk document whole, with its metadata', async () => {
        const memo = await store.get(AS_ALICE, 'alice-memo');
        expect(memo).toMatchObject({
          tenant: ALICE,
          collection: 'research',
          id: 'alice-memo',
          text: LONG_TEXT,
        });
        expect(memo!.chunkCount).toBe(chunkText(LONG_TEXT).length);
        expect(memo!.chunkCount).toBeGreaterThan(3);
        expect(memo!.meta).toMatchObject({
          title: 'Turbine memo',
          symbols: ['GE'],
          source: 'test',
          embedder: embedder.id,
        });
        expect(Date.parse(memo!.meta.publishedAt)).toBe(Date.parse('2024-03-05T21:00:00.000Z'));
        expect(Number.isNaN(Date.parse(memo!.updatedAt))).toBe(false);
        expect(await store.get(AS_ALICE, 'no-such-doc')).toBeUndefined();
      });

      it('ranks by meaning in vector mode, and by the words in text mode', async () => {
        const vector = await find({
          tenants: PUBLIC_ONLY,
          query: 'GPU orders for data-center clusters',
          mode: 'vector',
        });
        expect(vector[0]!.id).toBe('chips');
        expect(vector[0]!.score).toBeGreaterThan(0);
        expect(vector[0]!.score).toBeLessThanOrEqual(1);
        const text = await ids({ tenants: PUBLIC_ONLY, query: 'crude inventories', mode: 'text' });
        expect(text).toEqual(['oil']);
        expect(await ids({ tenants: PUBLIC_ONLY, query: 'zeppelin', mode: 'text' })).toEqual([]);
      });

      it('hybrid ranking puts the exact-phrase document first', async () => {
        for (const tenants of [PUBLIC_ONLY, AS_BOB]) {
          const hybrid = await find({ tenants, query: PHRASE, mode: 'hybrid' });
          expect(hybrid[0]!.id).toBe('phrase');
          expect(hybrid.map((h) => h.id)).toEqual(expect.arrayContaining(['scattered-1', 'scattered-2']));
          expect(hybrid[0]!.text).toContain(PHRASE);
          // Fused scores fall as rank falls.
          const scores = hybrid.map((h) => h.score);
          expect(scores).toEqual([...scores].sort((a, b) => b - a));
        }
        expect((await ids({ tenants: PUBLIC_ONLY, query: PHRASE, mode: 'text' }))[0]).toBe('phrase');
      });

      it('filters by collection and by symbols', async () => {
        expect(await ids({ tenants: AS_ALICE, query: 'NVDA', symbols: ['NVDA'] })).toEqual(
          expect.arrayContaining(['chips', 'alice-thesis']),
        );
        expect(
          (await find({ tenants: AS_ALICE, query: 'prices', symbols: ['XOM', 'CVX'] })).map((h) => h.id),
        ).toEqual(['oil']);
        const notes = await find({ tenants: AS_ALICE, query: 'NVDA data-center', collection: 'notes' });
        expect(notes.map((h) => [h.id, h.collection])).toEqual([['alice-thesis', 'notes']]);
      });

      it('isolates tenants: a user sees public and their own, never another user’s', async () => {
        const asBob = await ids({ tenants: AS_BOB, query: `${PHRASE} NVDA turbine memo`, limit: 50 });
        expect(asBob).not.toContain('alice-thesis');
        expect(asBob).not.toContain('alice-memo');
        expect(await ids({ tenants: AS_BOB, query: 'crude XOM', mode: 'text' })).toEqual(
          expect.arrayContaining(['bob-oil', 'oil']),
        );
        expect(await ids({ tenants: AS_ALICE, query: 'crude XOM rebound', mode: 'text' })).not.toContain(
          'bob-oil',
        );
        expect(await store.get(AS_BOB, 'alice-thesis')).toBeUndefined();
        expect(await store.get(AS_ALICE, 'alice-thesis')).toMatchObject({ tenant: ALICE });
        expect(await store.countByCollection(PUBLIC_ONLY)).toEqual({ news: 5, research: 0, notes: 0 });
        expect(await store.countByCollection(AS_ALICE)).toEqual({ news: 5, research: 1, notes: 1 });
        expect(await store.countByCollection(AS_BOB)).toEqual({ news: 5, research: 0, notes: 1 });
      });

      it('returns one hit per document and honours the limit', async () => {
        const hits = await find({ tenants: AS_ALICE, query: 'turbine backlog valuation scenario', limit: 3 });
        expect(hits.filter((h) => h.id === 'alice-memo')).toHaveLength(1);
        expect(hits.length).toBeLessThanOrEqual(3);
        expect(hits[0]!.id).toBe('alice-memo');
        const all = await find({ tenants: AS_ALICE, query: 'the market', limit: 50, mode: 'vector' });
        expect(new Set(all.map((h) => `${h.tenant}/${h.id}`)).size).toBe(all.length);
      });

      it('replaces a document on upsert, chunks and all', async () => {
        const ref = { tenant: ALICE, collection: 'notes' as const, id: 'draft' };
        await store.upsert(await doc(ref, 'Draft', LONG_TEXT));
        await store.upsert(await doc(ref, 'Draft v2', 'Short replacement about pelicans.'));
        const draft = await store.get([ALICE], 'draft');
        expect(draft).toMatchObject({ text: 'Short replacement about pelicans.', chunkCount: 1 });
        expect(draft!.meta.title).toBe('Draft v2');
        expect(await ids({ tenants: [ALICE], query: 'turbine backlog', mode: 'text' })).not.toContain(
          'draft',
        );
        expect(await ids({ tenants: [ALICE], query: 'pelicans', mode: 'text' })).toEqual(['draft']);
      });

      it('lets a user’s document shadow a public one with the same id', async () => {
        await store.upsert(
          await doc({ tenant: ALICE, collection: 'notes', id: 'oil' }, 'My oil note', 'Mine.'),
        );
        expect(await store.get(AS_ALICE, 'oil')).toMatchObject({
          tenant: ALICE,
          collection: 'notes',
          text: 'Mine.',
        });
        expect(await store.get(AS_BOB, 'oil')).toMatchObject({ tenant: PUBLIC_TENANT, collection: 'news' });
        expect(await store.get(AS_ALICE, 'oil', 'news')).toMatchObject({ tenant: PUBLIC_TENANT });
        expect(await store.delete({ tenant: ALICE, collection: 'notes', id: 'oil' })).toBe(true);
      });

      it('deletes only the named document, once', async () => {
        const ref = { tenant: BOB, collection: 'notes' as const, id: 'chips' }; // same id as a public article
        await store.upsert(await doc(ref, 'Bob chips', 'Bob likes chips.'));
        expect(await store.delete(ref)).toBe(true);
        expect(await store.delete(ref)).toBe(false);
        expect(await store.get([BOB], 'chips')).toBeUndefined();
        expect(await store.get(AS_BOB, 'chips')).toMatchObject({ tenant: PUBLIC_TENANT });
        expect(await store.delete({ tenant: ALICE, collection: 'news', id: 'chips' })).toBe(false);
        expect(await store.get(PUBLIC_ONLY, 'chips')).toBeDefined();
      });

      it('lists a tenant’s ids and counts vectors from other embedders', async () => {
        expect(await store.ids(PUBLIC_TENANT, 'news')).toEqual([
          'chips',
          'oil',
          'phrase',
          'scattered-1',
          'scattered-2',
        ]);
        expect(await store.ids(ALICE, 'research')).toEqual(['alice-memo']);
        expect(await store.countForeignVectors(embedder.id)).toBe(0);
        const ref = { tenant: BOB, collection: 'research' as const, id: 'old-model' };
        await store.upsert(await doc(ref, 'Old', 'Embedded long ago.', { embedder: 'openai:ada-002:384' }));
        expect(await store.countForeignVectors(embedder.id)).toBe(1);
        await store.delete(ref);
      });
    },
  );
}
