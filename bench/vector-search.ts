/**
 * Vector search on the qdrant server's default store: pgvector on embedded PGlite. Synthetic documents
 * (deterministic text from a small vocabulary, embedded with the lexical hashing embedder) are bulk
 * inserted, the HNSW index is built, then 200 queries measure `PgvectorStore.search` (mode `vector`,
 * k = 10) latency and recall@10 against an exact scan (`ORDER BY embedding <=> q` with index scans off).
 *
 *   node --import tsx bench/vector-search.ts        # BENCH_DOCS=20000 for a smaller corpus
 *
 * Prints a markdown section for RESULTS.md.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '@stockpulse/db';
import { lexicalEmbedder } from '../mcp-servers/qdrant/src/embed/lexical.js';
import { openPgvectorStore } from '../mcp-servers/qdrant/src/store/pgvector.js';

const DOCS = Number(process.env.BENCH_DOCS ?? 100_000);
const QUERIES = 200;
const K = 10;
const BATCH = 1_000;
const TENANT = 'bench';

// --- deterministic corpus: a seeded PRNG over a small finance vocabulary ---------------------------------
function mulberry32(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const VOCAB = (
  'revenue earnings margin guidance outlook dividend buyback growth decline quarter annual forecast ' +
  'analyst upgrade downgrade target price valuation multiple cash flow debt leverage rate inflation ' +
  'yield bond equity market share demand supply chip semiconductor cloud software hardware retail ' +
  'consumer energy oil gas bank lender insurer pharma drug trial approval merger acquisition deal ' +
  'lawsuit regulator antitrust tariff export china europe india japan volatility rally selloff ' +
  'momentum index futures option hedge fund stake activist board ceo cfo layoff hiring wage strike ' +
  'inventory shipment backlog order contract subscription advertising streaming gaming battery ' +
  'electric vehicle autonomous robot ai datacenter server memory storage network wireless satellite ' +
  'airline travel hotel restaurant housing mortgage construction steel copper gold lithium'
).split(' ');
const SYMBOLS = ['AAPL', 'MSFT', 'NVDA', 'AMZN', 'GOOGL', 'META', 'TSLA', 'JPM', 'XOM', 'UNH'];
const rand = mulberry32(7);
const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)]!;
const sentence = (words: number) => Array.from({ length: words }, () => pick(VOCAB)).join(' ');

const embedder = lexicalEmbedder();
const literal = (v: readonly number[]) => `[${v.map((x) => Number(x.toPrecision(7))).join(',')}]`;

const dir = mkdtempSync(join(tmpdir(), 'sp-bench-vector-'));
const db = await openDatabase({ dir: join(dir, 'pgdata'), schema: 'vectors', extensions: ['vector'] });
let out = '';
try {
  const store = await openPgvectorStore(db);
  const { rows: ver } = await db.query<{ v: string }>(
    "SELECT extversion AS v FROM pg_extension WHERE extname = 'vector'",
  );
  // Bulk load without the index, then build it once (how a re-index would do it).
  await db.exec('DROP INDEX chunks_embedding_hnsw');

  const tInsert = performance.now();
  for (let start = 0; start < DOCS; start += BATCH) {
    const n = Math.min(BATCH, DOCS - start);
    const docs = Array.from({ length: n }, (_, i) => {
      const sym = pick(SYMBOLS);
      return {
        id: `doc-${start + i}`,
        title: `${sym} ${sentence(4)}`,
        text: `${sym} ${sentence(20 + Math.floor(rand() * 20))}.`,
        symbols: [sym],
      };
    });
    const vectors = await embedder.embed(docs.map((d) => `${d.title}\n${d.text}`));
    await db.query(
      `INSERT INTO chunks (tenant, collection, doc_id, chunk_index, char_start, title, text, symbols, payload,
                           embedding, published_at)
       SELECT $1, 'news', u.id, 0, 0, u.title, u.text, ARRAY[u.sym], jsonb_build_object('embedder', $2::text),
              u.emb::vector, now()
       FROM unnest($3::text[], $4::text[], $5::text[], $6::text[], $7::text[]) AS u(id, title, text, sym, emb)`,
      [
        TENANT,
        embedder.id,
        docs.map((d) => d.id),
        docs.map((d) => d.title),
        docs.map((d) => d.text),
        docs.map((d) => d.symbols[0]!),
        vectors.map(literal),
      ],
    );
    if ((start / BATCH) % 10 === 9)
      process.stderr.write(`  ${start + n} docs, ${((performance.now() - tInsert) / 1000).toFixed(0)} s\n`);
  }
  const insertS = (performance.now() - tInsert) / 1000;

  const tIndex = performance.now();
  await db.exec(
    'CREATE INDEX chunks_embedding_hnsw ON chunks USING hnsw (embedding vector_cosine_ops); ANALYZE chunks',
  );
  const indexS = (performance.now() - tIndex) / 1000;
  process.stderr.write(`  inserted in ${insertS.toFixed(1)} s, index in ${indexS.toFixed(1)} s\n`);

  // Queries: short phrases from the same vocabulary, as a user would type them.
  const queries = Array.from(
    { length: QUERIES },
    () => `${pick(SYMBOLS)} ${sentence(2 + Math.floor(rand() * 4))}`,
  );
  const qvecs = await embedder.embed(queries);

  const search = (i: number) =>
    store.search({ tenants: [TENANT], query: queries[i]!, vector: qvecs[i]!, mode: 'vector', limit: K });
  for (let i = 0; i < 20; i++) await search(i); // warm-up

  const times: number[] = [];
  const got: string[][] = [];
  for (let i = 0; i < QUERIES; i++) {
    const t = performance.now();
    const hits = await search(i);
    times.push(performance.now() - t);
    got.push(hits.map((h) => h.id));
  }

  // Exact top-k: the same distance, a sequential scan.
  const exactTimes: number[] = [];
  let recallSum = 0;
  for (let i = 0; i < QUERIES; i++) {
    const t = performance.now();
    const exact = await db.transaction(async (tx) => {
      await tx.query('SET LOCAL enable_indexscan = off');
      const { rows } = await tx.query<{ doc_id: string }>(
        `SELECT doc_id FROM chunks WHERE tenant = $1 ORDER BY embedding <=> $2::vector, id LIMIT ${K}`,
        [TENANT, literal(qvecs[i]!)],
      );
      return rows.map((r) => r.doc_id);
    });
    exactTimes.push(performance.now() - t);
    const truth = new Set(exact);
    recallSum += got[i]!.filter((id) => truth.has(id)).length / Math.max(1, exact.length);
  }
  const recall = recallSum / QUERIES;

  const pct = (xs: number[], p: number) => {
    const s = [...xs].sort((a, b) => a - b);
    return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
  };
  const f = (n: number) => n.toFixed(1);
  out = `## Vector search: pgvector on PGlite (${new Date().toISOString().slice(0, 10)}, ${process.version}, ${cpus().length} cores)

The qdrant server's default store (\`PgvectorStore\` on embedded PGlite, pgvector ${ver[0]?.v}), one tenant,
${DOCS.toLocaleString('en-US')} synthetic one-chunk documents (seeded random text, ${VOCAB.length}-word finance
vocabulary + a ticker) embedded with the lexical hashing embedder (384 dims). Bulk insert in batches of
${BATCH.toLocaleString('en-US')} rows without the vector index, then \`CREATE INDEX … USING hnsw (embedding vector_cosine_ops)\`
(defaults m = 16, ef_construction = 64). ${QUERIES} queries of 3–6 vocabulary words, after 20 warm-up queries:
\`store.search({ mode: 'vector', limit: ${K} })\` (its SQL: HNSW, \`ef_search\` 50, iterative scan). Recall@${K}
against an exact scan of the same distance (\`enable_indexscan = off\`). \`node --import tsx bench/vector-search.ts\`.

| step | result |
| --- | --- |
| insert ${DOCS.toLocaleString('en-US')} docs (embedding included) | ${f(insertS)} s (${Math.round(DOCS / insertS).toLocaleString('en-US')} docs/s) |
| build HNSW index | ${f(indexS)} s |
| \`store.search\` vector k=${K}: p50 / p99 | ${f(pct(times, 50))} ms / ${f(pct(times, 99))} ms |
| exact scan k=${K}: p50 / p99 | ${f(pct(exactTimes, 50))} ms / ${f(pct(exactTimes, 99))} ms |
| recall@${K} (mean over ${QUERIES} queries) | ${recall.toFixed(3)} |
`;
} finally {
  await db.close();
  rmSync(dir, { recursive: true, force: true });
}
console.log(out);
