import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const dataDir = mkdtempSync(join(tmpdir(), 'sp-redis-stdio-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

/** The real entry point, as a desktop client starts it: `main.ts --stdio`, in-process store. */
async function startStdio(extraEnv: Record<string, string> = {}) {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined) env[k] = v;
  Object.assign(env, {
    STOCKPULSE_DATA_DIR: dataDir,
    REDIS_URL: '',
    REDIS_MCP_READ_ONLY: '',
    LOG_LEVEL: 'warn',
    ...extraEnv,
  });
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: ['--import', 'tsx', 'mcp-servers/redis/src/main.ts', '--stdio'],
    cwd: ROOT,
    env,
    stderr: 'pipe',
  });
  let stderr = '';
  transport.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const client = new Client({ name: 'redis-stdio-test', version: '0.0.0' });
  await client.connect(transport);
  return { client, stderr: () => stderr };
}

describe('redis MCP server over stdio', () => {
  it('lists its tools and sets and gets a cache key as the local user', async () => {
    const { client, stderr } = await startStdio();
    try {
      const { tools } = await client.listTools();
      expect(tools.map((t) => t.name)).toContain('cache_set');
      expect(tools).toHaveLength(11);
      const set = (await client.callTool({
        name: 'cache_set',
        arguments: { key: 'desktop:note', value: 'hello from stdio', ttlSeconds: 30 },
      })) as CallToolResult;
      expect(set.isError, JSON.stringify(set.content)).toBeFalsy();
      expect(set.structuredContent).toMatchObject({ key: 'desktop:note', stored: true });
      const get = (await client.callTool({
        name: 'cache_get',
        arguments: { key: 'desktop:note' },
      })) as CallToolResult;
      expect(get.structuredContent).toMatchObject({ found: true, value: 'hello from stdio' });
    } finally {
      await client.close();
    }
    expect(stderr()).not.toMatch(/"level":(50|60)/);
  }, 30_000);

  it('registers only read tools when REDIS_MCP_READ_ONLY is set', async () => {
    const { client } = await startStdio({ REDIS_MCP_READ_ONLY: 'true' });
    try {
      const { tools } = await client.listTools();
      expect(tools.map((t) => t.name)).toEqual(['cache_get', 'stream_pending']);
    } finally {
      await client.close();
    }
  }, 30_000);

  it('reads REDIS_MCP_READ_ONLY in any case through the shared config', async () => {
    const { client } = await startStdio({ REDIS_MCP_READ_ONLY: ' Yes ' });
    try {
      const { tools } = await client.listTools();
      expect(tools.map((t) => t.name)).toEqual(['cache_get', 'stream_pending']);
      const { resourceTemplates } = await client.listResourceTemplates();
      expect(resourceTemplates.map((t) => t.uriTemplate)).toEqual(['quote://{symbol}']);
    } finally {
      await client.close();
    }
  }, 30_000);
});
