/**
 * Vector search on the qdrant server's pgvector store, on embedded PGlite or on a real Postgres with
 * pgvector. Synthetic documents (deterministic text from a small vocabulary, embedded with the lexical
 * hashing embedder) are COPYed in, the HNSW index is built, then 200 queries measure
 * `PgvectorStore.search` (mode `vector`, k = 10) latency and recall@10 against an exact scan, plus an
 * `ef_search` sweep on the bare kNN query and, optionally, IVFFlat.
 *
 *   node --import tsx bench/vector-search.ts
 *     BENCH_DOCS=20000          corpus size (default 100000)
 *     BENCH_BACKEND=postgres    real Postgres at TEST_DATABASE_URL (default: PGlite in a temp dir)
 *     BENCH_MWM=256MB           maintenance_work_mem for the index build (default: the backend's own)
 *     BENCH_EF=40,100,200,400   ef_search values to sweep
 *     BENCH_IVFFLAT=1           also build IVFFlat (lists = √N) and sweep probes
 *     BENCH_CORPUS=topics       words drawn around 50 topics (as news clusters) instead of uniformly
 *     BENCH_QUERIES=docs        query with new documents of the corpus (not inserted) instead of phrases
 *     BENCH_EMBED=unigram       (diagnosis) the lexical embedder without its bigram features
 *     BENCH_HNSW=m=32,ef_construction=128   index build parameters (default pgvector's 16 / 64)
 *
 * Recall is reported two ways. "ids": the share of the exact top-10 ids returned (ties at the 10th
 * distance broken by row id, so a different but equally near document counts as a miss). "distance":
 * the share of returned documents at most as far as the exact 10th (tolerance 1e-6), which does not
 * punish ties. Prints a markdown section for RESULTS.md.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Database, openDatabase, type Queryable } from '@stockpulse/db';
import { TEST_DATABASE_URL } from '@stockpulse/db/testing';
import { hash32 } from '@stockpulse/domain';
import { lexicalEmbedder, tokenize } from '../mcp-servers/qdrant/src/embed/lexical.js';
import { openPgvectorStore } from '../mcp-servers/qdrant/src/store/pgvector.js';

const DOCS = Number(process.env.BENCH_DOCS ?? 100_000);
const BACKEND = process.env.BENCH_BACKEND === 'postgres' ? 'postgres' : 'pglite';
const MWM = process.env.BENCH_MWM;
const EF = (process.env.BENCH_EF ?? '40,100,200,400').split(',').map(Number);
const IVFFLAT = process.env.BENCH_IVFFLAT === '1';
const CORPUS = process.env.BENCH_CORPUS === 'topics' ? 'topics' : 'uniform';
const QUERY_KIND = process.env.BENCH_QUERIES === 'docs' ? 'docs' : 'phrases';
const EMBED = process.env.BENCH_EMBED === 'unigram' ? 'unigram' : 'lexical';
const HNSW_SET = process.env.BENCH_HNSW;
const HNSW = HNSW_SET ?? 'm=16,ef_construction=64';
if (!/^m=\d+,ef_construction=\d+$/.test(HNSW)) throw new Error('BENCH_HNSW: m=<n>,ef_construction=<n>');
const QUERIES = 200;
const K = 10;
const BATCH = 5_000;
const TENANT = 'bench';
const TIE = 1e-6;
const log = (s: string) => process.stderr.write(`  ${s}\n`);

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
/**
 * uniform: every word drawn from the whole vocabulary, so every document is about equally far from a
 * short query (little contrast between near and far). topics: 50 topics of 12 words each; a document
 * takes 80% of its words from its topic and a query all of them, as news clusters around stories.
 */
const TOPICS = Array.from({ length: 50 }, () => Array.from({ length: 12 }, () => pick(VOCAB)));
const sentence = (words: number, topic = pick(TOPICS)) =>
  Array.from({ length: words }, () => (CORPUS === 'topics' && rand() < 0.8 ? pick(topic) : pick(VOCAB))).join(
    ' ',
  );
const querySentence = (words: number) => {
  if (CORPUS === 'uniform') return sentence(words);
  const topic = pick(TOPICS);
  return Array.from({ length: words }, () => pick(topic)).join(' ');
};

/**
 * The server's lexical embedder; or, for diagnosis, the same hashing over unigrams only. Synthetic text
 * has random word order, so its bigrams are noise no query shares.
 */
