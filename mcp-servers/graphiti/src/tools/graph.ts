import { AppError } from '@stockpulse/core';
import { defineTool } from '@stockpulse/protocols/mcp';
import { z } from 'zod';
import { type GraphStore, MAX_ITEMS } from '../store/graph.js';
import { readScope, writableGroup } from './access.js';
import { entity, entityInput, entityRef, episode, fact, instant, timeInputs } from './schemas.js';

const readOnly = {
  readOnlyHint: true,
  destructiveHint: false,
  idempotentHint: true,
  openWorldHint: false,
} as const;

const limit = (fallback: number) => z.number().int().min(1).max(MAX_ITEMS).default(fallback);
const toDate = (v: string | undefined) => (v === undefined ? undefined : new Date(v));

export function graphTools(store: GraphStore) {
  return [
    defineTool({
      name: 'add_episode',
      title: 'Add episode to memory',
      description:
        "Remember something in the caller's own memory graph (never the shared market graph). kind 'json' " +
        'states entities and facts exactly: {"entities":[{"name","labels","summary","attributes"}],"facts":' +
        '[{"source","relation","target","fact","validAt","invalidAt","attributes"}]} with SCREAMING_SNAKE ' +
        "relations (HOLDS with attributes.quantity, INTERESTED_IN, AVOIDS, HAS_RISK_TOLERANCE, SUPPLIES, …). kind 'text' or " +
        "'message' is scanned for S&P 500 tickers and company names; with a `subject` each company found " +
        'becomes `subject MENTIONS company`. A new fact that contradicts an older one (another sector, a new ' +
        'HOLDS quantity) ends the older one instead of deleting it; the result lists what was invalidated.',
      input: {
        name: z.string().trim().min(1).max(200).describe('Short title, e.g. "risk profile chat 2026-03-01"'),
        kind: z.enum(['text', 'message', 'json']).default('text'),
        body: z.string().min(1).max(20_000).describe("The content; for kind 'json', a JSON document as text"),
        sourceDescription: z
          .string()
          .max(200)
          .optional()
          .describe('Where it came from, e.g. "chat", "broker import"'),
        referenceTime: instant
          .optional()
          .describe('When it happened; the default validAt of its facts. Default: now'),
        subject: z.string().trim().min(1).max(200).optional().describe('Entity the text is about, e.g. "Me"'),
      },
      output: {
        episode,
        entities: z.array(entityRef.extend({ groupId: z.string(), created: z.boolean() })).max(MAX_ITEMS),
        facts: z.array(fact).max(MAX_ITEMS).describe('Facts created or re-stated by this episode'),
        invalidated: z.array(fact).max(MAX_ITEMS).describe('Older facts this episode ended'),
      },
      // Superseding an old fact updates it (its end is recorded), but nothing is ever deleted.
      annotations: {
        readOnlyHint: false,
        destructiveHint: false,
        idempotentHint: false,
        openWorldHint: false,
      },
      handler: async (args, { principal }) =>
        store.addEpisode({
          groupId: writableGroup(principal),
          name: args.name,
          kind: args.kind,
          body: args.body,
          sourceDescription: args.sourceDescription,
          referenceTime: toDate(args.referenceTime),
          subject: args.subject,
        }),
    }),
    defineTool({
      name: 'search_facts',
      title: 'Search facts',
      description:
        'Hybrid search over facts (relations between companies, sub-industries, sectors and your own memory): ' +
        'full-text rank + lexical similarity, plus graph proximity when centerEntity is given, fused. Returns ' +
        "facts true now unless asOf is given. E.g. 'semiconductors', 'who supplies Nvidia', 'Apple suppliers'. " +
        'Sees the public market graph and your own memory only.',
      input: {
        query: z
          .string()
          .trim()
          .max(200)
          .default('')
          .describe('Words to look for; may be empty with centerEntity'),
        centerEntity: entityInput.optional().describe('Rank facts near this entity (≤ 2 hops) higher'),
        ...timeInputs,
        includeHistory: z
          .boolean()
          .default(false)
          .describe('Every fact ever stated, ended ones included; ignores asOf'),
        limit: limit(10),
      },
      output: { facts: z.array(fact.extend({ score: z.number() })).max(MAX_ITEMS) },
      annotations: readOnly,
      handler: async (args, { principal }) => {
        if (!args.query && !args.centerEntity)
          throw new AppError('bad_request', 'Give a query, a centerEntity, or both');
        return {
          facts: await store.searchFacts(args.query, {
            ...readScope(principal),
            centerEntity: args.centerEntity,
            asOf: toDate(args.asOf),
            knownAt: toDate(args.knownAt),
            includeHistory: args.includeHistory,
            limit: args.limit,
          }),
        };
      },
    }),
    defineTool({
      name: 'search_entities',
      title: 'Search entities',
      description:
        'Find entities (companies, GICS sub-industries and sectors, things in your memory) by name, ticker or ' +
        "description. Optionally only some labels: 'Company', 'SubIndustry', 'Sector', or your own.",
      input: {
        query: z.string().trim().min(1).max(200),
        labels: z.array(z.string().trim().min(1).max(40)).max(10).optional(),
        limit: limit(10),
      },
      output: { entities: z.array(entity.extend({ score: z.number() })).max(MAX_ITEMS) },
      annotations: readOnly,
      handler: async ({ query, labels, limit }, { principal }) => ({
        entities: await store.searchEntities(query, { ...readScope(principal), labels, limit }),
      }),
    }),
    defineTool({
      name: 'get_entity',
      title: 'Get entity',
      description:
        'One entity by id, ticker or name, with the facts touching it (true now, or as of `asOf`): its ' +
        'classification, competitors, suppliers, customers, and what your memory says about it.',
      input: { entity: entityInput, ...timeInputs, limit: limit(MAX_ITEMS) },
      output: {
        entity,
        facts: z.array(fact).max(MAX_ITEMS),
        factCount: z.number().int(),
        truncated: z.boolean(),
      },
      annotations: readOnly,
      handler: async (args, { principal }) =>
        store.getEntity(args.entity, {
          ...readScope(principal),
          asOf: toDate(args.asOf),
          knownAt: toDate(args.knownAt),
          limit: args.limit,
        }),
    }),
    defineTool({
      name: 'get_neighbourhood',
      title: 'Get neighbourhood',
      description:
        'Entities and facts within 1 or 2 hops of an entity, nearest first (e.g. NVDA → its sub-industry, ' +
        'competitors, suppliers at 1 hop; its sub-industry peers and sector at 2 hops). Bounded to `limit` facts.',
      input: {
        entity: entityInput,
        depth: z.union([z.literal(1), z.literal(2)]).default(1),
        ...timeInputs,
        limit: limit(MAX_ITEMS),
      },
      output: {
        center: entity,
        entities: z.array(entityRef.extend({ distance: z.number().int() })).max(MAX_ITEMS),
        facts: z.array(fact.extend({ distance: z.number().int() })).max(MAX_ITEMS),
        truncated: z.boolean(),
      },
      annotations: readOnly,
      handler: async (args, { principal }) =>
        store.neighbourhood(args.entity, {
          ...readScope(principal),
          depth: args.depth,
          asOf: toDate(args.asOf),
          knownAt: toDate(args.knownAt),
          limit: args.limit,
        }),
    }),
    defineTool({
      name: 'invalidate_fact',
      title: 'Invalidate fact',
      description:
        'Mark a fact in your own memory as no longer true from `invalidAt` (default now); an instant at or ' +
        'before its validAt retracts it entirely. History is kept: asOf reads before the change still see it. ' +
        'Facts of the market graph are read-only. Invalidating an ended fact changes nothing.',
      input: {
        factId: z.string().uuid(),
        invalidAt: instant.optional(),
        reason: z.string().trim().min(1).max(500).optional(),
      },
      output: { fact, changed: z.boolean() },
      annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
      handler: async (args, { principal }) =>
        store.invalidateFact(args.factId, {
          ...readScope(principal),
          ownGroup: writableGroup(principal),
          invalidAt: toDate(args.invalidAt),
          reason: args.reason,
        }),
    }),
    defineTool({
      name: 'list_episodes',
      title: 'List episodes',
      description: 'Episodes in your own memory, newest first. Paginate with the returned nextCursor.',
      input: {
        limit: limit(20),
        cursor: z
          .string()
          .regex(/^\d{1,18}$/, 'use nextCursor from the previous page')
          .optional(),
      },
      output: { episodes: z.array(episode).max(MAX_ITEMS), nextCursor: z.string().nullable() },
      annotations: readOnly,
      handler: async ({ limit, cursor }, { principal }) =>
        store.listEpisodes(writableGroup(principal), { limit, cursor }),
    }),
  ];
}
