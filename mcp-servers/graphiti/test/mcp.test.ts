import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { createLogger } from '@stockpulse/core';
import { type Database, migrate, openDatabase } from '@stockpulse/db';
import {
  connectMcpClient,
  serveMcpSpec,
  startTestIssuer,
  type TestIssuer,
} from '@stockpulse/protocols/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { graphServerSpec } from '../src/server.js';
import { GraphStore } from '../src/store/graph.js';
import { GRAPH_MIGRATIONS } from '../src/store/migrations.js';
import { seedMarketGraph } from '../src/store/seed.js';

const silent = createLogger('graphiti-mcp-test', 'silent');
const ALICE = '11111111-1111-4111-8111-111111111111';
const BOB = '22222222-2222-4222-8222-222222222222';
const REPO_ROOT = fileURLToPath(new URL('../../..', import.meta.url));

let db: Database;
let spec: ReturnType<typeof graphServerSpec>;
let issuer: TestIssuer;
let mcpServer: { url: string; close(): Promise<void> };
const tokens = { alice: '', bob: '', service: '' };
let stdio: { client: Client; stderr: () => string; dataDir: string } | undefined;

/** The real entry point as a desktop client runs it: `main.ts --stdio` on a fresh embedded store. */
async function startStdioServer() {
  const dataDir = mkdtempSync(join(tmpdir(), 'sp-graphiti-'));
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: ['--import', 'tsx', 'mcp-servers/graphiti/src/main.ts', '--stdio'],
    cwd: REPO_ROOT,
    env: {
      ...(process.env as Record<string, string>),
      STOCKPULSE_DATA_DIR: dataDir,
      GRAPHITI_URL: '',
      LOG_LEVEL: 'info',
    },
    stderr: 'pipe',
  });
  let stderr = '';
  transport.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const client = new Client({ name: 'graphiti-stdio-test', version: '0.0.0' });
  await client.connect(transport);
  return { client, stderr: () => stderr, dataDir };
}

beforeAll(async () => {
  // The child's PGlite start and seed overlap the in-process one below.
  const child = startStdioServer().then((s) => {
    stdio = s;
  });
  db = await openDatabase({ dir: 'memory://', schema: 'graph' });
  await migrate(db, GRAPH_MIGRATIONS);
  const store = new GraphStore(db);
  await seedMarketGraph(store, silent);
  spec = graphServerSpec(store);

  // A tiny auth server (JWKS only) and tokens signed by it.
  issuer = await startTestIssuer();
  const sign = issuer.sign;
  tokens.alice = await sign(ALICE, 'read');
  tokens.bob = await sign(BOB, 'read trade');
  tokens.service = await sign('service:portfolio-manager', 'read service');

  mcpServer = await serveMcpSpec(spec, issuer);
  await child;
});

afterAll(async () => {
  await stdio?.client.close();
  if (stdio) rmSync(stdio.dataDir, { recursive: true, force: true });
  await mcpServer?.close();
  await issuer?.close();
  await db?.close();
});

async function connect(token: string): Promise<Client> {
  return connectMcpClient(mcpServer.url, token);
}

const call = async (client: Client, name: string, args: Record<string, unknown>) =>
  (await client.callTool({ name, arguments: args })) as CallToolResult;

type Result<M extends keyof GraphStore> = GraphStore[M] extends (...args: never[]) => Promise<infer R>
  ? R
  : never;
interface ToolResults {
  add_episode: Result<'addEpisode'>;
  search_facts: { facts: Result<'searchFacts'> };
  search_entities: { entities: Result<'searchEntities'> };
  get_entity: Result<'getEntity'>;
  get_neighbourhood: Result<'neighbourhood'>;
  invalidate_fact: Result<'invalidateFact'>;
  list_episodes: Result<'listEpisodes'>;
}

/** A successful call's structuredContent, checked against the tool's declared output schema. */
async function ok<N extends keyof ToolResults>(
  client: Client,
  name: N,
  args: Record<string, unknown>,
): Promise<ToolResults[N]> {
  const result = await call(client, name, args);
  const text = result.content[0]?.type === 'text' ? result.content[0].text : '';
  expect(result.isError, `${name} failed: ${text}`).toBeFalsy();
  const tool = spec.tools.find((t) => t.name === name)!;
  return tool.outputSchema.parse(result.structuredContent) as ToolResults[N];
}

async function failure(client: Client, name: string, args: Record<string, unknown>) {
  const result = await call(client, name, args);
  expect(result.isError).toBe(true);
  const text = result.content[0]?.type === 'text' ? result.content[0].text : '';
  return text.startsWith('{')
    ? (JSON.parse(text) as { error: { code: string; message: string } }).error
    : { code: 'sdk', message: text };
}

