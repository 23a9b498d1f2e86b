import { createLogger } from '@stockpulse/core';
import { type Database, migrate, openDatabase } from '@stockpulse/db';
import { loadUniverse } from '@stockpulse/domain';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CURATED_RELATIONS } from '../src/store/curated.js';
import { findCompanies } from '../src/store/extract.js';
import { type FactView, GraphStore, type ReadScope } from '../src/store/graph.js';
import { PUBLIC_GROUP, userGroup } from '../src/store/groups.js';
import { GRAPH_MIGRATIONS } from '../src/store/migrations.js';
import { seedMarketGraph } from '../src/store/seed.js';

/** One behavioural suite for the graph store, on every backend of the database port. */
const TEST_PG_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const schema = `graph_contract_${process.pid}_${Date.now()}`;
const silent = createLogger('graph-test', 'silent');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const ALICE = userGroup('11111111-1111-4111-8111-111111111111');
const BOB = userGroup('22222222-2222-4222-8222-222222222222');
const asAlice: ReadScope = { groups: [PUBLIC_GROUP, ALICE] };
const asBob: ReadScope = { groups: [PUBLIC_GROUP, BOB] };

const universe = loadUniverse();
const sectors = new Set(universe.map((c) => c.sector));
const subIndustries = new Set(universe.map((c) => c.subIndustry));

const backends: Array<[string, () => Promise<Database>]> = [
  ['pglite', () => openDatabase({ dir: 'memory://', schema })],
  ['postgres', () => openDatabase({ url: TEST_PG_URL, schema })],
];

const json = (v: unknown) => JSON.stringify(v);
const describeFact = (f: FactView) =>
  `${f.source.symbol ?? f.source.name} ${f.relation} ${f.target.symbol ?? f.target.name}`;

