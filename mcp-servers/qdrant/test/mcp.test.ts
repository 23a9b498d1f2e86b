import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { createLogger } from '@stockpulse/core';
import { openDatabase } from '@stockpulse/db';
import {
  connectMcpClient,
  serveMcpSpec,
  startTestIssuer,
  type TestIssuer,
} from '@stockpulse/protocols/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DocumentLibrary } from '../src/documents.js';
import { lexicalEmbedder } from '../src/embed/index.js';
import { seedDemoNews } from '../src/seed.js';
import { documentServerSpec } from '../src/server.js';
import { openPgvectorStore } from '../src/store/pgvector.js';
import type { VectorStore } from '../src/store/port.js';
import { documentTools, SNIPPET_CHARS } from '../src/tools/documents.js';

const silent = createLogger('mcp-qdrant-test', 'silent');
const ALICE = '11111111-1111-4111-8111-111111111111';
const BOB = '22222222-2222-4222-8222-222222222222';
const REPO_ROOT = fileURLToPath(new URL('../../..', import.meta.url));
// The simulated history the news is written from: through Friday 2024-06-28.
const SEEDED_AT = new Date('2024-06-29T12:00:00Z');

let store: VectorStore;
let library: DocumentLibrary;
let issuer: TestIssuer;
let mcpServer: { url: string; close(): Promise<void> };
let seeded = 0;
const tokens = { alice: '', bob: '', service: '' };
const outputSchemas = new Map<string, ReturnType<typeof documentTools>[number]['outputSchema']>();

beforeAll(async () => {
  store = await openPgvectorStore(
    await openDatabase({ dir: 'memory://', schema: 'vectors', extensions: ['vector'] }),
  );
  library = new DocumentLibrary(store, lexicalEmbedder());
  seeded = await seedDemoNews(library, { seed: 2024, start: '2024-01-02' }, silent, SEEDED_AT);
  for (const t of documentTools(library)) outputSchemas.set(t.name, t.outputSchema);

  issuer = await startTestIssuer();
  const sign = issuer.sign;
  tokens.alice = await sign(ALICE, 'read');
  tokens.bob = await sign(BOB, 'read trade');
  tokens.service = await sign('service:portfolio-manager', 'read service');

  mcpServer = await serveMcpSpec(documentServerSpec(library), issuer);
});

afterAll(async () => {
  await mcpServer?.close();
  await issuer?.close();
  await store?.close();
});

async function connect(token: string) {
  return connectMcpClient(mcpServer.url, token);
}

/** Call a tool that must succeed; its structuredContent must match the declared output schema. */
async function ok<T = Record<string, unknown>>(
  client: Client,
  name: string,
  args: Record<string, unknown>,
): Promise<T> {
  const result = (await client.callTool({ name, arguments: args })) as CallToolResult;
  expect(result.isError, JSON.stringify(result.content)).toBeFalsy();
  return outputSchemas.get(name)!.parse(result.structuredContent) as T;
}

/** Call a tool that must fail; returns our `{ code, message }`, or the SDK's plain text for invalid arguments. */
async function fails(client: Client, name: string, args: Record<string, unknown>) {
  const result = (await client.callTool({ name, arguments: args })) as CallToolResult;
  expect(result.isError).toBe(true);
  const first = result.content[0];
  const text = first?.type === 'text' ? first.text : '';
  try {
    return (JSON.parse(text) as { error: { code: string; message: string } }).error;
  } catch {
    return { code: 'invalid_arguments', message: text };
  }
}

type SearchResult = {
  results: Array<{
    id: string;
    owner: string;
    title: string;
    snippet: string;
    truncated: boolean;
    symbols: string[];
    collection: string;
  }>;
};

