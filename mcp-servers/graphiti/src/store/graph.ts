import { AppError } from '@stockpulse/core';
import type { Database, Queryable } from '@stockpulse/db';
import { findCompanies, normalizeName, parseJsonEpisode, symbolForRef } from './extract.js';
import { PUBLIC_GROUP } from './groups.js';
import { byScore, containsPattern, lexicalScorer, queryTerms, reciprocalRankFusion } from './rank.js';
import { type Exclusivity, exclusivityOf, relationPhrase } from './relations.js';
import { factTimeCondition, Params, type TimeView, timeView } from './temporal.js';

export type EpisodeKind = 'text' | 'message' | 'json';

export interface EntityRef {
  id: string;
  name: string;
  symbol: string | null;
}

export interface EntityView extends EntityRef {
  groupId: string;
  labels: string[];
  summary: string;
  attributes: Record<string, unknown>;
  createdAt: string;
}

export interface FactView {
  id: string;
  groupId: string;
  relation: string;
  fact: string;
  source: EntityRef;
  target: EntityRef;
  validAt: string;
  invalidAt: string | null;
  createdAt: string;
  expiredAt: string | null;
  /** The most recent episodes that stated the fact (none for seeded facts). */
  episodeIds: string[];
  attributes: Record<string, unknown>;
}

export interface EpisodeView {
  id: string;
  groupId: string;
  name: string;
  kind: EpisodeKind;
  sourceDescription: string;
  referenceTime: string;
  createdAt: string;
  bodyPreview: string;
  mentionCount: number;
}

export interface EntityDraft {
  name: string;
  labels?: string[];
  summary?: string;
  attributes?: Record<string, unknown>;
}

export interface FactAssertion {
  sourceId: string;
  relation: string;
  targetId: string;
  fact: string;
  validAt: Date;
  invalidAt?: Date | null;
  attributes?: Record<string, unknown>;
}

export interface NewEpisode {
  groupId: string;
  name: string;
  kind: EpisodeKind;
  body: string;
  sourceDescription?: string;
  /** When the episode happened; the default valid_at of what it states. Default: now. */
  referenceTime?: Date;
  /** Entity the episode is about (text/message): each company mentioned becomes `subject MENTIONS company`. */
  subject?: string;
}

export interface AddedEpisode {
  episode: EpisodeView;
  entities: Array<EntityRef & { groupId: string; created: boolean }>;
  /** Facts the episode created or re-stated (re-stating adds the episode to an existing fact). */
  facts: FactView[];
  /** Older facts the episode contradicted; their invalid_at/expired_at are now set. */
  invalidated: FactView[];
}

export interface ReadScope {
  /** Groups the caller may read: `public` and their own. */
  groups: readonly string[];
}

export interface TimeOptions {
  asOf?: Date;
  knownAt?: Date;
  includeHistory?: boolean;
}

/** Output bound for every list the store returns. */
export const MAX_ITEMS = 50;
const CANDIDATES = 100;
const BFS_CAP = 200;
const EPISODE_IDS_SHOWN = 10;

const FACT_SELECT = `SELECT f.id, f.group_id, f.relation, f.fact, f.attributes, f.valid_at, f.invalid_at,
    f.created_at, f.expired_at, f.episode_ids::text[] AS episode_ids,
    s.id AS source_id, s.name AS source_name, s.symbol AS source_symbol,
    t.id AS target_id, t.name AS target_name, t.symbol AS target_symbol
  FROM facts f JOIN entities s ON s.id = f.source_id JOIN entities t ON t.id = f.target_id`;

interface FactRow {
  id: string;
  group_id: string;
  relation: string;
  fact: string;
  attributes: Record<string, unknown>;
  valid_at: Date;
  invalid_at: Date | null;
  created_at: Date;
  expired_at: Date | null;
  episode_ids: string[];
  source_id: string;
  source_name: string;
  source_symbol: string | null;
  target_id: string;
  target_name: string;
  target_symbol: string | null;
}

interface EntityRow {
  id: string;
  group_id: string;
  name: string;
  normalized_name: string;
  labels: string[];
  summary: string;
  attributes: Record<string, unknown>;
  symbol: string | null;
  created_at: Date;
}

interface EpisodeRow {
  id: string;
  seq: number;
  group_id: string;
  name: string;
  kind: EpisodeKind;
  body: string;
  source_description: string;
  reference_time: Date;
  created_at: Date;
  mention_count?: number;
}

const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);

function toFactView(r: FactRow): FactView {
  return {
    id: r.id,
    groupId: r.group_id,
    relation: r.relation,
    fact: r.fact,
    source: { id: r.source_id, name: r.source_name, symbol: r.source_symbol },
    target: { id: r.target_id, name: r.target_name, symbol: r.target_symbol },
    validAt: r.valid_at.toISOString(),
    invalidAt: iso(r.invalid_at),
    createdAt: r.created_at.toISOString(),
    expiredAt: iso(r.expired_at),
    episodeIds: r.episode_ids.slice(-EPISODE_IDS_SHOWN),
    attributes: r.attributes,
  };
}

