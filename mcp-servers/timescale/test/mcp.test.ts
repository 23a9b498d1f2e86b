import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { type CallToolResult, McpError } from '@modelcontextprotocol/sdk/types.js';
import { createLogger } from '@stockpulse/core';
import { type Database, migrate } from '@stockpulse/db';
import { loadUniverse, SimulatedFeed, simulateDailyBars } from '@stockpulse/domain';
import type { McpServerSpec } from '@stockpulse/protocols/mcp';
import {
  connectMcpClient,
  serveMcpSpec,
  startTestIssuer,
  type TestIssuer,
} from '@stockpulse/protocols/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { marketServerSpec } from '../src/server.js';
import { MarketStore } from '../src/store/market.js';
import { MARKET_MIGRATIONS } from '../src/store/migrations.js';
import { seedIntraday } from '../src/store/seed.js';
import { marketBackends } from './backends.js';

const silent = createLogger('mcp-timescale-test', 'silent');
const ALICE = '11111111-1111-4111-8111-111111111111';
const ADMIN = '33333333-3333-4333-8333-333333333333';
const ALL_TOOLS = [
  'get_latest_quotes',
  'get_bars',
  'get_daily_bars',
  'search_symbols',
  'list_sectors',
  'get_trading_calendar',
  'get_market_status',
  'ingest_bars',
  'import_csv_bars',
];
const companies = loadUniverse().filter((c) => ['AAPL', 'MSFT', 'NVDA', 'AMD', 'JPM'].includes(c.symbol));
const daily = simulateDailyBars({ seed: 2024, start: '2024-01-02', end: '2024-03-28', companies });
// The simulated exchange's clock, moved by the tests: Good Friday 2024 (closed), after the last stored bar.
const CLOSED = new Date('2024-03-29T12:00:00Z');
let marketNow = CLOSED;
const feed = new SimulatedFeed({ seed: 2024, start: '2024-01-02', clock: { now: () => marketNow } });

// --- a JWKS-only auth server and tokens ------------------------------------------------------------
let issuer: TestIssuer;
const tokens = { alice: '', admin: '', service: '' };

beforeAll(async () => {
  issuer = await startTestIssuer();
  const sign = issuer.sign;
  tokens.alice = await sign(ALICE, 'read trade');
  tokens.admin = await sign(ADMIN, 'read admin');
  tokens.service = await sign('service:market-feed', 'service');
});

afterAll(async () => {
  await issuer?.close();
});

/** Serve a spec the way runMcpService does, on a free port. */
async function serve(spec: McpServerSpec) {
  return serveMcpSpec(spec, issuer);
}

async function connect(url: string, token: string) {
  return connectMcpClient(url, token);
}

function errorBody(result: CallToolResult) {
  expect(result.isError).toBe(true);
  const first = result.content[0];
  return JSON.parse(first?.type === 'text' ? first.text : '') as {
    error: { code: string; message: string; details?: Record<string, unknown> };
  };
}

function errorText(result: CallToolResult): string {
  expect(result.isError).toBe(true);
  const first = result.content[0];
  return first?.type === 'text' ? first.text : '';
}

const backends = await marketBackends('market_mcp');

