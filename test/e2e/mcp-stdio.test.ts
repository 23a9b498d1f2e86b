import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { openDatabase } from '@stockpulse/db';
import { TEST_DATABASE_URL } from '@stockpulse/db/testing';
import { DEMO_USER_ID } from '@stockpulse/domain';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * The MCP servers as a desktop client starts them: `stockpulse mcp <name> --stdio` (one line of
 * Claude Desktop config), here against a real Postgres database created for this run.
 */
const repo = path.resolve(import.meta.dirname, '..', '..');
const database = `sp_stdio_${process.pid}_${Date.now().toString(36)}`;
const databaseUrl = TEST_DATABASE_URL.replace(/\/[^/]*$/, `/${database}`);
let dataDir: string;

async function admin<T>(fn: (db: Awaited<ReturnType<typeof openDatabase>>) => Promise<T>): Promise<T> {
  const db = await openDatabase({ url: TEST_DATABASE_URL, schema: 'public' });
  try {
    return await fn(db);
  } finally {
    await db.close();
  }
}

async function connect(name: string): Promise<Client> {
  const client = new Client({ name: 'desktop-e2e', version: '1.0.0' });
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [path.join(repo, 'packages/cli/bin/stockpulse.js'), 'mcp', name, '--stdio'],
    cwd: repo,
    stderr: 'pipe',
    env: {
      ...(process.env as Record<string, string>),
      STOCKPULSE_DATA_DIR: dataDir,
      DATABASE_URL: databaseUrl,
      TIMESCALE_URL: databaseUrl,
      LOG_LEVEL: 'warn',
    },
  });
  await client.connect(transport, { timeout: 120_000 });
  return client;
}

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'sp-stdio-'));
  await admin((db) => db.exec(`CREATE DATABASE ${database}`));
});

afterAll(async () => {
  await admin((db) => db.exec(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`));
  rmSync(dataDir, { recursive: true, force: true });
});

describe('stockpulse mcp <name> --stdio', () => {
  it('auth: lists its tools and acts as the configured local user', async () => {
    const client = await connect('auth');
    try {
      const { tools } = await client.listTools();
      expect(tools.map((t) => t.name)).toEqual(
        expect.arrayContaining(['whoami', 'create_api_key', 'check_permission']),
      );
      const r = await client.callTool({ name: 'whoami', arguments: {} });
      expect(r.structuredContent).toMatchObject({ kind: 'user', userId: DEMO_USER_ID, via: 'stdio' });
    } finally {
      await client.close();
    }
  }, 150_000);

  it('postgres: lists its tools and reads the seeded demo portfolio', async () => {
    const client = await connect('postgres');
    try {
      const { tools } = await client.listTools();
      expect(tools.map((t) => t.name)).toEqual(expect.arrayContaining(['get_portfolio', 'list_positions']));
      const r = await client.callTool({ name: 'get_portfolio', arguments: {} });
      expect((r.structuredContent as { positions: unknown[] }).positions).toHaveLength(7);
      const bad = await client.callTool({ name: 'get_portfolio', arguments: { accountId: 'not-a-uuid' } });
      expect(bad.isError).toBe(true);
    } finally {
      await client.close();
    }
  }, 150_000);

  it('timescale: lists its tools and quotes symbols', async () => {
    const client = await connect('timescale');
    try {
      const { tools } = await client.listTools();
      expect(tools.map((t) => t.name)).toEqual(
        expect.arrayContaining(['get_latest_quotes', 'search_symbols']),
      );
      const r = await client.callTool({
        name: 'get_latest_quotes',
        arguments: { symbols: ['AAPL', 'NVDA'] },
      });
      expect(
        (r.structuredContent as { quotes: Array<{ symbol: string }> }).quotes.map((q) => q.symbol),
      ).toEqual(['AAPL', 'NVDA']);
      const unknown = await client.callTool({ name: 'get_latest_quotes', arguments: { symbols: ['ZZZZ'] } });
      expect(unknown.isError).toBe(true);
      expect(JSON.stringify(unknown.content)).toContain('unknown_symbol');
    } finally {
      await client.close();
    }
  }, 150_000);
});
