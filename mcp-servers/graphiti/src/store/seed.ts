import type { Logger } from '@stockpulse/core';
import { type Company, loadUniverse } from '@stockpulse/domain';
import { CURATED_RELATIONS } from './curated.js';
import { normalizeName } from './extract.js';
import type { EntityDraft, FactAssertion, GraphStore } from './graph.js';
import { PUBLIC_GROUP } from './groups.js';

/** Fallback start of a classification when the universe has no usable date. */
const DEFAULT_VALID_FROM = '2000-01-01';
const dateOr = (d: string) => new Date(`${/^\d{4}-\d{2}-\d{2}$/.test(d) ? d : DEFAULT_VALID_FROM}T00:00:00Z`);

/**
 * The public market graph, from the universe and the curated relations: sector ← sub-industry ←
 * company, plus supplier/customer/competitor facts. Idempotent and cheap to repeat: entities are
 * upserted in one statement, facts asserted in one batch (an unchanged fact is "the same fact again"
 * and changes nothing), so it runs on every start and follows universe changes — a company moved to
 * another sub-industry ends its old classification rather than losing it.
 */
export async function seedMarketGraph(
  store: GraphStore,
  logger: Logger,
  companies: readonly Company[] = loadUniverse(),
  now = new Date(),
): Promise<{ entities: number; created: number; invalidated: number }> {
  const t0 = performance.now();
  const bySymbol = new Map(companies.map((c) => [c.symbol, c]));
  const subIndustries = new Map<string, { sector: string; members: Company[] }>();
  for (const c of companies) {
    const s = subIndustries.get(c.subIndustry) ?? { sector: c.sector, members: [] };
    s.members.push(c);
    subIndustries.set(c.subIndustry, s);
  }
  const sectors = new Map<string, { subIndustries: number; companies: number }>();
  for (const [, s] of subIndustries) {
    const t = sectors.get(s.sector) ?? { subIndustries: 0, companies: 0 };
    t.subIndustries += 1;
    t.companies += s.members.length;
    sectors.set(s.sector, t);
  }

  const drafts: EntityDraft[] = [
    ...[...sectors].map(([name, t]) => ({
      name,
      labels: ['Sector'],
      summary: `GICS sector with ${t.subIndustries} sub-industries and ${t.companies} S&P 500 companies.`,
      attributes: { classification: 'GICS', level: 'sector' },
    })),
    ...[...subIndustries].map(([name, s]) => ({
      name,
      labels: ['SubIndustry'],
      summary: `GICS sub-industry in the ${s.sector} sector; ${s.members.length} S&P 500 companies.`,
      attributes: { classification: 'GICS', level: 'sub-industry', sector: s.sector },
    })),
    ...companies.map((c) => ({
      name: c.name,
      labels: ['Company'],
      summary:
        `${c.name} (${c.symbol}) is an S&P 500 company in the ${c.subIndustry} sub-industry of the ` +
        `${c.sector} sector${c.headquarters ? `, headquartered in ${c.headquarters}` : ''}.`,
      attributes: {
        symbol: c.symbol,
        sector: c.sector,
        subIndustry: c.subIndustry,
        headquarters: c.headquarters,
        dateAdded: c.dateAdded,
        cik: c.cik,
        founded: c.founded,
      },
    })),
  ];
  const ids = await store.upsertEntities(PUBLIC_GROUP, drafts, 'replace');
  const id = (name: string) => ids.get(normalizeName(name))!;
  const label = (c: Company) => `${c.name} (${c.symbol})`;

  // A classification that differs from the graph's current one is a change the universe file does not
  // date: it holds from this run on, so the old one ends now instead of being retracted from the start.
  const [subIndustryOf, sectorOf] = await Promise.all([
    store.openTargets(PUBLIC_GROUP, 'IN_SUB_INDUSTRY'),
    store.openTargets(PUBLIC_GROUP, 'IN_SECTOR'),
  ]);
  const since = (current: string | undefined, target: string, first: Date) =>
    current !== undefined && current !== target ? now : first;

  const facts: FactAssertion[] = [];
  for (const c of companies) {
    facts.push({
      sourceId: id(c.name),
      relation: 'IN_SUB_INDUSTRY',
      targetId: id(c.subIndustry),
      fact: `${label(c)} is classified in the GICS sub-industry ${c.subIndustry} (sector ${c.sector}).`,
      validAt: since(subIndustryOf.get(id(c.name)), id(c.subIndustry), dateOr(c.dateAdded)),
      attributes: { source: 'gics' },
    });
  }
  for (const [name, s] of subIndustries) {
    // From the earliest member's date, so the chain company → sub-industry → sector holds at any instant.
    const earliest = new Date(Math.min(...s.members.map((m) => dateOr(m.dateAdded).getTime())));
    facts.push({
      sourceId: id(name),
      relation: 'IN_SECTOR',
      targetId: id(s.sector),
      fact: `The GICS sub-industry ${name} belongs to the ${s.sector} sector.`,
      validAt: since(sectorOf.get(id(name)), id(s.sector), earliest),
      attributes: { source: 'gics' },
    });
  }
  let skipped = 0;
  for (const r of CURATED_RELATIONS) {
    const source = bySymbol.get(r.source);
    const target = bySymbol.get(r.target);
    if (!source || !target) {
      skipped += 1; // a member left the index: drop the relation rather than invent an entity
      continue;
    }
    facts.push({
      sourceId: id(source.name),
      relation: r.relation,
      targetId: id(target.name),
      fact: r.fact,
      validAt: dateOr(r.since),
      attributes: { source: 'curated' },
    });
  }
  const outcome = await store.assertFacts(PUBLIC_GROUP, facts);
  // Fresh planner statistics after a bulk change (PGlite has no autovacuum to collect them).
  if (outcome.created.length > 0) await store.db.exec('ANALYZE entities, facts');
  const result = {
    entities: ids.size,
    created: outcome.created.length,
    invalidated: outcome.invalidated.length,
  };
  logger.info(
    { ...result, skippedRelations: skipped, ms: Math.round(performance.now() - t0) },
    'market graph seeded',
  );
  return result;
}