const embedder =
  EMBED === 'lexical'
    ? lexicalEmbedder()
    : {
        id: 'unigram-hash-384',
        embed: async (texts: string[]) =>
          texts.map((text) => {
            const v = new Array<number>(384).fill(0);
            const counts = new Map<string, number>();
            for (const t of tokenize(text)) counts.set(t, (counts.get(t) ?? 0) + 1);
            for (const [w, n] of counts)
              v[hash32('slot', w) % 384]! += (hash32('sign', w) & 1 ? 1 : -1) * (1 + Math.log(n));
            const norm = Math.hypot(...v);
            return norm === 0 ? v : v.map((x) => x / norm);
          }),
      };
const literal = (v: readonly number[]) => `[${v.map((x) => Number(x.toPrecision(7))).join(',')}]`;
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
};
const f1 = (n: number) => n.toFixed(1);

async function open(): Promise<{ db: Database; cleanup: () => Promise<void> }> {
  if (BACKEND === 'postgres') {
    const schema = `bench_vec_${process.pid}`;
    const db = await openDatabase({ url: TEST_DATABASE_URL, schema, extensions: ['vector'] });
    return {
      db,
      cleanup: async () => {
        await db.exec(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
        await db.close();
      },
    };
  }
  const dir = mkdtempSync(join(tmpdir(), 'sp-bench-vector-'));
  const db = await openDatabase({ dir: join(dir, 'pgdata'), schema: 'vectors', extensions: ['vector'] });
  return {
    db,
    cleanup: async () => {
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const { db, cleanup } = await open();
let out = '';
try {
  const store = await openPgvectorStore(db);
  const setting = async (name: string) =>
    (await db.query<{ v: string }>(`SELECT current_setting('${name}') AS v`)).rows[0]!.v;
  const pgvector = (
    await db.query<{ v: string }>("SELECT extversion AS v FROM pg_extension WHERE extname = 'vector'")
  ).rows[0]!.v;
  const server = await setting('server_version');
  // Bulk load without the index, then build it once (how a re-index would do it).
  await db.exec('DROP INDEX chunks_embedding_hnsw');

  const tInsert = performance.now();
  const publishedAt = new Date('2026-01-01T00:00:00Z');
  for (let start = 0; start < DOCS; start += BATCH) {
    const n = Math.min(BATCH, DOCS - start);
    const docs = Array.from({ length: n }, (_, i) => {
      const sym = pick(SYMBOLS);
      return {
        id: `doc-${start + i}`,
        title: `${sym} ${sentence(4)}`,
        sym,
        text: `${sym} ${sentence(20 + Math.floor(rand() * 20))}.`,
      };
    });
    const vectors = await embedder.embed(docs.map((d) => `${d.title}\n${d.text}`));
    await db.copyFrom(
      'chunks',
      [
        'tenant',
        'collection',
        'doc_id',
        'chunk_index',
        'char_start',
        'title',
        'text',
        'symbols',
        'payload',
        'embedding',
        'published_at',
      ],
      docs.map((d, i) => [
        TENANT,
        'news',
        d.id,
        0,
        0,
        d.title,
        d.text,
        `{${d.sym}}`,
        { embedder: embedder.id },
        literal(vectors[i]!),
        publishedAt,
      ]),
    );
    if ((start / BATCH) % 4 === 3)
      log(`${start + n} docs, ${((performance.now() - tInsert) / 1000).toFixed(0)} s`);
  }
  const insertS = (performance.now() - tInsert) / 1000;

  const defaultMwm = await setting('maintenance_work_mem');
  const mwm = MWM ?? defaultMwm;
  const tIndex = performance.now();
  // One session for the build, so maintenance_work_mem applies to it (PGlite: one session anyway).
  await db.transaction(async (tx) => {
    await tx.exec(`SET LOCAL maintenance_work_mem = '${mwm}'`);
    await tx.exec(
      `CREATE INDEX chunks_embedding_hnsw ON chunks USING hnsw (embedding vector_cosine_ops) WITH (${HNSW})`,
    );
  });
  await db.exec('ANALYZE chunks');
  const indexS = (performance.now() - tIndex) / 1000;
  log(
    `inserted in ${insertS.toFixed(1)} s, HNSW index in ${indexS.toFixed(1)} s (maintenance_work_mem ${mwm})`,
  );

  // Queries: short phrases from the same vocabulary, as a user would type them.
  const queries = Array.from({ length: QUERIES }, () => {
    const sym = pick(SYMBOLS);
    if (QUERY_KIND === 'phrases') return `${sym} ${querySentence(2 + Math.floor(rand() * 4))}`;
    const topic = pick(TOPICS);
    return `${sym} ${sentence(4, topic)}\n${sym} ${sentence(20 + Math.floor(rand() * 20), topic)}.`;
  });
  const qvectors = await embedder.embed(queries);
  const qvecs = qvectors.map(literal);

  // Exact top-k: the same distance, a sequential scan; with the 10th distance and how many tie with it.
  const exact: Array<{ ids: string[]; kth: number; tied: number; contrast: number }> = [];
  const exactTimes: number[] = [];
  for (let i = 0; i < QUERIES; i++) {
    const t = performance.now();
    // The 50 nearest in one scan: the top 10, and how many of the 50 tie with the 10th.
    const nearest = await db.transaction(async (tx) => {
      await tx.exec('SET LOCAL enable_indexscan = off');
      return (
        await tx.query<{ doc_id: string; d: number }>(
          `SELECT doc_id, (embedding <=> $2::vector)::float8 AS d FROM chunks WHERE tenant = $1
           ORDER BY embedding <=> $2::vector, id LIMIT 50`,
          [TENANT, qvecs[i]],
        )
      ).rows;
    });
    exactTimes.push(performance.now() - t);
    const rows = nearest.slice(0, K);
    const kth = rows.at(-1)!.d;
    const tied = nearest.filter((r) => Math.abs(r.d - kth) <= TIE).length;
    // Contrast: how much nearer the 10th neighbour is than a typical document (1% sample).
    const typical = (
      await db.query<{ d: number }>(
        `SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY embedding <=> $2::vector) AS d
         FROM chunks WHERE tenant = $1 AND id % 100 = 0`,
        [TENANT, qvecs[i]],
      )
    ).rows[0]!.d;
    exact.push({ ids: rows.map((r) => r.doc_id), kth, tied, contrast: Number(typical) / kth });
    if (i % 50 === 49) log(`exact ${i + 1}/${QUERIES}`);
  }
  const recall = (i: number, hits: Array<{ id: string; distance: number }>) => {
    const truth = new Set(exact[i]!.ids);
    return {
      ids: hits.filter((h) => truth.has(h.id)).length / K,
      distance: Math.min(K, hits.filter((h) => h.distance <= exact[i]!.kth + TIE).length) / K,
    };
  };
  const measure = async (run: (i: number) => Promise<Array<{ id: string; distance: number }>>) => {
    for (let i = 0; i < 20; i++) await run(i); // warm-up
    const times: number[] = [];
    let ids = 0;
    let distance = 0;
    for (let i = 0; i < QUERIES; i++) {
      const t = performance.now();
      const hits = await run(i);
      times.push(performance.now() - t);
      const r = recall(i, hits);
      ids += r.ids;
      distance += r.distance;
    }
    return { p50: pct(times, 50), p99: pct(times, 99), ids: ids / QUERIES, distance: distance / QUERIES };
  };

  // What the qdrant server runs: store.search (HNSW, ef_search 50, iterative scan, per-document best chunk).
  const viaStore = await measure(async (i) =>
    (
      await store.search({
        tenants: [TENANT],
        query: queries[i]!,
        vector: qvectors[i]!,
        mode: 'vector',
        limit: K,
      })
    ).map((h) => ({ id: h.id, distance: 1 - h.score })),
  );

  // The bare kNN query at several ef_search values, the index forced (else the planner may pick an exact
  // sequential scan once ef_search is large for the table).
  const knn = (tx: Queryable, i: number) =>
    tx.query<{ doc_id: string; d: number }>(
      `SELECT doc_id, (embedding <=> $2::vector)::float8 AS d FROM chunks WHERE tenant = $1
       ORDER BY embedding <=> $2::vector LIMIT ${K}`,
      [TENANT, qvecs[i]],
    );
  const sweep: Array<{ label: string; r: Awaited<ReturnType<typeof measure>> }> = [];
  for (const ef of EF) {
    const r = await measure(async (i) =>
      db.transaction(async (tx) => {
        await tx.exec(
          `SET LOCAL hnsw.ef_search = ${ef}; SET LOCAL hnsw.iterative_scan = relaxed_order; SET LOCAL enable_seqscan = off`,
        );
        return (await knn(tx, i)).rows.map((x) => ({ id: x.doc_id, distance: x.d }));
      }),
    );
    sweep.push({ label: `HNSW ef_search ${ef}`, r });
    log(
      `ef_search ${ef}: p50 ${f1(r.p50)} ms, recall ids ${r.ids.toFixed(3)} / distance ${r.distance.toFixed(3)}`,
    );
  }

  let ivfS: number | undefined;
  if (IVFFLAT) {
    const lists = Math.round(Math.sqrt(DOCS));
    await db.exec('DROP INDEX chunks_embedding_hnsw');
    const t = performance.now();
    await db.transaction(async (tx) => {
      await tx.exec(`SET LOCAL maintenance_work_mem = '${mwm}'`);
      await tx.exec(
        `CREATE INDEX chunks_embedding_ivf ON chunks USING ivfflat (embedding vector_cosine_ops) WITH (lists = ${lists})`,
      );
    });
    ivfS = (performance.now() - t) / 1000;
    log(`IVFFlat (lists ${lists}) in ${ivfS.toFixed(1)} s`);
    for (const probes of [1, 10, 20, 40]) {
      const r = await measure(async (i) =>
        db.transaction(async (tx) => {
          await tx.exec(
            `SET LOCAL ivfflat.probes = ${probes}; SET LOCAL ivfflat.iterative_scan = relaxed_order; SET LOCAL enable_seqscan = off`,
          );
          return (await knn(tx, i)).rows.map((x) => ({ id: x.doc_id, distance: x.d }));
        }),
      );
      sweep.push({ label: `IVFFlat lists ${lists}, probes ${probes}`, r });
      log(
        `probes ${probes}: p50 ${f1(r.p50)} ms, recall ids ${r.ids.toFixed(3)} / distance ${r.distance.toFixed(3)}`,
      );
    }
  }

  const tiedMedian = pct(
    exact.map((e) => e.tied),
    50,
  );
  const row = (label: string, r: Awaited<ReturnType<typeof measure>>) =>
    `| ${label} | ${f1(r.p50)} / ${f1(r.p99)} ms | ${r.ids.toFixed(3)} | ${r.distance.toFixed(3)} |`;
  const [load1] = loadavg();
  out = `## Vector search: pgvector on ${BACKEND === 'pglite' ? 'PGlite' : `Postgres ${server}`}, ${DOCS.toLocaleString('en-US')} docs (${new Date().toISOString().slice(0, 10)}, ${process.version}, ${cpus().length} cores)

The qdrant server's \`PgvectorStore\` (pgvector ${pgvector}) on ${BACKEND === 'pglite' ? 'embedded PGlite' : `Postgres ${server} at 127.0.0.1`}, one tenant,
${DOCS.toLocaleString('en-US')} synthetic one-chunk documents (seeded random text, ${VOCAB.length}-word finance vocabulary + a ticker; corpus \`${CORPUS}\`),
embedded with ${EMBED === 'lexical' ? 'the lexical hashing embedder' : 'unigram-only feature hashing (diagnosis)'} (384 dims), COPYed in batches of ${BATCH.toLocaleString('en-US')} without the vector index;
then \`CREATE INDEX … USING hnsw (embedding vector_cosine_ops) WITH (${HNSW})\` with
\`maintenance_work_mem\` ${mwm}${MWM ? ` (the backend's default: ${defaultMwm})` : ''}. ${QUERIES} queries (${QUERY_KIND === 'phrases' ? 'a ticker and 2–5 vocabulary words' : 'new documents of the same corpus, not inserted'}) after 20 warm-up ones.
Load average ${load1!.toFixed(1)} at the end. \`BENCH_BACKEND=${BACKEND} BENCH_CORPUS=${CORPUS} BENCH_QUERIES=${QUERY_KIND}${EMBED === 'unigram' ? ' BENCH_EMBED=unigram' : ''}${HNSW_SET ? ` BENCH_HNSW=${HNSW}` : ''} BENCH_DOCS=${DOCS}${MWM ? ` BENCH_MWM=${MWM}` : ''}${IVFFLAT ? ' BENCH_IVFFLAT=1' : ''} node --import tsx bench/vector-search.ts\`.

| step | result |
| --- | --- |
| COPY ${DOCS.toLocaleString('en-US')} docs (embedding included) | ${f1(insertS)} s (${Math.round(DOCS / insertS).toLocaleString('en-US')} docs/s) |
| build HNSW index | ${f1(indexS)} s |${ivfS !== undefined ? `\n| build IVFFlat index (lists ${Math.round(Math.sqrt(DOCS))}) | ${f1(ivfS)} s |` : ''}
| exact scan (50 nearest): p50 / p99 | ${f1(pct(exactTimes, 50))} ms / ${f1(pct(exactTimes, 99))} ms |
| documents within ${TIE} of the exact 10th distance, among the 50 nearest (median per query) | ${tiedMedian} |
| distance contrast: median distance of a document / the 10th nearest (median per query) | ${pct(
    exact.map((e) => e.contrast),
    50,
  ).toFixed(2)} |

| search (k = ${K}) | p50 / p99 | recall@${K} ids | recall@${K} distance |
| --- | --- | --- | --- |
${row('`store.search` mode vector (what the server runs: HNSW, ef_search 50, iterative scan)', viaStore)}
${sweep.map((s) => row(s.label, s.r)).join('\n')}
`;
} finally {
  await cleanup();
}
console.log(out);