describe.each(backends)('timescale MCP server over Streamable HTTP (%s)', (_kind, backend) => {
  let db: Database;
  let spec: McpServerSpec;
  let server: Awaited<ReturnType<typeof serve>>;
  let alice: Client;
  let admin: Client;
  let service: Client;
  const called = new Set<string>();

  beforeAll(async () => {
    db = await backend.open();
    await migrate(db, MARKET_MIGRATIONS);
    const store = await MarketStore.open(db);
    await store.upsertSymbols(loadUniverse());
    await store.insertBars([...daily.values()].flat());
    const intraday = { seed: 2024, sessions: 2, symbols: 2, include: ['NVDA'], retentionDays: 30 };
    await seedIntraday(store, intraday, silent, new Date('2024-03-29T12:00:00Z'));
    spec = marketServerSpec(store, feed);
    server = await serve(spec);
    [alice, admin, service] = await Promise.all([
      connect(server.url, tokens.alice),
      connect(server.url, tokens.admin),
      connect(server.url, tokens.service),
    ]);
  });
  afterAll(async () => {
    await Promise.all([alice?.close(), admin?.close(), service?.close()]);
    await server?.close();
    await db?.close();
    await backend.cleanup();
  });

  /** Call a tool and check its structuredContent against the schema the tool declares. */
  async function call(client: Client, name: string, args: Record<string, unknown>) {
    const result = (await client.callTool({ name, arguments: args })) as CallToolResult;
    expect(result.isError, JSON.stringify(result.content)).toBeFalsy();
    called.add(name);
    const tool = spec.tools.find((t) => t.name === name)!;
    return tool.outputSchema.parse(result.structuredContent) as Record<string, unknown>;
  }

  async function countMinutes(): Promise<number> {
    const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM minute_bars');
    return rows[0]!.n;
  }

  it('lists every tool with honest annotations and both schemas', async () => {
    const { tools } = await alice.listTools();
    expect(tools.map((t) => t.name)).toEqual(ALL_TOOLS);
    for (const t of tools) {
      expect(t.outputSchema?.type).toBe('object');
      expect(t.annotations?.openWorldHint).toBe(false);
      expect(t.annotations?.idempotentHint).toBe(true);
    }
    const writers = tools.filter((t) => !t.annotations?.readOnlyHint).map((t) => t.name);
    expect(writers).toEqual(['ingest_bars', 'import_csv_bars']);
    expect(tools.find((t) => t.name === 'ingest_bars')!.annotations?.destructiveHint).toBe(true);
    const getBars = tools.find((t) => t.name === 'get_bars')!;
    expect(getBars.inputSchema.required).toEqual(['symbol']);
    expect(getBars.inputSchema.properties?.interval).toMatchObject({
      enum: ['1m', '5m', '15m', '1h', '1d'],
    });
  });

  it('imports a Yahoo CSV for a symbol, refuses what is not that CSV, and needs the service scope', async () => {
    const yahoo = [
      'Date,Open,High,Low,Close,Adj Close,Volume',
      '2024-04-01,171.19,171.25,169.48,170.03,169.5,46240500',
      '2024-04-02,null,null,null,null,null,null',
      '2024-04-03,168.79,170.68,168.58,169.65,169.1,47691700',
    ].join('\n');
    const imported = await call(service, 'import_csv_bars', { csv: yahoo, symbol: 'MSFT' });
    expect(imported).toMatchObject({
      layout: 'yahoo',
      rows: 3,
      skippedNullRows: 1,
      inserted: 2,
      firstDate: '2024-04-01',
      lastDate: '2024-04-03',
    });
    const bars = await call(alice, 'get_daily_bars', {
      symbol: 'MSFT',
      from: '2024-04-01',
      to: '2024-04-05',
    });
    expect((bars.bars as Array<{ date: string; close: string }>).map((b) => [b.date, b.close])).toEqual([
      ['2024-04-01', '170.03'],
      ['2024-04-03', '169.65'],
    ]);
    expect((await call(service, 'import_csv_bars', { csv: yahoo, symbol: 'MSFT' })).inserted).toBe(0);

    const html = (await service.callTool({
      name: 'import_csv_bars',
      arguments: { csv: '<!DOCTYPE html><html><body>Too many requests</body></html>', symbol: 'MSFT' },
    })) as CallToolResult;
    expect(errorBody(html).error).toMatchObject({
      code: 'bad_request',
      message: expect.stringContaining('HTML'),
    });
    const broken = (await service.callTool({
      name: 'import_csv_bars',
      arguments: { csv: `${yahoo}\n2024-04-04,10,9,8,9.5,9.5,100`, symbol: 'MSFT' },
    })) as CallToolResult;
    expect(errorBody(broken).error.message).toMatch(/line 5/);
    const denied = (await alice.callTool({
      name: 'import_csv_bars',
      arguments: { csv: yahoo, symbol: 'MSFT' },
    })) as CallToolResult;
    expect(errorBody(denied).error.code).toBe('forbidden');
  });

  it('quotes the live price while a newer session trades, the stored close otherwise', async () => {
    marketNow = new Date('2024-04-01T15:00:00Z'); // Monday 11:00 New York
    try {
      const { quotes } = (await call(alice, 'get_latest_quotes', { symbols: ['NVDA'] })) as {
        quotes: Array<Record<string, unknown>>;
      };
      const live = feed.quote('NVDA', marketNow);
      expect(quotes[0]).toMatchObject({
        symbol: 'NVDA',
        price: live.price,
        previousClose: daily.get('NVDA')!.at(-1)!.close,
        asOf: '2024-04-01',
        live: true,
        at: marketNow.toISOString(),
      });
    } finally {
      marketNow = CLOSED;
    }
    const { quotes } = (await call(alice, 'get_latest_quotes', { symbols: ['NVDA'] })) as {
      quotes: Array<Record<string, unknown>>;
    };
    expect(quotes[0]).toMatchObject({
      price: daily.get('NVDA')!.at(-1)!.close,
      asOf: '2024-03-28',
      live: false,
    });
  });

  it('calls every tool with valid input and returns what each declares', async () => {
    const quotes = await call(alice, 'get_latest_quotes', { symbols: ['nvda', 'AAPL'] });
    expect((quotes.quotes as Array<{ symbol: string; asOf: string }>).map((q) => [q.symbol, q.asOf])).toEqual(
      [
        ['NVDA', '2024-03-28'],
        ['AAPL', '2024-03-28'],
      ],
    );

    const fives = await call(alice, 'get_bars', {
      symbol: 'NVDA',
      interval: '5m',
      from: '2024-03-28',
      to: '2024-03-28',
    });
    expect(fives).toMatchObject({ symbol: 'NVDA', interval: '5m', truncated: false });
    const nvda = daily.get('NVDA')!.at(-1)!;
    const bars = fives.bars as Array<{ time: string; open: string; close: string; volume: number }>;
    expect(bars).toHaveLength(78);
    expect(bars[0]).toMatchObject({ time: '2024-03-28T13:30:00.000Z', open: nvda.open });
    expect(bars.at(-1)!.close).toBe(nvda.close);
    expect(bars.reduce((v, b) => v + b.volume, 0)).toBe(nvda.volume);
    const days = await call(alice, 'get_bars', { symbol: 'NVDA', limit: 3 });
    expect(days).toMatchObject({ interval: '1d', truncated: true });

    const dailyBars = await call(alice, 'get_daily_bars', {
      symbol: 'MSFT',
      from: '2024-01-02',
      to: '2024-01-03',
    });
    expect((dailyBars.bars as Array<{ date: string }>).map((b) => b.date)).toEqual([
      '2024-01-02',
      '2024-01-03',
    ]);

    const search = await call(alice, 'search_symbols', { query: 'semiconductors', limit: 50 });
    expect((search.results as Array<{ symbol: string }>).map((r) => r.symbol)).toContain('NVDA');

    const sectors = await call(alice, 'list_sectors', {});
    expect(sectors.sectors).toHaveLength(11);
    const energy = await call(alice, 'list_sectors', { sector: 'Energy' });
    const [only] = energy.sectors as Array<{ subIndustries: Array<{ symbols?: string[] }> }>;
    expect(only!.subIndustries.flatMap((s) => s.symbols ?? [])).toContain('XOM');

    const calendar = await call(alice, 'get_trading_calendar', { from: '2024-03-27', to: '2024-04-02' });
    expect(calendar.tradingDays).toEqual(['2024-03-27', '2024-03-28', '2024-04-01', '2024-04-02']);

    const status = await call(alice, 'get_market_status', { at: '2024-03-29T15:00:00Z' });
    expect(status).toMatchObject({
      isOpen: false,
      closedReason: 'Good Friday',
      nextOpen: '2024-04-01T09:30:00-04:00',
      year: 2024,
    });
    expect(status.holidays).toHaveLength(10);
    const now = await call(alice, 'get_market_status', { year: 2026 });
    expect(typeof now.isOpen).toBe('boolean');

    // 2024-03-26 is before the seeded intraday sessions.
    const minutes = [0, 1, 2].map((i) => ({
      symbol: 'AMD',
      time: `2024-03-26T13:3${i}:00Z`,
      open: '180.00',
      high: '180.50',
      low: '179.75',
      close: '180.25',
      volume: 100 + i,
    }));
    const ingested = await call(service, 'ingest_bars', { interval: '1m', bars: minutes });
    expect(ingested).toMatchObject({ received: 3, inserted: 3, skipped: 0, symbols: 1 });
    expect(await call(service, 'ingest_bars', { interval: '1m', bars: minutes })).toMatchObject({
      inserted: 0,
      skipped: 3,
    });
    const amd = await call(alice, 'get_bars', {
      symbol: 'AMD',
      interval: '15m',
      from: '2024-03-26',
      to: '2024-03-26',
    });
    expect(amd.bars).toEqual([
      {
        time: '2024-03-26T13:30:00.000Z',
        date: '2024-03-26',
        open: '180.00',
        high: '180.50',
        low: '179.75',
        close: '180.25',
        volume: 303,
      },
    ]);

    expect([...called].sort()).toEqual([...ALL_TOOLS].sort());
  });

  it('rejects invalid input cleanly, naming the field', async () => {
    const bar = {
      symbol: 'AAPL',
      time: '2024-03-28',
      open: '1',
      high: '1',
      low: '1',
      close: '1',
      volume: 1,
    };
    const cases: Array<[string, Record<string, unknown>, RegExp]> = [
      ['get_latest_quotes', { symbols: [] }, /symbols/],
      ['get_latest_quotes', { symbols: ['AAPL; DROP TABLE'] }, /symbols/],
      ['get_bars', { symbol: 'NVDA', interval: '2m' }, /interval/],
      ['get_bars', { symbol: 'NVDA', from: 'yesterday' }, /from/],
      ['get_daily_bars', { symbol: 'NVDA', from: '2024-02-30' }, /from/],
      ['get_bars', { symbol: 'NVDA', limit: 1001 }, /limit/],
      ['get_market_status', { at: 'now' }, /at/],
      ['get_market_status', { year: 1900 }, /year/],
      ['list_sectors', { sector: '' }, /sector/],
      ['ingest_bars', { interval: '1h', bars: [bar] }, /interval/],
      ['ingest_bars', { interval: '1d', bars: [] }, /bars/],
      ['ingest_bars', { interval: '1d', bars: [{ ...bar, open: -1 }] }, /open/],
      ['ingest_bars', { interval: '1d', bars: [{ ...bar, high: '-5.00' }] }, /high/],
    ];
    for (const [name, args, field] of cases) {
      const result = (await service.callTool({ name, arguments: args })) as CallToolResult;
      const text = errorText(result);
      expect(text, name).toMatch(/^MCP error -32602: Input validation error/);
      expect(text, `${name} ${JSON.stringify(args)}`).toMatch(field);
    }
  });

  it('answers domain failures as AppError codes, writing nothing', async () => {
    const unknown = (await alice.callTool({
      name: 'get_bars',
      arguments: { symbol: 'ZZZZ' },
    })) as CallToolResult;
    expect(errorBody(unknown).error).toEqual({ code: 'unknown_symbol', message: 'Unknown symbol: ZZZZ' });
    const noIntraday = (await alice.callTool({
      name: 'get_bars',
      arguments: { symbol: 'XOM', interval: '1h' },
    })) as CallToolResult;
    expect(errorBody(noIntraday).error.code).toBe('not_found');

    const before = await countMinutes();
    const ok = {
      symbol: 'JPM',
      time: '2024-03-26T14:00:00Z',
      open: '190',
      high: '191',
      low: '189',
      close: '190.5',
      volume: 1,
    };
    const bad = (await service.callTool({
      name: 'ingest_bars',
      arguments: { interval: '1m', bars: [ok, { ...ok, time: '2024-03-26T14:01:00Z', high: '189.5' }] },
    })) as CallToolResult;
    expect(errorBody(bad).error).toMatchObject({
      code: 'bad_request',
      message: expect.stringContaining('bars[1] (JPM 2024-03-26T14:01:00Z): high 189.5 is below'),
      details: { invalid: 1 },
    });
    const foreign = (await service.callTool({
      name: 'ingest_bars',
      arguments: { interval: '1m', bars: [ok, { ...ok, symbol: 'QQQQ' }] },
    })) as CallToolResult;
    expect(errorBody(foreign).error).toMatchObject({
      code: 'unknown_symbol',
      details: { symbols: ['QQQQ'] },
    });
    expect(await countMinutes()).toBe(before);
  });

  it('lets only a service or an admin write market data', async () => {
    const before = await countMinutes();
    const bar = {
      symbol: 'MSFT',
      time: '2024-03-26T15:00:00Z',
      open: '420',
      high: '421',
      low: '419',
      close: '420',
      volume: 7,
    };
    const refused = (await alice.callTool({
      name: 'ingest_bars',
      arguments: { interval: '1m', bars: [bar] },
    })) as CallToolResult;
    expect(errorBody(refused).error).toEqual({
      code: 'forbidden',
      message: "Tool 'ingest_bars' needs the 'service' scope",
    });
    expect(await countMinutes()).toBe(before);
    expect(await call(admin, 'ingest_bars', { interval: '1m', bars: [bar] })).toMatchObject({
      inserted: 1,
    });
    expect(await countMinutes()).toBe(before + 1);
  });

  it('serves the universe and latest quotes as resources', async () => {
    const { resources } = await alice.listResources();
    expect(resources.map((r) => r.uri)).toEqual(['market://universe']);
    const { resourceTemplates } = await alice.listResourceTemplates();
    expect(resourceTemplates.map((t) => t.uriTemplate)).toEqual(['market://quotes/{symbol}']);

    const universe = await alice.readResource({ uri: 'market://universe' });
    const body = JSON.parse((universe.contents[0] as { text: string }).text);
    expect(body.count).toBe(loadUniverse().length);
    expect(body.symbols[0]).toEqual({
      symbol: 'A',
      name: expect.any(String),
      sector: expect.any(String),
      subIndustry: expect.any(String),
    });

    const quote = await alice.readResource({ uri: 'market://quotes/NVDA' });
    expect(quote.contents[0]).toMatchObject({ uri: 'market://quotes/NVDA', mimeType: 'application/json' });
    const fromTool = await call(alice, 'get_latest_quotes', { symbols: ['NVDA'] });
    expect(JSON.parse((quote.contents[0] as { text: string }).text)).toEqual(
      (fromTool.quotes as unknown[])[0],
    );

    const missing = await alice.readResource({ uri: 'market://quotes/ZZZZ' }).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(McpError);
    expect(missing).toMatchObject({ data: { code: 'unknown_symbol' } });

    const completion = await alice.complete({
      ref: { type: 'ref/resource', uri: 'market://quotes/{symbol}' },
      argument: { name: 'symbol', value: 'nv' },
    });
    expect(completion.completion.values).toContain('NVDA');
  });
});
