import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { openDatabase } from '@stockpulse/db';
import { TEST_DATABASE_URL } from '@stockpulse/db/testing';
import { addDays, DEMO_HOLDINGS, exchangeInstant, lastClosedTradingDay } from '@stockpulse/domain';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * The server as a desktop client starts it (`stockpulse mcp timescale --stdio`), on a real Postgres
 * database created for this run. The simulation starts 60 days back so the first start seeds fast.
 */
const repo = path.resolve(import.meta.dirname, '..', '..', '..');
const database = `sp_timescale_stdio_${process.pid}_${Date.now().toString(36)}`;
const databaseUrl = TEST_DATABASE_URL.replace(/\/[^/]*$/, `/${database}`);
const dataDir = mkdtempSync(path.join(tmpdir(), 'sp-timescale-stdio-'));

async function admin(sql: string): Promise<void> {
  const db = await openDatabase({ url: TEST_DATABASE_URL, schema: 'public' });
  try {
    await db.exec(sql);
  } finally {
    await db.close();
  }
}

beforeAll(() => admin(`CREATE DATABASE ${database}`));
afterAll(async () => {
  await admin(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  rmSync(dataDir, { recursive: true, force: true });
});

describe('stockpulse mcp timescale --stdio', () => {
  it('lists its tools and serves quotes, intraday bars and resources as the local user', async () => {
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(process.env)) if (v !== undefined) env[k] = v;
    Object.assign(env, {
      STOCKPULSE_DATA_DIR: dataDir,
      TIMESCALE_URL: databaseUrl,
      STOCKPULSE_SIM_START: addDays(lastClosedTradingDay(), -60),
      // After the last close, so the quote is that close whatever the hour (no live session).
      MARKET_TIME_START: exchangeInstant(lastClosedTradingDay(), 17 * 60).toISOString(),
      LOG_LEVEL: 'warn',
    });
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [path.join(repo, 'packages/cli/bin/stockpulse.js'), 'mcp', 'timescale', '--stdio'],
      cwd: repo,
      env,
      stderr: 'pipe',
    });
    let stderr = '';
    transport.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const client = new Client({ name: 'timescale-stdio-test', version: '0.0.0' });
    await client.connect(transport, { timeout: 120_000 });
    try {
      const { tools } = await client.listTools();
      expect(tools.map((t) => t.name)).toEqual(
        expect.arrayContaining(['get_latest_quotes', 'get_bars', 'get_market_status', 'ingest_bars']),
      );
      expect(tools).toHaveLength(9);

      const holding = DEMO_HOLDINGS[0]!.symbol;
      const quotes = (await client.callTool({
        name: 'get_latest_quotes',
        arguments: { symbols: [holding] },
      })) as CallToolResult;
      expect(quotes.isError, JSON.stringify(quotes.content)).toBeFalsy();
      const [quote] = (quotes.structuredContent as { quotes: Array<{ asOf: string }> }).quotes;
      expect(quote!.asOf).toBe(lastClosedTradingDay());

      // The demo holdings always get intraday bars: the last session in hourly bars.
      const hours = (await client.callTool({
        name: 'get_bars',
        arguments: { symbol: holding, interval: '1h', from: quote!.asOf, to: quote!.asOf },
      })) as CallToolResult;
      expect(hours.isError, JSON.stringify(hours.content)).toBeFalsy();
      const bars = (hours.structuredContent as { bars: Array<{ close: string }> }).bars;
      expect(bars).toHaveLength(7);

      const resource = await client.readResource({ uri: `market://quotes/${holding}` });
      expect(JSON.parse((resource.contents[0] as { text: string }).text)).toMatchObject({ symbol: holding });

      // The local user reads market data but may not write it.
      const ingest = (await client.callTool({
        name: 'ingest_bars',
        arguments: {
          interval: '1d',
          bars: [
            { symbol: holding, time: quote!.asOf, open: '1', high: '1', low: '1', close: '1', volume: 1 },
          ],
        },
      })) as CallToolResult;
      expect(ingest.isError).toBe(true);
      expect(JSON.stringify(ingest.content)).toContain('forbidden');
    } finally {
      await client.close();
    }
    expect(stderr).not.toMatch(/"level":(50|60)/);

    // Where the server offers TimescaleDB, the server enabled it and the bars live in hypertables.
    const db = await openDatabase({ url: databaseUrl, schema: 'market' });
    try {
      if (await db.hasExtension('timescaledb')) {
        const { rows } = await db.query<{ name: string }>(
          `SELECT hypertable_name AS name FROM timescaledb_information.hypertables
           WHERE hypertable_schema = 'market' ORDER BY 1`,
        );
        expect(rows.map((r) => r.name)).toEqual(['daily_bars', 'minute_bars']);
      }
    } finally {
      await db.close();
    }
  }, 150_000);
});