describe.each(backends)('graph store on %s', (kind, open) => {
  let db: Database;
  let store: GraphStore;
  beforeAll(async () => {
    db = await open();
    await migrate(db, GRAPH_MIGRATIONS);
    store = new GraphStore(db);
    await seedMarketGraph(store, silent);
  });
  afterAll(async () => {
    if (kind === 'postgres') await db?.exec(`DROP SCHEMA "${schema}" CASCADE`);
    await db?.close();
  });

  it('seeds company → sub-industry → sector and the curated relations, idempotently', async () => {
    const expectedEntities = universe.length + subIndustries.size + sectors.size;
    const expectedFacts = universe.length + subIndustries.size + CURATED_RELATIONS.length;
    expect(await store.stats()).toMatchObject({ entities: expectedEntities, facts: expectedFacts });
    const again = await seedMarketGraph(store, silent);
    expect(again).toEqual({ entities: expectedEntities, created: 0, invalidated: 0 });
    expect(await store.stats()).toMatchObject({ entities: expectedEntities, facts: expectedFacts });

    const nvda = await store.getEntity('NVDA', asAlice);
    expect(nvda.entity).toMatchObject({
      name: 'Nvidia',
      symbol: 'NVDA',
      groupId: PUBLIC_GROUP,
      labels: ['Company'],
    });
    const classification = nvda.facts.find((f) => f.relation === 'IN_SUB_INDUSTRY')!;
    expect(classification.target.name).toBe('Semiconductors');
    expect(classification.validAt).toBe('2001-11-30T00:00:00.000Z'); // the date NVDA joined the index
    const sector = await store.getEntity('Semiconductors', asAlice);
    expect(sector.facts.find((f) => f.relation === 'IN_SECTOR')!.target.name).toBe('Information Technology');
  });

  it('finds the semiconductor classification by full text and ranks the closest fact first', async () => {
    const hits = await store.searchFacts('semiconductors', { ...asAlice, limit: 50 });
    expect(hits.map(describeFact)).toContain('NVDA IN_SUB_INDUSTRY Semiconductors');
    expect(hits.length).toBeLessThanOrEqual(50);
    const precise = await store.searchFacts('Nvidia semiconductors', { ...asAlice, limit: 5 });
    expect(describeFact(precise[0]!)).toBe('NVDA IN_SUB_INDUSTRY Semiconductors');
    expect(precise[0]!.score).toBeGreaterThan(precise[1]!.score);
    // Lexical similarity catches what stemming does not (a prefix).
    const prefix = await store.searchFacts('semicond', { ...asAlice, limit: 50 });
    expect(prefix.map(describeFact)).toContain('NVDA IN_SUB_INDUSTRY Semiconductors');
  });

  it('uses graph distance from a center entity', async () => {
    const hits = await store.searchFacts('supplies memory', { ...asAlice, centerEntity: 'NVDA', limit: 5 });
    expect(describeFact(hits[0]!)).toBe('MU SUPPLIES NVDA');
    const around = await store.searchFacts('', { ...asAlice, centerEntity: 'Nvidia', limit: 50 });
    const nearest = around.slice(0, 8).map(describeFact);
    expect(nearest).toEqual(
      expect.arrayContaining(['NVDA COMPETES_WITH AMD', 'NVDA IN_SUB_INDUSTRY Semiconductors']),
    );
    await expect(store.searchFacts('', asAlice)).rejects.toMatchObject({ code: 'bad_request' });
    await expect(store.searchFacts('x', { ...asAlice, centerEntity: 'No Such Co' })).rejects.toMatchObject({
      code: 'not_found',
    });
  });

  it('searches entities by ticker, name and description', async () => {
    expect((await store.searchEntities('AAPL', asAlice))[0]).toMatchObject({
      name: 'Apple Inc.',
      symbol: 'AAPL',
    });
    expect((await store.searchEntities('semiconductors', asAlice))[0]).toMatchObject({
      name: 'Semiconductors',
      labels: ['SubIndustry'],
    });
    const sectorsOnly = await store.searchEntities('technology', { ...asAlice, labels: ['Sector'] });
    expect(sectorsOnly.map((e) => e.name)).toEqual(['Information Technology']);
  });

  it('walks the neighbourhood of NVDA one and two hops out', async () => {
    const one = await store.neighbourhood('NVDA', { ...asAlice, depth: 1 });
    expect(one.center.symbol).toBe('NVDA');
    expect(one.facts.every((f) => f.distance === 1)).toBe(true);
    expect(one.facts.map(describeFact)).toEqual(
      expect.arrayContaining([
        'NVDA IN_SUB_INDUSTRY Semiconductors',
        'NVDA COMPETES_WITH AMD',
        'MU SUPPLIES NVDA',
      ]),
    );
    expect(one.entities.map((e) => e.name)).toEqual(
      expect.arrayContaining(['Semiconductors', 'Advanced Micro Devices']),
    );

    const two = await store.neighbourhood('NVDA', { ...asAlice, depth: 2 });
    const second = two.facts.filter((f) => f.distance === 2).map(describeFact);
    expect(second).toEqual(
      expect.arrayContaining([
        'Semiconductors IN_SECTOR Information Technology',
        'INTC IN_SUB_INDUSTRY Semiconductors',
      ]),
    );
    expect(two.entities.find((e) => e.name === 'Information Technology')?.distance).toBe(2);
    expect(two.facts.length).toBeLessThanOrEqual(50);
    const bounded = await store.neighbourhood('Information Technology', { ...asAlice, depth: 2, limit: 10 });
    expect(bounded).toMatchObject({ truncated: true });
    expect(bounded.facts).toHaveLength(10);
  });

  it('ends a contradicted fact instead of deleting it; asOf before the change still sees it', async () => {
    const first = await store.addEpisode({
      groupId: ALICE,
      name: 'acme v1',
      kind: 'json',
      body: json({
        entities: [{ name: 'Acme Robotics', labels: ['Company'], summary: 'A private robotics start-up.' }],
        facts: [
          { source: 'Acme Robotics', relation: 'IN_SECTOR', target: 'Industrials', validAt: '2025-01-01' },
        ],
      }),
    });
    const old = first.facts[0]!;
    expect(old).toMatchObject({ relation: 'IN_SECTOR', invalidAt: null, expiredAt: null, groupId: ALICE });
    // The public sector entity is reused, not copied into the user's memory.
    expect(first.entities.find((e) => e.name === 'Industrials')).toMatchObject({
      groupId: PUBLIC_GROUP,
      created: false,
    });

    await sleep(5);
    const between = new Date();
    await sleep(5);
    const second = await store.addEpisode({
      groupId: ALICE,
      name: 'acme v2',
      kind: 'json',
      body: json({
        facts: [{ source: 'Acme Robotics', relation: 'IN_SECTOR', target: 'Information Technology' }],
      }),
    });
    const replacement = second.facts[0]!;
    expect(second.invalidated.map((f) => f.id)).toEqual([old.id]);
    const ended = second.invalidated[0]!;
    expect(ended.invalidAt).toBe(replacement.validAt);
    expect(ended.expiredAt).not.toBeNull();

    const now = await store.getEntity('Acme Robotics', asAlice);
    expect(now.facts.map(describeFact)).toEqual(['Acme Robotics IN_SECTOR Information Technology']);
    const then = await store.getEntity('Acme Robotics', { ...asAlice, asOf: between });
    expect(then.facts.map((f) => f.id)).toEqual([old.id]);
    const thenSearch = await store.searchFacts('Acme Robotics sector', { ...asAlice, asOf: between });
    expect(thenSearch.map((f) => f.id)).toContain(old.id);
    expect(thenSearch.map((f) => f.id)).not.toContain(replacement.id);
    // Before the graph learned anything about Acme there was nothing to see.
    const before = await store.getEntity('Acme Robotics', { ...asAlice, asOf: new Date('2025-06-01') });
    expect(before.facts).toEqual([]);
    // Today's view of mid-2025 (knownAt now): Industrials, as far as the graph knows today.
    const history = await store.getEntity('Acme Robotics', {
      ...asAlice,
      asOf: new Date('2025-06-01'),
      knownAt: new Date(),
    });
    expect(history.facts.map((f) => f.id)).toEqual([old.id]);
    const all = await store.searchFacts('Acme Robotics', { ...asAlice, includeHistory: true, limit: 50 });
    expect(all.map((f) => f.id)).toEqual(expect.arrayContaining([old.id, replacement.id]));
  });

  it('follows a reclassification in the universe: the old classification ends, history keeps it', async () => {
    const moved = universe.map((c) =>
      c.symbol === 'XOM' ? { ...c, subIndustry: 'Oil & Gas Exploration & Production' } : c,
    );
    const before = new Date();
    await sleep(5);
    const changed = await seedMarketGraph(store, silent, moved);
    expect(changed).toMatchObject({ created: 1, invalidated: 1 });
    const current = (await store.getEntity('XOM', asBob)).facts.find(
      (f) => f.relation === 'IN_SUB_INDUSTRY',
    )!;
    expect(current.target.name).toBe('Oil & Gas Exploration & Production');
    const earlier = (await store.getEntity('XOM', { ...asBob, asOf: before })).facts.find(
      (f) => f.relation === 'IN_SUB_INDUSTRY',
    )!;
    expect(earlier).toMatchObject({
      target: { name: 'Integrated Oil & Gas' },
      validAt: '1957-03-04T00:00:00.000Z',
    });
    expect(earlier.invalidAt).toBe(current.validAt); // ended, not retracted

    expect(await seedMarketGraph(store, silent)).toMatchObject({ created: 1, invalidated: 1 }); // and back
    const restored = (await store.getEntity('XOM', asBob)).facts.find(
      (f) => f.relation === 'IN_SUB_INDUSTRY',
    )!;
    expect(restored.target.name).toBe('Integrated Oil & Gas');
  });

  it('replaces a holding quantity, and merges a repeated statement into provenance', async () => {
    const holds = (quantity: string, validAt: string) =>
      store.addEpisode({
        groupId: ALICE,
        name: `holding ${quantity}`,
        kind: 'json',
        body: json({
          facts: [{ source: 'Me', relation: 'HOLDS', target: 'NVDA', validAt, attributes: { quantity } }],
        }),
      });
    const ten = await holds('10', '2026-01-05');
    expect(ten.facts[0]).toMatchObject({ source: { name: 'Me' }, target: { symbol: 'NVDA' } });
    const twentyFive = await holds('25', '2026-02-05');
    expect(twentyFive.invalidated.map((f) => f.id)).toEqual([ten.facts[0]!.id]);
    const again = await holds('25', '2026-03-01');
    expect(again.invalidated).toEqual([]);
    expect(again.facts[0]!.id).toBe(twentyFive.facts[0]!.id);
    expect(again.facts[0]!.episodeIds).toEqual([twentyFive.episode.id, again.episode.id]);
    // An older statement arriving late is history: bounded by the newer fact, ending nothing.
    const late = await holds('5', '2025-12-01');
    expect(late.invalidated).toEqual([]);
    expect(late.facts[0]!.invalidAt).toBe('2026-01-05T00:00:00.000Z');

    const jan = await store.getEntity('Me', {
      ...asAlice,
      asOf: new Date('2026-01-20'),
      knownAt: new Date(),
    });
    expect(jan.facts.map((f) => f.attributes.quantity)).toEqual(['10']);
    const today = await store.getEntity('Me', asAlice);
    expect(today.facts.filter((f) => f.relation === 'HOLDS').map((f) => f.attributes.quantity)).toEqual([
      '25',
    ]);
  });

  it('extracts universe companies from text and links them to the subject', async () => {
    const added = await store.addEpisode({
      groupId: ALICE,
      name: 'chat',
      kind: 'message',
      body: "user: I'm worried about my NVDA exposure. Is Apple cheaper than $MSFT? IT and ON are just words.",
      subject: 'Me',
    });
    expect(added.entities.map((e) => e.symbol ?? e.name)).toEqual(['NVDA', 'AAPL', 'MSFT', 'Me']);
    expect(added.facts.map(describeFact)).toEqual([
      'Me MENTIONS NVDA',
      'Me MENTIONS AAPL',
      'Me MENTIONS MSFT',
    ]);
    expect(added.episode.mentionCount).toBe(4);
    // Without a subject the mentions are recorded on the episode only.
    const plain = await store.addEpisode({
      groupId: ALICE,
      name: 'note',
      kind: 'text',
      body: 'Coca-Cola vs PepsiCo',
    });
    expect(plain.facts).toEqual([]);
    expect(plain.entities.map((e) => e.symbol)).toEqual(['KO', 'PEP']);
    expect(findCompanies('apple pie at 3 PM with IT')).toEqual([]);
  });

  it("keeps one user's memory invisible to another", async () => {
    const secret = await store.addEpisode({
      groupId: ALICE,
      name: 'secret',
      kind: 'json',
      body: json({
        entities: [{ name: 'Alice Secret Fund', labels: ['Fund'] }],
        facts: [
          {
            source: 'Alice Secret Fund',
            relation: 'INTERESTED_IN',
            target: 'NVDA',
            fact: 'Alice Secret Fund is accumulating Nvidia',
          },
        ],
      }),
    });
    const fact = secret.facts[0]!;
    const fund = secret.entities.find((e) => e.name === 'Alice Secret Fund')!;

    expect((await store.searchFacts('Secret Fund accumulating', asAlice)).map((f) => f.id)).toContain(
      fact.id,
    );
    expect((await store.searchFacts('Secret Fund accumulating', asBob)).map((f) => f.id)).not.toContain(
      fact.id,
    );
    expect((await store.searchEntities('Alice Secret Fund', asBob)).map((e) => e.id)).not.toContain(fund.id);
    expect((await store.searchEntities('Alice Secret Fund', asAlice))[0]!.id).toBe(fund.id);
    await expect(store.getEntity(fund.id, asBob)).rejects.toMatchObject({ code: 'not_found' });
    await expect(store.getEntity('Alice Secret Fund', asBob)).rejects.toMatchObject({ code: 'not_found' });
    const bobsNvda = await store.getEntity('NVDA', asBob);
    expect(bobsNvda.facts.every((f) => f.groupId === PUBLIC_GROUP)).toBe(true);
    const alicesNvda = await store.getEntity('NVDA', asAlice);
    expect(alicesNvda.facts.map((f) => f.id)).toContain(fact.id);
    const around = await store.neighbourhood('NVDA', { ...asBob, depth: 2 });
    expect(around.facts.some((f) => f.groupId !== PUBLIC_GROUP)).toBe(false);
    await expect(store.invalidateFact(fact.id, { ...asBob, ownGroup: BOB })).rejects.toMatchObject({
      code: 'not_found',
    });
    expect((await store.listEpisodes(BOB, {})).episodes).toEqual([]);
  });

  it('invalidates own facts once, never public ones', async () => {
    const { facts } = await store.addEpisode({
      groupId: BOB,
      name: 'pref',
      kind: 'json',
      body: json({ facts: [{ source: 'Me', relation: 'AVOIDS', target: 'Energy', validAt: '2026-01-01' }] }),
    });
    const at = new Date('2026-06-01T00:00:00Z');
    const first = await store.invalidateFact(facts[0]!.id, {
      ...asBob,
      ownGroup: BOB,
      invalidAt: at,
      reason: 'changed mind',
    });
    expect(first).toMatchObject({
      changed: true,
      fact: { invalidAt: at.toISOString(), attributes: { invalidationReason: 'changed mind' } },
    });
    expect(first.fact.expiredAt).not.toBeNull();
    const second = await store.invalidateFact(facts[0]!.id, { ...asBob, ownGroup: BOB });
    expect(second).toMatchObject({ changed: false, fact: { invalidAt: at.toISOString() } });

    const publicFact = (await store.getEntity('NVDA', asBob)).facts[0]!;
    await expect(store.invalidateFact(publicFact.id, { ...asBob, ownGroup: BOB })).rejects.toMatchObject({
      code: 'forbidden',
    });
  });

  it('lists episodes newest first with a cursor, and rejects malformed json episodes', async () => {
    const page1 = await store.listEpisodes(ALICE, { limit: 3 });
    expect(page1.episodes).toHaveLength(3);
    expect(page1.nextCursor).not.toBeNull();
    const page2 = await store.listEpisodes(ALICE, { limit: 50, cursor: page1.nextCursor! });
    const ids = [...page1.episodes, ...page2.episodes].map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(page2.nextCursor).toBeNull();
    expect(page1.episodes[0]!.name).toBe('secret');

    for (const body of [
      'not json',
      json({ facts: [{ source: 'A', relation: 'lower_case', target: 'B' }] }),
      json({}),
    ]) {
      await expect(
        store.addEpisode({ groupId: ALICE, name: 'bad', kind: 'json', body }),
      ).rejects.toMatchObject({
        code: 'bad_request',
      });
    }
    expect((await store.listEpisodes(ALICE, { limit: 50 })).episodes).toHaveLength(ids.length); // nothing half-written
  });
});