describe('qdrant MCP server over Streamable HTTP', () => {
  let alice: Client;
  let bob: Client;
  let service: Client;
  beforeAll(async () => {
    [alice, bob, service] = await Promise.all([
      connect(tokens.alice),
      connect(tokens.bob),
      connect(tokens.service),
    ]);
  });
  afterAll(async () => {
    await Promise.all([alice, bob, service].map((c) => c?.close()));
  });

  it('seeded the news corpus once (idempotent)', async () => {
    expect(seeded).toBe(81); // 60 big moves, 10 macro releases, 11 sector round-ups
    expect(await seedDemoNews(library, { seed: 2024, start: '2024-01-02' }, silent, SEEDED_AT)).toBe(0);
  });

  it('lists the tools with honest annotations and both schemas', async () => {
    const { tools } = await alice.listTools();
    expect(tools.map((t) => t.name)).toEqual([
      'list_collections',
      'search_documents',
      'get_document',
      'upsert_document',
      'delete_document',
    ]);
    const byName = Object.fromEntries(tools.map((t) => [t.name, t]));
    for (const name of ['list_collections', 'search_documents', 'get_document']) {
      expect(byName[name]!.annotations).toMatchObject({ readOnlyHint: true, destructiveHint: false });
    }
    expect(byName.upsert_document!.annotations).toMatchObject({ readOnlyHint: false, idempotentHint: false });
    expect(byName.delete_document!.annotations).toMatchObject({ readOnlyHint: false, destructiveHint: true });
    expect(byName.search_documents!.inputSchema).toMatchObject({
      properties: { limit: { maximum: 50 }, mode: { enum: ['hybrid', 'vector', 'text'] } },
      required: ['query'],
    });
    expect(tools.every((t) => t.outputSchema?.type === 'object')).toBe(true);
  });

  it('lists collections with the counts the caller can see', async () => {
    const { collections } = await ok<{
      collections: Array<{ name: string; documents: number; writable: boolean }>;
    }>(alice, 'list_collections', {});
    expect(collections.map((c) => [c.name, c.writable])).toEqual([
      ['news', false],
      ['research', true],
      ['notes', true],
    ]);
    expect(collections[0]!.documents).toBe(81);
  });

  it('searches the news in every mode, with a symbols filter and bounded snippets', async () => {
    for (const mode of ['hybrid', 'vector', 'text']) {
      const { results } = await ok<SearchResult>(alice, 'search_documents', {
        query: 'shares jump as quarterly results beat estimates',
        collection: 'news',
        mode,
        limit: 5,
      });
      expect(results.length).toBeGreaterThan(0);
      expect(results.length).toBeLessThanOrEqual(5);
      expect(results.every((r) => r.owner === 'public' && r.collection === 'news')).toBe(true);
      expect(results.every((r) => r.snippet.length <= SNIPPET_CHARS + 2)).toBe(true);
    }
    const roundups = await ok<SearchResult>(alice, 'search_documents', {
      query: 'weekly round-up leaders laggards',
      limit: 50,
    });
    expect(roundups.results.filter((r) => r.title.includes('weekly round-up')).length).toBeGreaterThanOrEqual(
      10,
    );
    const symbol = roundups.results[0]!.symbols[0]!;
    const filtered = await ok<SearchResult>(alice, 'search_documents', {
      query: 'stock',
      symbols: [symbol.toLowerCase()],
    });
    expect(filtered.results.length).toBeGreaterThan(0);
    expect(filtered.results.every((r) => r.symbols.includes(symbol))).toBe(true);
  });

  it('saves, finds, reads, replaces and deletes a note of the caller', async () => {
    const text = `${'Background on the turbine order book and service margins. '.repeat(40)}Conclusion: GE looks cheap.`;
    const saved = await ok(alice, 'upsert_document', {
      collection: 'research',
      id: 'ge-memo',
      title: 'GE turbine memo',
      text,
      symbols: ['ge'],
      tags: ['industrials'],
    });
    expect(saved).toMatchObject({ id: 'ge-memo', collection: 'research', created: true });
    expect(saved.chunks as number).toBeGreaterThan(1);

    const found = await ok<SearchResult>(alice, 'search_documents', {
      query: 'turbine order book service margins',
    });
    expect(found.results[0]).toMatchObject({
      id: 'ge-memo',
      owner: 'you',
      collection: 'research',
      symbols: ['GE'],
    });
    expect(found.results[0]!.snippet.length).toBeLessThanOrEqual(SNIPPET_CHARS + 2);

    const doc = await ok(alice, 'get_document', { id: 'ge-memo' });
    expect(doc).toMatchObject({
      id: 'ge-memo',
      owner: 'you',
      title: 'GE turbine memo',
      text,
      truncated: false,
      totalChars: text.length,
    });
    const cut = await ok(alice, 'get_document', { id: 'ge-memo', maxChars: 100 });
    expect(cut).toMatchObject({ truncated: true, totalChars: text.length });
    expect((cut.text as string).length).toBe(100);

    const replaced = await ok(alice, 'upsert_document', {
      collection: 'research',
      id: 'ge-memo',
      title: 'GE memo v2',
      text: 'Sold.',
    });
    expect(replaced).toMatchObject({ created: false, chunks: 1 });
    const created = await ok(alice, 'upsert_document', {
      collection: 'notes',
      title: 'Untitled',
      text: 'A quick note.',
    });
    expect(created.id).toMatch(/^[0-9a-f-]{36}$/);

    expect(await ok(alice, 'delete_document', { id: 'ge-memo' })).toEqual({
      id: 'ge-memo',
      collection: 'research',
      deleted: true,
    });
    expect((await fails(alice, 'get_document', { id: 'ge-memo' })).code).toBe('not_found');
  });

  it("keeps a user's notes from every other user", async () => {
    await ok(alice, 'upsert_document', {
      collection: 'notes',
      id: 'alice-secret',
      title: 'Private pelican thesis',
      text: 'Pelican Airlines will double: my private thesis.',
    });
    expect((await fails(bob, 'get_document', { id: 'alice-secret' })).code).toBe('not_found');
    expect((await fails(bob, 'delete_document', { id: 'alice-secret' })).code).toBe('not_found');
    const asBob = await ok<SearchResult>(bob, 'search_documents', {
      query: 'pelican private thesis',
      limit: 50,
    });
    expect(asBob.results.map((r) => r.id)).not.toContain('alice-secret');
    const asAlice = await ok<SearchResult>(alice, 'search_documents', { query: 'pelican private thesis' });
    expect(asAlice.results[0]).toMatchObject({ id: 'alice-secret', owner: 'you' });
    // Bob may use the same id for his own note without touching Alice's.
    await ok(bob, 'upsert_document', {
      collection: 'notes',
      id: 'alice-secret',
      title: 'Mine',
      text: 'Bob’s own.',
    });
    expect(await ok(alice, 'get_document', { id: 'alice-secret' })).toMatchObject({
      title: 'Private pelican thesis',
    });
    const counts = await ok<{ collections: Array<{ name: string; documents: number }> }>(
      bob,
      'list_collections',
      {},
    );
    expect(counts.collections.find((c) => c.name === 'notes')!.documents).toBe(1);
  });

  it('serves the public corpus read-only', async () => {
    const [newsId] = await library.publicIds('news');
    const doc = await ok(bob, 'get_document', { id: newsId });
    expect(doc).toMatchObject({
      owner: 'public',
      collection: 'news',
      source: 'StockPulse simulated newswire',
    });
    const refused = await fails(alice, 'delete_document', { id: newsId });
    expect(refused).toEqual({
      code: 'forbidden',
      message: `'${newsId}' belongs to the public news corpus, which is read-only`,
    });
    expect(await ok(bob, 'get_document', { id: newsId })).toMatchObject({ owner: 'public' });
  });

  it('lets a service read the public corpus only, and never write', async () => {
    const { collections } = await ok<{
      collections: Array<{ name: string; documents: number; writable: boolean }>;
    }>(service, 'list_collections', {});
    expect(collections.map((c) => [c.name, c.documents, c.writable])).toEqual([
      ['news', 81, false],
      ['research', 0, false],
      ['notes', 0, false],
    ]);
    expect(
      (await fails(service, 'upsert_document', { collection: 'notes', title: 't', text: 'x' })).code,
    ).toBe('forbidden');
  });

  it('rejects invalid input cleanly', async () => {
    const tooMany = await fails(alice, 'search_documents', { query: 'x', limit: 51 });
    expect(tooMany.message).toMatch(/^MCP error -32602: Input validation error: .*limit/s);
    const intoNews = await fails(alice, 'upsert_document', { collection: 'news', title: 't', text: 'x' });
    expect(intoNews.message).toMatch(/-32602.*collection/s);
    const huge = await fails(alice, 'upsert_document', {
      collection: 'notes',
      title: 't',
      text: 'é'.repeat(60_000),
    });
    expect(huge.message).toMatch(/-32602.*100 KB/s);
    expect((await fails(alice, 'get_document', { id: '../etc/passwd' })).message).toMatch(/-32602.*id/s);
    expect((await fails(alice, 'search_documents', { query: '   ' })).message).toMatch(/-32602/);
    const clash = await fails(alice, 'upsert_document', {
      collection: 'research',
      id: 'alice-secret',
      title: 't',
      text: 'x',
    });
    expect(clash.code).toBe('conflict');
  });
});