function toEntityView(r: EntityRow): EntityView {
  return {
    id: r.id,
    groupId: r.group_id,
    name: r.name,
    symbol: r.symbol,
    labels: r.labels,
    summary: r.summary,
    attributes: r.attributes,
    createdAt: r.created_at.toISOString(),
  };
}

function toEpisodeView(r: EpisodeRow): EpisodeView {
  return {
    id: r.id,
    groupId: r.group_id,
    name: r.name,
    kind: r.kind,
    sourceDescription: r.source_description,
    referenceTime: r.reference_time.toISOString(),
    createdAt: r.created_at.toISOString(),
    bodyPreview: r.body.length > 280 ? `${r.body.slice(0, 279)}…` : r.body,
    mentionCount: r.mention_count ?? 0,
  };
}

/**
 * The temporal knowledge graph: every rule about episodes, entities and facts lives here — entity
 * resolution, contradiction handling, point-in-time reads, hybrid search. Callers pass the groups a
 * request may read or write; deciding those from a principal is the tools' job (see tools/access.ts).
 */
export class GraphStore {
  constructor(
    readonly db: Database,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  // ---- writes ------------------------------------------------------------------------------------

  /** Ingest one episode into `groupId`: store it, extract entities and facts, resolve contradictions. */
  async addEpisode(input: NewEpisode): Promise<AddedEpisode> {
    const now = this.clock();
    const referenceTime = input.referenceTime ?? now;
    const json = input.kind === 'json' ? parseJsonEpisode(input.body) : undefined;
    const companies = json ? [] : findCompanies(input.body);

    const written = await this.db.transaction(async (tx) => {
      await this.lockGroup(tx, input.groupId);
      const { rows } = await tx.query<{ id: string }>(
        `INSERT INTO episodes (group_id, name, kind, body, source_description, reference_time, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
        [
          input.groupId,
          input.name,
          input.kind,
          input.body,
          input.sourceDescription ?? '',
          referenceTime,
          now,
        ],
      );
      const episodeId = rows[0]!.id;

      // Everything the episode names, as drafts; resolution maps each to one entity id.
      const drafts: EntityDraft[] = [];
      if (json) {
        drafts.push(...json.entities);
        for (const f of json.facts) drafts.push({ name: f.source }, { name: f.target });
      } else {
        drafts.push(...companies.map((c) => ({ name: c.symbol })));
      }
      if (input.subject) drafts.push({ name: input.subject });
      const resolved = await this.resolveForWrite(tx, input.groupId, drafts, now);
      const idOf = (ref: string) => resolved.get(normalizeName(ref))!;

      const assertions: FactAssertion[] = [];
      if (json) {
        for (const f of json.facts) {
          const source = idOf(f.source);
          const target = idOf(f.target);
          if (source.id === target.id)
            throw new AppError('bad_request', `'${f.source}' and '${f.target}' are the same entity`);
          assertions.push({
            sourceId: source.id,
            relation: f.relation,
            targetId: target.id,
            fact: f.fact ?? `${source.name} ${relationPhrase(f.relation)} ${target.name}`,
            validAt: f.validAt ? new Date(f.validAt) : referenceTime,
            invalidAt: f.invalidAt ? new Date(f.invalidAt) : null,
            attributes: f.attributes ?? {},
          });
        }
      } else if (input.subject) {
        const subject = idOf(input.subject);
        for (const c of companies) {
          const company = idOf(c.symbol);
          if (company.id === subject.id) continue;
          assertions.push({
            sourceId: subject.id,
            relation: 'MENTIONS',
            targetId: company.id,
            fact: `${subject.name} mentioned ${company.name}${company.symbol ? ` (${company.symbol})` : ''}`,
            validAt: referenceTime,
          });
        }
      }
      const outcome = await this.assertFactsTx(tx, input.groupId, assertions, episodeId, now);

      const entityIds = [...new Set([...resolved.values()].map((e) => e.id))];
      await tx.query(
        `INSERT INTO episode_mentions (episode_id, entity_id, group_id)
         SELECT $1, e, $2 FROM unnest($3::uuid[]) AS e ON CONFLICT DO NOTHING`,
        [episodeId, input.groupId, entityIds],
      );
      const episode = await this.episodeById(tx, episodeId);
      return { episode, resolved, outcome };
    });

    const entities = new Map<string, AddedEpisode['entities'][number]>();
    for (const e of written.resolved.values()) entities.set(e.id, e);
    return {
      episode: written.episode,
      entities: [...entities.values()].slice(0, MAX_ITEMS),
      facts: await this.factsByIds(
        [...written.outcome.created, ...written.outcome.merged].slice(0, MAX_ITEMS),
      ),
      invalidated: await this.factsByIds(written.outcome.invalidated.slice(0, MAX_ITEMS)),
    };
  }

  /** Create or update entities of one group by name. `replace` (the seed) overwrites descriptions; `merge` adds to them. */
  async upsertEntities(
    groupId: string,
    drafts: readonly EntityDraft[],
    mode: 'replace' | 'merge' = 'merge',
  ): Promise<Map<string, string>> {
    return this.db.transaction((tx) => this.upsertEntitiesTx(tx, groupId, drafts, mode, this.clock()));
  }

  /**
   * Assert facts in one group, applying the contradiction rules of {@link exclusivityOf}:
   *
   * 1. Same triple, overlapping validity (and, for `pair` relations, equal attributes): the same fact —
   *    the existing row only gains the episode as provenance.
   * 2. An open-ended new fact conflicting with an open-ended older one (same source + relation and
   *    another target for `source` relations; same pair with other attributes for `pair` relations):
   *    the older one ends where the new one starts — `invalid_at = new.valid_at`, `expired_at = now`.
   *    Never deleted, so point-in-time reads still see it.
   * 3. A conflicting fact that starts *later* than the new one bounds it: the new fact is history,
   *    stored with `invalid_at = that later valid_at`.
   */
  async assertFacts(groupId: string, assertions: readonly FactAssertion[]) {
    return this.db.transaction(async (tx) => {
      await this.lockGroup(tx, groupId);
      return this.assertFactsTx(tx, groupId, assertions, null, this.clock());
    });
  }

  /** Current open-ended targets of one relation in a group, by source id (e.g. each company's sub-industry). */
  async openTargets(groupId: string, relation: string): Promise<Map<string, string>> {
    const { rows } = await this.db.query<{ source_id: string; target_id: string }>(
      `SELECT source_id, target_id FROM facts
       WHERE group_id = $1 AND relation = $2 AND invalid_at IS NULL AND expired_at IS NULL`,
      [groupId, relation],
    );
    return new Map(rows.map((r) => [r.source_id, r.target_id]));
  }

  /** End a fact of `ownGroup` at `invalidAt` (default now). Invisible facts are `not_found`; public ones `forbidden`. */
  async invalidateFact(
    factId: string,
    opts: ReadScope & { ownGroup: string; invalidAt?: Date; reason?: string },
  ): Promise<{ fact: FactView; changed: boolean }> {
    const now = this.clock();
    return this.db.transaction(async (tx) => {
      await this.lockGroup(tx, opts.ownGroup);
      const [fact] = await this.factsByIds([factId], tx, opts.groups);
      if (!fact) throw new AppError('not_found', `No fact ${factId}`);
      if (fact.groupId !== opts.ownGroup)
        throw new AppError(
          'forbidden',
          'Only facts in your own memory can be invalidated; the market graph is read-only',
        );
      // Already ended (or scheduled to end): a row's end is written once, which keeps reads exact.
      if (fact.invalidAt !== null) return { fact, changed: false };
      // An end at or before the start retracts the fact entirely: it was never true.
      const end = new Date(Math.max((opts.invalidAt ?? now).getTime(), Date.parse(fact.validAt)));
      await tx.query(
        `UPDATE facts SET invalid_at = $2, expired_at = $3,
           attributes = CASE WHEN $4::text IS NULL THEN attributes ELSE attributes || jsonb_build_object('invalidationReason', $4::text) END
         WHERE id = $1 AND invalid_at IS NULL`,
        [factId, end, now, opts.reason ?? null],
      );
      const [updated] = await this.factsByIds([factId], tx);
      return { fact: updated!, changed: true };
    });
  }

  // ---- reads -------------------------------------------------------------------------------------

  /**
   * Hybrid fact search: Postgres full-text rank, a trigram lexical similarity, and (with a
   * `centerEntity`) graph distance ≤ 2 hops, fused with reciprocal-rank fusion.
   */
  async searchFacts(
    query: string,
    opts: ReadScope & TimeOptions & { centerEntity?: string; limit?: number },
  ): Promise<Array<FactView & { score: number }>> {
    const q = query.trim();
    if (!q && !opts.centerEntity) throw new AppError('bad_request', 'Give a query, a centerEntity, or both');
    const view = timeView(opts, this.clock());
    const limit = Math.min(opts.limit ?? 10, MAX_ITEMS);
    const near = async (): Promise<string[]> => {
      if (!opts.centerEntity) return [];
      const center = await this.resolveEntity(opts.centerEntity, opts.groups);
      const found = await this.bfs(this.db, center.id, 2, opts.groups, view);
      const score = lexicalScorer(q);
      const sim = new Map(
        found.map((r) => [r.id, q ? score(`${r.fact} ${r.source_name} ${r.target_name}`) : 0]),
      );
      found.sort((a, b) => a.distance - b.distance || sim.get(b.id)! - sim.get(a.id)!);
      return found.map((r) => r.id);
    };
    const lists = await Promise.all([
      q ? this.fullTextFacts(q, opts.groups, view) : [],
      q ? this.lexicalFacts(q, opts.groups, view) : [],
      near(),
    ]);
    const scores = reciprocalRankFusion(lists);
    const top = byScore(scores).slice(0, limit);
    const facts = await this.factsByIds(top);
    return facts.map((f) => ({ ...f, score: Math.round((scores.get(f.id) ?? 0) * 1e5) / 1e5 }));
  }

  /** Entity search: exact name/ticker first, then full-text and lexical similarity, fused. */
  async searchEntities(
    query: string,
    opts: ReadScope & { labels?: readonly string[]; limit?: number },
  ): Promise<Array<EntityView & { score: number }>> {
    const q = query.trim();
    if (!q) throw new AppError('bad_request', 'Give a query');
    const limit = Math.min(opts.limit ?? 10, MAX_ITEMS);
    const labels = opts.labels?.length ? opts.labels : null;
    const symbol = symbolForRef(q) ?? q.toUpperCase();
    const base = 'group_id = ANY($1) AND ($2::text[] IS NULL OR labels && $2::text[])';
    const exact = await this.db.query<{ id: string }>(
      `SELECT id FROM entities WHERE ${base} AND (normalized_name = $3 OR symbol = $4)
       ORDER BY (symbol = $4) DESC, group_id = '${PUBLIC_GROUP}' LIMIT 10`,
      [opts.groups, labels, normalizeName(q), symbol],
    );
    const fullText = await this.db.query<{ id: string }>(
      `SELECT id FROM entities, (SELECT replace(plainto_tsquery('english', $3)::text, ' & ', ' | ')::tsquery AS q) x
       WHERE ${base} AND search @@ x.q ORDER BY ts_rank_cd(search, x.q) DESC, length(name), id LIMIT ${CANDIDATES}`,
      [opts.groups, labels, q],
    );
    const terms = queryTerms(q);
    const lexicalRows = terms.length
      ? await this.db.query<{ id: string; name: string; symbol: string | null }>(
          `SELECT id, name, symbol FROM entities WHERE ${base}
             AND (lower(name) LIKE ANY($3) OR lower(symbol) = ANY($4)) LIMIT 300`,
          [opts.groups, labels, terms.map(containsPattern), terms],
        )
      : { rows: [] };
    const score = lexicalScorer(q);
    const lexical = lexicalRows.rows
      .map((r) => ({ id: r.id, sim: score(`${r.name} ${r.symbol ?? ''}`) }))
      .sort((a, b) => b.sim - a.sim)
      .slice(0, CANDIDATES)
      .map((r) => r.id);
    // The exact list counts twice: a ticker or name typed in full should win.
    const exactIds = exact.rows.map((r) => r.id);
    const scores = reciprocalRankFusion([exactIds, exactIds, fullText.rows.map((r) => r.id), lexical]);
    const top = byScore(scores).slice(0, limit);
    const rows = await this.db.query<EntityRow>('SELECT * FROM entities WHERE id = ANY($1::uuid[])', [top]);
    const byId = new Map(rows.rows.map((r) => [r.id, r]));
    return top
      .filter((id) => byId.has(id))
      .map((id) => ({ ...toEntityView(byId.get(id)!), score: Math.round(scores.get(id)! * 1e5) / 1e5 }));
  }

  /** One entity (by id, ticker or name) with the facts touching it at the requested time. */
  async getEntity(ref: string, opts: ReadScope & TimeOptions & { limit?: number }) {
    const entity = await this.resolveEntity(ref, opts.groups);
    const view = timeView(opts, this.clock());
    const limit = Math.min(opts.limit ?? MAX_ITEMS, MAX_ITEMS);
    const p = new Params(opts.groups, entity.id);
    const { rows } = await this.db.query<FactRow & { total: number }>(
      `${FACT_SELECT.replace('SELECT', 'SELECT count(*) OVER () AS total,')}
       WHERE f.group_id = ANY($1) AND (f.source_id = $2 OR f.target_id = $2) AND ${factTimeCondition(view, p)}
       ORDER BY f.relation, f.valid_at DESC, f.id LIMIT ${limit}`,
      p.values,
    );
    const total = rows[0]?.total ?? 0;
    return { entity, facts: rows.map(toFactView), factCount: total, truncated: total > rows.length };
  }

  /** The entities and facts within `depth` (1 or 2) hops of an entity, nearest first. */
  async neighbourhood(ref: string, opts: ReadScope & TimeOptions & { depth?: 1 | 2; limit?: number }) {
    const center = await this.resolveEntity(ref, opts.groups);
    const view = timeView(opts, this.clock());
    const limit = Math.min(opts.limit ?? MAX_ITEMS, MAX_ITEMS);
    const found = await this.bfs(this.db, center.id, opts.depth ?? 1, opts.groups, view);
    const facts = found.slice(0, limit);
    const distance = new Map<string, number>([[center.id, 0]]);
    const entities: Array<EntityRef & { distance: number }> = [];
    for (const f of facts) {
      for (const [id, name, symbol] of [
        [f.source_id, f.source_name, f.source_symbol],
        [f.target_id, f.target_name, f.target_symbol],
      ] as const) {
        if (distance.has(id)) continue;
        distance.set(id, f.distance);
        entities.push({ id, name, symbol, distance: f.distance });
      }
    }
    return {
      center,
      entities,
      facts: facts.map((f) => ({ ...toFactView(f), distance: f.distance })),
      truncated: found.length > facts.length,
    };
  }

  /** Episodes of one group, newest first; `cursor` is the previous page's `nextCursor`. */
  async listEpisodes(groupId: string, opts: { limit?: number; cursor?: string }) {
    const limit = Math.min(opts.limit ?? 20, MAX_ITEMS);
    const { rows } = await this.db.query<EpisodeRow>(
      `SELECT e.*, (SELECT count(*)::int FROM episode_mentions m WHERE m.episode_id = e.id) AS mention_count
       FROM episodes e WHERE e.group_id = $1 AND ($2::bigint IS NULL OR e.seq < $2::bigint)
       ORDER BY e.seq DESC LIMIT $3`,
      [groupId, opts.cursor ?? null, limit + 1],
    );
    const page = rows.slice(0, limit);
    return {
      episodes: page.map(toEpisodeView),
      nextCursor: rows.length > limit ? String(page[page.length - 1]!.seq) : null,
    };
  }

  async stats(): Promise<{ entities: number; facts: number; episodes: number }> {
    const { rows } = await this.db.query<{ entities: number; facts: number; episodes: number }>(
      `SELECT (SELECT count(*)::int FROM entities) AS entities, (SELECT count(*)::int FROM facts) AS facts,
              (SELECT count(*)::int FROM episodes) AS episodes`,
    );
    return rows[0]!;
  }

  /** An entity the caller may read, by id, ticker or name (their own group's before the public one). */
  async resolveEntity(ref: string, groups: readonly string[]): Promise<EntityView> {
    const r = ref.trim();
    const { rows } = await this.db.query<EntityRow>(
      `SELECT * FROM entities WHERE group_id = ANY($1) AND (id::text = $2 OR symbol = $3 OR normalized_name = $4)
       ORDER BY (id::text = $2) DESC, (symbol = $3) DESC NULLS LAST, (group_id = '${PUBLIC_GROUP}') LIMIT 1`,
      [groups, r.toLowerCase(), symbolForRef(r) ?? null, normalizeName(r)],
    );
    if (!rows[0]) throw new AppError('not_found', `No entity '${r}' in the graph`);
    return toEntityView(rows[0]);
  }

  // ---- internals ---------------------------------------------------------------------------------

  /** Writes to one group are serialized (real Postgres); PGlite has a single connection anyway. */
  private async lockGroup(tx: Queryable, groupId: string): Promise<void> {
    if (this.db.kind === 'postgres')
      await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`graph:${groupId}`]);
  }

  private async upsertEntitiesTx(
    tx: Queryable,
    groupId: string,
    drafts: readonly EntityDraft[],
    mode: 'replace' | 'merge',
    now: Date,
  ): Promise<Map<string, string>> {
    const unique = new Map<string, EntityDraft>();
    for (const d of drafts) unique.set(normalizeName(d.name), { ...unique.get(normalizeName(d.name)), ...d });
    if (unique.size === 0) return new Map();
    const list = [...unique.entries()];
    const update =
      mode === 'replace'
        ? `SET name = excluded.name, labels = excluded.labels, summary = excluded.summary, attributes = excluded.attributes
           WHERE (entities.name, entities.labels, entities.summary, entities.attributes)
             IS DISTINCT FROM (excluded.name, excluded.labels, excluded.summary, excluded.attributes)`
        : // Labels accumulate; the generic 'Entity' only stays while nothing more specific is known.
          `SET labels = coalesce(nullif(ARRAY(
                 SELECT l FROM unnest(entities.labels || excluded.labels) WITH ORDINALITY AS x(l, i)
                 WHERE l <> 'Entity' GROUP BY l ORDER BY min(i)), '{}'), ARRAY['Entity']),
               summary = CASE WHEN excluded.summary <> '' THEN excluded.summary ELSE entities.summary END,
               attributes = entities.attributes || excluded.attributes`;
    await tx.query(
      `INSERT INTO entities (group_id, name, normalized_name, labels, summary, attributes, created_at)
       SELECT $1, u.name, u.norm,
              coalesce(nullif(ARRAY(SELECT jsonb_array_elements_text(u.labels)), '{}'), ARRAY['Entity']),
              u.summary, u.attributes, $7
       FROM unnest($2::text[], $3::text[], $4::jsonb[], $5::text[], $6::jsonb[]) AS u(name, norm, labels, summary, attributes)
       ON CONFLICT (group_id, normalized_name) DO UPDATE ${update}`,
      [
        groupId,
        list.map(([, d]) => d.name.trim()),
        list.map(([norm]) => norm),
        list.map(([, d]) => JSON.stringify(d.labels ?? [])),
        list.map(([, d]) => d.summary ?? ''),
        list.map(([, d]) => JSON.stringify(d.attributes ?? {})),
        now,
      ],
    );
    const { rows } = await tx.query<{ id: string; normalized_name: string }>(
      'SELECT id, normalized_name FROM entities WHERE group_id = $1 AND normalized_name = ANY($2::text[])',
      [groupId, list.map(([norm]) => norm)],
    );
    return new Map(rows.map((r) => [r.normalized_name, r.id]));
  }

  /**
   * Map every draft to one entity: the writer's own group by name, else a public entity by ticker or
   * company name (a user's memory may point at the market graph's companies), else a new entity in
   * the writer's group. Public entities are never modified through a user's episode.
   */
  private async resolveForWrite(
    tx: Queryable,
    groupId: string,
    drafts: readonly EntityDraft[],
    now: Date,
  ): Promise<Map<string, EntityRef & { groupId: string; created: boolean }>> {
    const groups = [...new Set([groupId, PUBLIC_GROUP])];
    const { rows } = await tx.query<EntityRow>(
      `SELECT * FROM entities WHERE group_id = ANY($1) AND (normalized_name = ANY($2::text[]) OR symbol = ANY($3::text[]))`,
      [
        groups,
        drafts.map((d) => normalizeName(d.name)),
        drafts.map((d) => symbolForRef(d.name)).filter((s): s is string => !!s),
      ],
    );
    const find = (group: string, pred: (r: EntityRow) => boolean) =>
      rows.find((r) => r.group_id === group && pred(r));
    const result = new Map<string, EntityRef & { groupId: string; created: boolean }>();
    // Own-group entities to create or describe, keyed by the draft's own normalized name.
    const toWrite = new Map<string, EntityDraft>();
    for (const d of drafts) {
      const key = normalizeName(d.name);
      const symbol = symbolForRef(d.name);
      const hit =
        find(groupId, (r) => r.normalized_name === key) ??
        (symbol ? find(PUBLIC_GROUP, (r) => r.symbol === symbol) : undefined) ??
        find(PUBLIC_GROUP, (r) => r.normalized_name === key) ??
        (symbol ? find(groupId, (r) => r.symbol === symbol) : undefined);
      if (hit) {
        result.set(key, {
          id: hit.id,
          name: hit.name,
          symbol: hit.symbol,
          groupId: hit.group_id,
          created: false,
        });
        if (hit.group_id === groupId && hasDescription(d))
          toWrite.set(key, { ...toWrite.get(key), ...d, name: hit.name });
      } else {
        toWrite.set(key, { ...toWrite.get(key), ...d });
      }
    }
    const ids = await this.upsertEntitiesTx(tx, groupId, [...toWrite.values()], 'merge', now);
    for (const [key, d] of toWrite) {
      if (result.has(key)) continue; // an existing entity that was only described
      const symbol = d.attributes?.symbol;
      result.set(key, {
        id: ids.get(normalizeName(d.name))!,
        name: d.name.trim(),
        symbol: typeof symbol === 'string' ? symbol : null,
        groupId,
        created: true,
      });
    }
    return result;
  }

  private async assertFactsTx(
    tx: Queryable,
    groupId: string,
    assertions: readonly FactAssertion[],
    episodeId: string | null,
    now: Date,
  ): Promise<{ created: string[]; merged: string[]; invalidated: string[] }> {
    const out = { created: [] as string[], merged: [] as string[], invalidated: [] as string[] };
    // Rounds: at most one assertion per contradiction key per statement; later rounds see earlier ones.
    const byKey = new Map<string, FactAssertion[]>();
    for (const a of assertions) {
      const ex = exclusivityOf(a.relation);
      const key =
        ex === 'source' ? `${a.sourceId}|${a.relation}` : `${a.sourceId}|${a.relation}|${a.targetId}`;
      byKey.set(key, [...(byKey.get(key) ?? []), a]);
    }
    const rounds: FactAssertion[][] = [];
    for (const list of byKey.values()) {
      list.sort((x, y) => x.validAt.getTime() - y.validAt.getTime());
      for (const [i, a] of list.entries()) {
        rounds[i] ??= [];
        rounds[i].push(a);
      }
    }
    for (const round of rounds) {
      const r = await this.assertRound(tx, groupId, round, episodeId, now);
      out.created.push(...r.created);
      out.merged.push(...r.merged);
      out.invalidated.push(...r.invalidated);
    }
    return out;
  }

  private async assertRound(
    tx: Queryable,
    groupId: string,
    round: readonly FactAssertion[],
    episodeId: string | null,
    now: Date,
  ) {
    const exclusive: Exclusivity[] = round.map((a) => exclusivityOf(a.relation));
    const params = [
      groupId,
      round.map((_, i) => i),
      round.map((a) => a.sourceId),
      round.map((a) => a.relation),
      round.map((a) => a.targetId),
      round.map((a) => a.validAt),
      round.map((a) => a.invalidAt ?? null),
      round.map((a) => JSON.stringify(a.attributes ?? {})),
      exclusive,
    ];
    const n = `unnest($2::int[], $3::uuid[], $4::text[], $5::uuid[], $6::timestamptz[], $7::timestamptz[], $8::jsonb[], $9::text[])
      AS n(ord, source_id, relation, target_id, valid_at, invalid_at, attributes, exclusive)`;
    const conflicting = `f.group_id = $1 AND f.source_id = n.source_id AND f.relation = n.relation
      AND n.exclusive <> 'none'
      AND CASE n.exclusive WHEN 'source' THEN f.target_id <> n.target_id ELSE f.target_id = n.target_id END`;

    // 1. The same fact again: add provenance, nothing else (no write at all without an episode).
    const merged = await tx.query<{ ord: number; id: string }>(
      `WITH same AS (
         SELECT n.ord, f.id FROM facts f, ${n}
         WHERE f.group_id = $1 AND f.source_id = n.source_id AND f.relation = n.relation AND f.target_id = n.target_id
           AND (f.invalid_at IS NULL OR (f.invalid_at > f.valid_at AND f.invalid_at > n.valid_at))
           AND (n.invalid_at IS NULL OR n.invalid_at > f.valid_at)
           AND (n.exclusive <> 'pair' OR f.attributes = n.attributes)
       ), provenance AS (
         UPDATE facts f SET episode_ids = f.episode_ids || $10::uuid FROM same
         WHERE f.id = same.id AND $10::uuid IS NOT NULL AND NOT ($10::uuid = ANY(f.episode_ids))
       )
       SELECT ord, id FROM same`,
      [...params, episodeId],
    );
    const mergedOrds = [...new Set(merged.rows.map((r) => r.ord))];
    const fresh = `${n} WHERE NOT (n.ord = ANY($10::int[]))`;

    // 2. Open-ended older beliefs the new open-ended facts contradict end where the new ones start.
    const invalidated = await tx.query<{ id: string }>(
      `UPDATE facts f SET invalid_at = n.valid_at, expired_at = $11
       FROM (SELECT * FROM ${fresh}) n
       WHERE ${conflicting} AND n.invalid_at IS NULL AND f.invalid_at IS NULL AND f.valid_at <= n.valid_at
       RETURNING f.id`,
      [...params, mergedOrds, now],
    );

    // 3. Insert the rest; a conflicting fact that starts later bounds the new one.
    const created = await tx.query<{ id: string }>(
      `INSERT INTO facts (group_id, source_id, relation, target_id, fact, attributes, valid_at, invalid_at, created_at, episode_ids)
       SELECT $1, n.source_id, n.relation, n.target_id, ($12::text[])[n.ord + 1], n.attributes, n.valid_at,
              least(n.invalid_at, (SELECT min(f.valid_at) FROM facts f
                                   WHERE ${conflicting} AND f.valid_at > n.valid_at
                                     AND (f.invalid_at IS NULL OR f.invalid_at > f.valid_at))),
              $11, CASE WHEN $13::uuid IS NULL THEN '{}'::uuid[] ELSE ARRAY[$13::uuid] END
       FROM (SELECT * FROM ${fresh}) n
       ORDER BY n.ord
       ON CONFLICT (group_id, source_id, relation, target_id) WHERE invalid_at IS NULL AND expired_at IS NULL DO NOTHING
       RETURNING id`,
      [...params, mergedOrds, now, round.map((a) => a.fact), episodeId],
    );
    return {
      created: created.rows.map((r) => r.id),
      merged: merged.rows.map((r) => r.id),
      invalidated: invalidated.rows.map((r) => r.id),
    };
  }

  private async fullTextFacts(q: string, groups: readonly string[], view: TimeView): Promise<string[]> {
    const p = new Params(q, groups);
    const { rows } = await this.db.query<{ id: string }>(
      `SELECT f.id FROM facts f, (SELECT replace(plainto_tsquery('english', $1)::text, ' & ', ' | ')::tsquery AS q) x
       WHERE f.group_id = ANY($2) AND f.search @@ x.q AND ${factTimeCondition(view, p)}
       ORDER BY ts_rank_cd(f.search, x.q) DESC, length(f.fact), f.id LIMIT ${CANDIDATES}`,
      p.values,
    );
    return rows.map((r) => r.id);
  }

  /** Candidates by substring of the fact or its entities' names/tickers, ranked by trigram similarity. */
  private async lexicalFacts(q: string, groups: readonly string[], view: TimeView): Promise<string[]> {
    const terms = queryTerms(q);
    if (terms.length === 0) return [];
    const p = new Params(groups, terms.map(containsPattern), terms);
    const { rows } = await this.db.query<{ id: string; text: string }>(
      `SELECT f.id, f.fact || ' ' || s.name || ' ' || coalesce(s.symbol, '') || ' ' || t.name || ' ' || coalesce(t.symbol, '') AS text
       FROM facts f JOIN entities s ON s.id = f.source_id JOIN entities t ON t.id = f.target_id
       WHERE f.group_id = ANY($1) AND ${factTimeCondition(view, p)}
         AND (lower(f.fact) LIKE ANY($2) OR lower(s.name) LIKE ANY($2) OR lower(t.name) LIKE ANY($2)
              OR lower(s.symbol) = ANY($3) OR lower(t.symbol) = ANY($3))
       LIMIT 400`,
      p.values,
    );
    const score = lexicalScorer(q);
    return rows
      .map((r) => ({ id: r.id, sim: score(r.text), len: r.text.length }))
      .filter((r) => r.sim > 0)
      .sort((a, b) => b.sim - a.sim || a.len - b.len || a.id.localeCompare(b.id))
      .slice(0, CANDIDATES)
      .map((r) => r.id);
  }

  /** Breadth-first over visible facts from `centerId`, at most `depth` hops, each fact tagged with its hop. */
  private async bfs(
    q: Queryable,
    centerId: string,
    depth: number,
    groups: readonly string[],
    view: TimeView,
  ): Promise<Array<FactRow & { distance: number }>> {
    const found = new Map<string, FactRow & { distance: number }>();
    const visited = new Set([centerId]);
    let frontier = [centerId];
    for (let hop = 1; hop <= Math.min(depth, 2) && frontier.length > 0; hop++) {
      const p = new Params(groups, frontier);
      const { rows } = await q.query<FactRow>(
        `${FACT_SELECT} WHERE f.group_id = ANY($1) AND (f.source_id = ANY($2::uuid[]) OR f.target_id = ANY($2::uuid[]))
           AND ${factTimeCondition(view, p)}
         ORDER BY f.relation, f.fact, f.id LIMIT ${BFS_CAP}`,
        p.values,
      );
      const next: string[] = [];
      for (const r of rows) {
        if (found.has(r.id)) continue;
        found.set(r.id, { ...r, distance: hop });
        for (const id of [r.source_id, r.target_id]) {
          if (visited.has(id)) continue;
          visited.add(id);
          next.push(id);
        }
      }
      frontier = next;
    }
    return [...found.values()];
  }

  /** Facts by id, in the order given; with `groups`, only those the caller may read. */
  private async factsByIds(
    ids: readonly string[],
    q: Queryable = this.db,
    groups?: readonly string[],
  ): Promise<FactView[]> {
    if (ids.length === 0) return [];
    const { rows } = await q.query<FactRow>(
      `${FACT_SELECT} WHERE f.id::text = ANY($1::text[]) AND ($2::text[] IS NULL OR f.group_id = ANY($2::text[]))`,
      [ids, groups ?? null],
    );
    const byId = new Map(rows.map((r) => [r.id, r]));
    return ids.filter((id) => byId.has(id)).map((id) => toFactView(byId.get(id)!));
  }

  private async episodeById(q: Queryable, id: string): Promise<EpisodeView> {
    const { rows } = await q.query<EpisodeRow>(
      `SELECT e.*, (SELECT count(*)::int FROM episode_mentions m WHERE m.episode_id = e.id) AS mention_count
       FROM episodes e WHERE e.id = $1`,
      [id],
    );
    return toEpisodeView(rows[0]!);
  }
}

function hasDescription(d: EntityDraft): boolean {
  return !!(d.summary || d.labels?.length || (d.attributes && Object.keys(d.attributes).length));
}