describe('graphiti MCP over Streamable HTTP', () => {
  let alice: Client;
  let bob: Client;
  beforeAll(async () => {
    [alice, bob] = await Promise.all([connect(tokens.alice), connect(tokens.bob)]);
  });
  afterAll(async () => {
    await Promise.all([alice?.close(), bob?.close()]);
  });

  it('lists every tool with its title, honest annotations and both schemas', async () => {
    const { tools } = await alice.listTools();
    expect(tools.map((t) => t.name)).toEqual([
      'add_episode',
      'search_facts',
      'search_entities',
      'get_entity',
      'get_neighbourhood',
      'invalidate_fact',
      'list_episodes',
    ]);
    for (const t of tools) {
      expect(t.title, t.name).toBeTruthy();
      expect(t.outputSchema?.type, t.name).toBe('object');
      expect(t.annotations?.openWorldHint, t.name).toBe(false);
    }
    const byName = new Map(tools.map((t) => [t.name, t]));
    for (const name of [
      'search_facts',
      'search_entities',
      'get_entity',
      'get_neighbourhood',
      'list_episodes',
    ])
      expect(byName.get(name)!.annotations).toMatchObject({ readOnlyHint: true, destructiveHint: false });
    expect(byName.get('add_episode')!.annotations).toMatchObject({
      readOnlyHint: false,
      idempotentHint: false,
    });
    expect(byName.get('invalidate_fact')!.annotations).toMatchObject({
      readOnlyHint: false,
      destructiveHint: true,
    });
    expect(byName.get('get_neighbourhood')!.inputSchema).toMatchObject({
      properties: { entity: { type: 'string' } },
      required: ['entity'],
    });
  });

  it('answers every tool with structured content matching its output schema', async () => {
    const added = await ok(alice, 'add_episode', {
      name: 'portfolio import',
      kind: 'json',
      sourceDescription: 'broker import',
      body: JSON.stringify({
        facts: [
          {
            source: 'Me',
            relation: 'HOLDS',
            target: 'AAPL',
            attributes: { quantity: '12' },
            validAt: '2026-01-02',
          },
        ],
      }),
    });
    expect(added.facts[0]).toMatchObject({
      relation: 'HOLDS',
      target: { symbol: 'AAPL' },
      groupId: `user:${ALICE}`,
    });
    const chat = await ok(alice, 'add_episode', {
      name: 'chat',
      kind: 'message',
      body: 'user: keep an eye on Broadcom and $QCOM for me',
      subject: 'Me',
    });
    expect(chat.facts.map((f) => f.target.symbol)).toEqual(['AVGO', 'QCOM']);

    const facts = await ok(alice, 'search_facts', { query: 'semiconductors', limit: 50 });
    expect(facts.facts.map((f) => `${f.source.symbol} ${f.relation}`)).toContain('NVDA IN_SUB_INDUSTRY');
    const near = await ok(alice, 'search_facts', { query: 'customer', centerEntity: 'AAPL', limit: 5 });
    expect(near.facts.length).toBeGreaterThan(0);

    const entities = await ok(alice, 'search_entities', { query: 'nvidia', limit: 3 });
    expect(entities.entities[0]).toMatchObject({ symbol: 'NVDA', labels: ['Company'] });

    const apple = await ok(alice, 'get_entity', { entity: 'Apple' });
    expect(apple.entity.symbol).toBe('AAPL');
    expect(apple.facts.map((f) => f.relation)).toEqual(
      expect.arrayContaining(['IN_SUB_INDUSTRY', 'CUSTOMER_OF', 'HOLDS']),
    );

    const hood = await ok(alice, 'get_neighbourhood', { entity: 'NVDA', depth: 2, limit: 20 });
    expect(hood.center.symbol).toBe('NVDA');
    expect(hood.facts.length).toBeLessThanOrEqual(20);

    const asOf = await ok(alice, 'get_entity', {
      entity: 'NVDA',
      asOf: '2005-01-01',
      knownAt: new Date().toISOString(),
    });
    expect(asOf.facts.map((f) => f.relation)).toEqual(['IN_SUB_INDUSTRY']); // the curated relations came later

    const ended = await ok(alice, 'invalidate_fact', { factId: added.facts[0]!.id, reason: 'sold' });
    expect(ended).toMatchObject({
      changed: true,
      fact: { id: added.facts[0]!.id, attributes: { invalidationReason: 'sold' } },
    });
    expect(ended.fact.invalidAt).not.toBeNull();

    const page = await ok(alice, 'list_episodes', { limit: 1 });
    expect(page.episodes[0]!.name).toBe('chat');
    const rest = await ok(alice, 'list_episodes', { limit: 10, cursor: page.nextCursor });
    expect(rest.episodes.map((e) => e.name)).toEqual(['portfolio import']);
    expect(rest.nextCursor).toBeNull();
  });

  it('rejects invalid input cleanly, with machine-readable codes', async () => {
    for (const [name, args] of [
      ['get_neighbourhood', { entity: 'NVDA', depth: 3 }],
      ['search_facts', { query: 'x', limit: 500 }],
      ['invalidate_fact', { factId: 'not-a-uuid' }],
      ['add_episode', { name: 'x', kind: 'yaml', body: 'y' }],
      ['get_entity', { entity: 'NVDA', asOf: 'yesterday' }],
    ] as const) {
      const err = await failure(alice, name, args);
      expect(err.message, name).toMatch(/Input validation error/);
    }
    expect(await failure(alice, 'search_facts', {})).toMatchObject({ code: 'bad_request' });
    expect(await failure(alice, 'get_entity', { entity: 'No Such Company Ltd' })).toMatchObject({
      code: 'not_found',
    });
    expect(
      await failure(alice, 'add_episode', { name: 'x', kind: 'json', body: '{"facts":[{"source":"A"}]}' }),
    ).toMatchObject({
      code: 'bad_request',
    });
    const publicFact = (await ok(alice, 'get_entity', { entity: 'NVDA' })).facts[0]!;
    expect(await failure(alice, 'invalidate_fact', { factId: publicFact.id })).toMatchObject({
      code: 'forbidden',
    });
    const service = await connect(tokens.service);
    try {
      expect(await failure(service, 'add_episode', { name: 'x', body: 'NVDA' })).toMatchObject({
        code: 'forbidden',
      });
      const seen = await ok(service, 'search_facts', { query: 'semiconductors', limit: 50 });
      expect(seen.facts.every((f) => f.groupId === 'public')).toBe(true);
    } finally {
      await service.close();
    }
  });

  it("never shows user A's memory to user B, through any tool", async () => {
    const secret = await ok(alice, 'add_episode', {
      name: 'watchlist secret',
      kind: 'json',
      body: JSON.stringify({
        entities: [{ name: 'Project Bluebird', labels: ['Idea'], summary: 'Alice plans a pairs trade' }],
        facts: [
          {
            source: 'Project Bluebird',
            relation: 'INTERESTED_IN',
            target: 'NVDA',
            fact: 'Project Bluebird goes long Nvidia',
          },
          {
            source: 'Project Bluebird',
            relation: 'AVOIDS',
            target: 'AMD',
            fact: 'Project Bluebird shorts AMD',
          },
        ],
      }),
    });
    const factIds: string[] = secret.facts.map((f) => f.id);
    const idea = secret.entities.find((e) => e.name === 'Project Bluebird')!;

    const aliceSees = await ok(alice, 'search_facts', { query: 'Project Bluebird', limit: 50 });
    expect(aliceSees.facts.map((f) => f.id)).toEqual(expect.arrayContaining(factIds));

    const bobSearch = await ok(bob, 'search_facts', { query: 'Project Bluebird Nvidia AMD', limit: 50 });
    expect(bobSearch.facts.filter((f) => factIds.includes(f.id))).toEqual([]);
    const bobCentered = await ok(bob, 'search_facts', { query: '', centerEntity: 'NVDA', limit: 50 });
    expect(bobCentered.facts.some((f) => f.groupId !== 'public')).toBe(false);
    const bobEntities = await ok(bob, 'search_entities', { query: 'Project Bluebird', limit: 50 });
    expect(bobEntities.entities.map((e) => e.id)).not.toContain(idea.id);
    expect(await failure(bob, 'get_entity', { entity: idea.id })).toMatchObject({ code: 'not_found' });
    expect(await failure(bob, 'get_entity', { entity: 'Project Bluebird' })).toMatchObject({
      code: 'not_found',
    });
    expect(await failure(bob, 'get_neighbourhood', { entity: idea.id })).toMatchObject({ code: 'not_found' });
    const bobNvda = await ok(bob, 'get_entity', { entity: 'NVDA' });
    expect(bobNvda.facts.some((f) => f.groupId !== 'public')).toBe(false);
    const bobHood = await ok(bob, 'get_neighbourhood', { entity: 'NVDA', depth: 2 });
    expect(bobHood.facts.some((f) => f.groupId !== 'public')).toBe(false);
    expect((await ok(bob, 'list_episodes', {})).episodes).toEqual([]);
    for (const id of factIds)
      expect(await failure(bob, 'invalidate_fact', { factId: id })).toMatchObject({ code: 'not_found' });

    // Alice's facts are untouched, and her own view of NVDA includes them.
    const aliceNvda = await ok(alice, 'get_entity', { entity: 'NVDA' });
    expect(aliceNvda.facts.filter((f) => factIds.includes(f.id)).map((f) => f.invalidAt)).toEqual([null]);
  });
});

describe('graphiti MCP over stdio', () => {
  it('starts from main.ts on an embedded store, lists tools and searches facts', async () => {
    const { client, stderr } = stdio!;
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).toContain('search_facts');
    const result = (await client.callTool({
      name: 'search_facts',
      arguments: { query: 'Nvidia semiconductors', limit: 3 },
    })) as CallToolResult;
    expect(result.isError).toBeFalsy();
    const { facts } = result.structuredContent as {
      facts: Array<{ relation: string; source: { symbol: string } }>;
    };
    expect(facts[0]).toMatchObject({ relation: 'IN_SUB_INDUSTRY', source: { symbol: 'NVDA' } });
    expect(stderr()).toContain('market graph seeded'); // logs go to stderr; stdout carries only the protocol
  });
});