describe('qdrant MCP server over stdio', () => {
  it('starts from main.ts on an empty data dir, seeds the news and answers searches', {
    timeout: 120_000,
  }, async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'sp-qdrant-stdio-'));
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(process.env)) if (v !== undefined) env[k] = v;
    // The embedded defaults, whatever the developer's shell says.
    for (const k of ['VECTOR_DATABASE_URL', 'QDRANT_URL', 'OPENAI_API_KEY', 'EMBEDDINGS_URL']) delete env[k];
    Object.assign(env, { STOCKPULSE_DATA_DIR: dataDir, STOCKPULSE_DEMO: 'true', LOG_LEVEL: 'warn' });
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: ['--import', 'tsx', 'mcp-servers/qdrant/src/main.ts', '--stdio'],
      cwd: REPO_ROOT,
      env,
      stderr: 'pipe',
    });
    let stderr = '';
    transport.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const client = new Client({ name: 'stdio-test', version: '0.0.0' });
    try {
      // The server answers `initialize` only once its store is open and seeded: allow for a loaded machine.
      await client.connect(transport, { timeout: 110_000 }).catch((e: Error) => {
        throw new Error(`${e.message}\n--- server stderr ---\n${stderr}`);
      });
      const { tools } = await client.listTools();
      expect(tools.map((t) => t.name)).toContain('search_documents');
      const result = (await client.callTool({
        name: 'search_documents',
        arguments: { query: 'shares jump', collection: 'news', limit: 3 },
      })) as CallToolResult;
      expect(result.isError, stderr).toBeFalsy();
      const { results } = result.structuredContent as SearchResult;
      expect(results).toHaveLength(3);
      expect(results.every((r) => r.owner === 'public')).toBe(true);
    } finally {
      await client.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
