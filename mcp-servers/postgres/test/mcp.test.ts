import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { type Database, migrate } from '@stockpulse/db';
import { testBackends } from '@stockpulse/db/testing';
import { DEMO_USER_ID } from '@stockpulse/domain';
import type { McpServerSpec } from '@stockpulse/protocols/mcp';
import {
  connectMcpClient,
  serveMcpSpec,
  startTestIssuer,
  type TestIssuer,
} from '@stockpulse/protocols/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ledgerServerSpec } from '../src/server.js';
import { ledgerStores } from '../src/store/index.js';
import { Ledger } from '../src/store/ledger.js';
import { LEDGER_MIGRATIONS } from '../src/store/migrations.js';
import { Orders } from '../src/store/orders.js';
import { DEMO_ACCOUNT_ID, seedDemoPortfolio } from '../src/store/seed.js';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const ALICE = DEMO_USER_ID;
const BOB = '22222222-2222-4222-8222-222222222222';
const BOB_ACCOUNT = randomUUID();
const BOB_ORDER = randomUUID();
const ALICE_ORDER = randomUUID();

const ALL_TOOLS = [
  'list_accounts',
  'get_portfolio',
  'list_positions',
  'list_cash_transactions',
  'get_cash_balance',
  'list_orders',
  'get_order',
  'list_trades',
  'list_watchlists',
  'create_watchlist',
  'add_to_watchlist',
  'remove_from_watchlist',
  'delete_watchlist',
  'list_alerts',
  'create_alert',
  'delete_alert',
  'save_backtest',
  'list_backtests',
  'get_backtest',
  'save_agent_task',
  'get_agent_task',
  'list_agent_tasks',
  'save_push_config',
  'list_push_configs',
  'delete_push_config',
  'save_checkpoint',
  'get_checkpoint',
  'query',
  'explain_query',
  'describe_schema',
];
const WRITE_TOOLS = [
  'create_watchlist',
  'add_to_watchlist',
  'remove_from_watchlist',
  'delete_watchlist',
  'create_alert',
  'delete_alert',
  'save_backtest',
  'save_agent_task',
  'save_push_config',
  'delete_push_config',
  'save_checkpoint',
];
const DESTRUCTIVE_TOOLS = [
  'remove_from_watchlist',
  'delete_watchlist',
  'delete_alert',
  'save_agent_task',
  'save_push_config',
  'delete_push_config',
  'save_checkpoint',
];

const [, embedded] = testBackends('ledger_mcp')[0]!;
let db: Database;
let spec: McpServerSpec;
let issuer: TestIssuer;
let mcpServer: { url: string; close(): Promise<void> };
const tokens = { alice: '', bob: '', service: '' };
let alice: Client;
let bob: Client;
const bobIds = { watchlist: '', alert: '', backtest: '' };

async function seed() {
  await seedDemoPortfolio(db, { seed: 2024, start: '2024-01-02' });
  const at = new Date('2024-03-01T15:30:00Z');
  await db.transaction(async (tx) => {
    await Orders.recordOrder(tx, {
      id: ALICE_ORDER,
      accountId: DEMO_ACCOUNT_ID,
      clientOrderId: 'alice-1',
      symbol: 'AAPL',
      side: 'buy',
      type: 'limit',
      quantity: '5',
      limitPrice: '190.00',
      status: 'filled',
      filledQuantity: '5',
      at,
    });
    await Ledger.recordExecution(tx, {
      id: randomUUID(),
      accountId: DEMO_ACCOUNT_ID,
      orderId: ALICE_ORDER,
      symbol: 'AAPL',
      side: 'buy',
      quantity: '5',
      price: '189.50',
      commission: '1.00',
      at,
    });
    await tx.query('INSERT INTO accounts (id, user_id, name) VALUES ($1, $2, $3)', [BOB_ACCOUNT, BOB, 'Bob']);
    await tx.query(`INSERT INTO cash_ledger (account_id, kind, amount) VALUES ($1, 'deposit', '5000')`, [
      BOB_ACCOUNT,
    ]);
    await Orders.recordOrder(tx, {
      id: BOB_ORDER,
      accountId: BOB_ACCOUNT,
      clientOrderId: 'bob-1',
      symbol: 'TSLA',
      side: 'buy',
      type: 'market',
      quantity: '1',
      status: 'accepted',
      at,
    });
  });
  const stores = ledgerStores(db);
  bobIds.watchlist = (await stores.watchlists.create(BOB, 'Bob list', ['TSLA'])).id;
  bobIds.alert = (
    await stores.alerts.create(BOB, { symbol: 'TSLA', kind: 'price_below', threshold: '150' })
  ).id;
  bobIds.backtest = (
    await stores.backtests.save(BOB, {
      inputHash: 'cd'.repeat(32),
      strategy: { name: 'ma_crossover', params: {} },
      symbols: ['TSLA'],
      summary: {},
      result: {},
    })
  ).id;
  await stores.agentState.saveTask(BOB, {
    id: 'bob-task',
    contextId: 'bob-ctx',
    status: { state: 'working' },
  });
  await stores.agentState.saveCheckpoint(BOB, {
    threadId: 'bob-thread',
    checkpointId: 'cp1',
    checkpoint: { a: 1 },
  });
}

beforeAll(async () => {
  db = await embedded.open();
  await migrate(db, LEDGER_MIGRATIONS);
  await seed();
  spec = ledgerServerSpec(ledgerStores(db));

  issuer = await startTestIssuer();
  const sign = issuer.sign;
  tokens.alice = await sign(ALICE, 'read');
  tokens.bob = await sign(BOB, 'read');
  tokens.service = await sign('service:portfolio-manager', 'read service');

  mcpServer = await serveMcpSpec(spec, issuer);
  alice = await connect(tokens.alice);
  bob = await connect(tokens.bob);
});

afterAll(async () => {
  await Promise.all([alice?.close(), bob?.close()]);
  await mcpServer?.close();
  await issuer?.close();
  await db?.close();
  await embedded.cleanup();
});

async function connect(token: string): Promise<Client> {
  return connectMcpClient(mcpServer.url, token);
}

const called = new Set<string>();

/** A successful call's structuredContent, checked against the output schema the tool declares. */
async function call(client: Client, name: string, args: Record<string, unknown> = {}) {
  const result = (await client.callTool({ name, arguments: args })) as CallToolResult;
  expect(result.isError, `${name}: ${JSON.stringify(result.content)}`).toBeFalsy();
  called.add(name);
  const tool = spec.tools.find((t) => t.name === name)!;
  // biome-ignore lint/suspicious/noExplicitAny: test reads arbitrary fields of a validated result
  return tool.outputSchema.parse(result.structuredContent) as any;
}

/** The `{ error: { code, message } }` of a failed call. */
async function failure(client: Client, name: string, args: Record<string, unknown>) {
  const result = (await client.callTool({ name, arguments: args })) as CallToolResult;
  expect(result.isError, `${name} should fail`).toBe(true);
  const first = result.content[0];
  const text = first?.type === 'text' ? first.text : '';
  return text.startsWith('{')
    ? (JSON.parse(text) as { error: { code: string; message: string } }).error
    : { code: 'sdk', message: text };
}

describe('postgres MCP server over Streamable HTTP', () => {
  it('lists every tool with both schemas and honest annotations', async () => {
    const { tools } = await alice.listTools();
    expect(tools.map((t) => t.name)).toEqual(ALL_TOOLS);
    for (const t of tools) {
      expect(t.outputSchema?.type, t.name).toBe('object');
      expect(t.title, t.name).toBeTruthy();
      expect(t.annotations?.openWorldHint, t.name).toBe(false);
    }
    const writes = tools.filter((t) => !t.annotations?.readOnlyHint).map((t) => t.name);
    expect(writes).toEqual(WRITE_TOOLS);
    expect(tools.filter((t) => t.annotations?.destructiveHint).map((t) => t.name)).toEqual(DESTRUCTIVE_TOOLS);
    expect(tools.filter((t) => !t.annotations?.idempotentHint).map((t) => t.name)).toEqual(['create_alert']);
    const createAlert = tools.find((t) => t.name === 'create_alert')!;
    expect(createAlert.inputSchema.required).toEqual(expect.arrayContaining(['symbol', 'kind', 'threshold']));
  });

  it('calls every tool with valid input and returns what each declares', async () => {
    const { accounts } = await call(alice, 'list_accounts');
    expect(accounts.map((a: { id: string }) => a.id)).toEqual([DEMO_ACCOUNT_ID]);
    const portfolio = await call(alice, 'get_portfolio');
    expect(portfolio.account.id).toBe(DEMO_ACCOUNT_ID);
    expect(portfolio.positions.length).toBeGreaterThan(0);
    expect((await call(alice, 'list_positions', { accountId: DEMO_ACCOUNT_ID })).positions).toEqual(
      portfolio.positions,
    );
    const cashRows = await call(alice, 'list_cash_transactions', { limit: 2 });
    expect(cashRows.items).toHaveLength(2);
    const cash = await call(alice, 'get_cash_balance');
    expect(cash).toMatchObject({
      balance: portfolio.account.cash,
      currency: 'USD',
      check: { consistent: true },
    });

    const orders = await call(alice, 'list_orders', { status: ['filled'] });
    expect(orders.items.map((o: { id: string }) => o.id)).toEqual([ALICE_ORDER]);
    const order = await call(alice, 'get_order', { orderId: ALICE_ORDER });
    expect(order).toMatchObject({
      order: { limitPrice: '190', status: 'filled' },
      averageFillPrice: '189.5',
    });
    const trades = await call(alice, 'list_trades', { from: '2024-03-01T00:00:00Z', symbol: 'AAPL' });
    expect(trades.items).toHaveLength(1);
    expect(trades.items[0]).toMatchObject({ netCashFlow: '-948.50', orderId: ALICE_ORDER });

    const created = await call(alice, 'create_watchlist', { name: 'Chips', symbols: ['NVDA', 'AMD'] });
    expect(created.symbols).toEqual(['AMD', 'NVDA']);
    expect(
      (await call(alice, 'add_to_watchlist', { watchlistId: created.id, symbols: ['INTC'] })).added,
    ).toEqual(['INTC']);
    expect(
      (await call(alice, 'remove_from_watchlist', { watchlistId: created.id, symbols: ['AMD'] })).watchlist
        .symbols,
    ).toEqual(['INTC', 'NVDA']);
    expect((await call(alice, 'list_watchlists')).watchlists.map((w: { name: string }) => w.name)).toEqual([
      'Chips',
    ]);
    expect(await call(alice, 'delete_watchlist', { watchlistId: created.id })).toEqual({
      id: created.id,
      deleted: true,
    });

    const alert = await call(alice, 'create_alert', {
      symbol: 'AAPL',
      kind: 'change_pct',
      threshold: '-5.5',
    });
    expect(alert).toMatchObject({ kind: 'change_pct', threshold: '-5.5', status: 'active' });
    expect((await call(alice, 'list_alerts', { status: 'active' })).items).toHaveLength(1);
    expect(await call(alice, 'delete_alert', { alertId: alert.id })).toEqual({ id: alert.id, deleted: true });

    const backtest = {
      inputHash: 'ab'.repeat(32),
      strategy: { name: 'ma_crossover', params: { fast: 50, slow: 200 } },
      symbols: ['AAPL'],
      summary: { totalReturn: 0.12 },
      result: { equityCurve: [{ date: '2024-01-02', equity: '100000.00' }] },
    };
    const saved = await call(alice, 'save_backtest', backtest);
    expect(saved).toMatchObject({ created: true, symbols: ['AAPL'], summary: { totalReturn: 0.12 } });
    expect((await call(alice, 'save_backtest', backtest)).id).toBe(saved.id); // idempotent on the input hash
    expect((await call(alice, 'list_backtests', {})).items.map((b: { id: string }) => b.id)).toEqual([
      saved.id,
    ]);
    expect((await call(alice, 'get_backtest', { backtestId: saved.id })).result).toEqual(backtest.result);

    const task = {
      id: 'task-9',
      contextId: 'ctx-9',
      kind: 'task',
      status: { state: 'TASK_STATE_SUBMITTED' },
    };
    expect(await call(alice, 'save_agent_task', { task })).toMatchObject({ taskId: 'task-9', created: true });
    expect((await call(alice, 'get_agent_task', { taskId: 'task-9' })).task).toEqual(task);
    expect(await call(alice, 'list_agent_tasks', { contextId: 'ctx-9' })).toMatchObject({
      items: [{ taskId: 'task-9' }],
      total: 1,
    });
    const webhook = { url: 'https://example.com/hook', token: 't-1' };
    expect(
      await call(alice, 'save_push_config', { taskId: 'task-9', configId: 'cfg-1', config: webhook }),
    ).toMatchObject({ taskId: 'task-9', configId: 'cfg-1', config: webhook, wireVersion: '1.0' });
    expect((await call(alice, 'list_push_configs', { taskId: 'task-9' })).items).toHaveLength(1);
    expect(await call(alice, 'delete_push_config', { taskId: 'task-9', configId: 'cfg-1' })).toEqual({
      deleted: 1,
    });
    expect(
      await call(alice, 'save_checkpoint', { threadId: 'th-1', checkpointId: 'cp-1', checkpoint: { v: 1 } }),
    ).toMatchObject({ threadId: 'th-1', pruned: 0 });
    expect((await call(alice, 'get_checkpoint', { threadId: 'th-1' })).checkpoint).toEqual({ v: 1 });

    const rows = await call(alice, 'query', {
      sql: 'SELECT symbol, quantity FROM positions ORDER BY symbol LIMIT 3',
    });
    expect(rows).toMatchObject({ columns: ['symbol', 'quantity'], rowCount: 3, truncated: null });
    const plan = await call(alice, 'explain_query', { sql: 'SELECT * FROM executions' });
    expect(plan.plan).toHaveProperty('Plan');
    const schema = await call(alice, 'describe_schema');
    expect(schema.tables.map((t: { name: string }) => t.name)).toContain('cash_ledger');

    expect([...called].sort()).toEqual([...ALL_TOOLS].sort());
  });

  it('rejects invalid input cleanly, naming the field', async () => {
    const cases: Array<[string, Record<string, unknown>, RegExp]> = [
      ['list_orders', { status: ['open'] }, /status/],
      ['get_order', { orderId: 'not-a-uuid' }, /orderId/],
      ['list_trades', { limit: 500 }, /limit/],
      ['get_cash_balance', { asOf: 'yesterday' }, /asOf/],
      ['create_watchlist', { name: 'x', symbols: ['aapl'] }, /symbols/],
      ['add_to_watchlist', { watchlistId: randomUUID(), symbols: [] }, /symbols/],
      ['create_alert', { symbol: 'AAPL', kind: 'price_around', threshold: '1' }, /kind/],
      ['create_alert', { symbol: 'AAPL', kind: 'price_above', threshold: '1e3' }, /threshold/],
      ['save_agent_task', { task: { contextId: 'c' } }, /id/],
      ['save_checkpoint', { threadId: 'has space', checkpointId: 'c', checkpoint: {} }, /threadId/],
      ['query', { sql: '' }, /sql/],
    ];
    for (const [name, args, field] of cases) {
      const err = await failure(alice, name, args);
      expect(err.message, name).toMatch(/^MCP error -32602: Input validation error/);
      expect(err.message, name).toMatch(field);
    }
  });

  it('answers domain failures with machine codes', async () => {
    expect(await failure(alice, 'query', { sql: 'DELETE FROM accounts' })).toMatchObject({
      code: 'forbidden',
    });
    expect(await failure(alice, 'query', { sql: 'SELECT nope FROM accounts' })).toMatchObject({
      code: 'bad_request',
      message: expect.stringContaining('column "nope" does not exist'),
    });
    expect(
      await failure(alice, 'create_alert', { symbol: 'AAPL', kind: 'price_below', threshold: '0' }),
    ).toMatchObject({ code: 'bad_request' });
    expect(await failure(alice, 'list_orders', { cursor: 'nope' })).toMatchObject({ code: 'bad_request' });
    await call(alice, 'create_watchlist', { name: 'Twice' });
    expect(await failure(alice, 'create_watchlist', { name: 'Twice' })).toMatchObject({ code: 'conflict' });
  });

  it("answers not_found for another user's ids and changes nothing of theirs", async () => {
    const bobBefore = {
      watchlists: await call(bob, 'list_watchlists'),
      alerts: await call(bob, 'list_alerts'),
      task: await call(bob, 'get_agent_task', { taskId: 'bob-task' }),
      checkpoint: await call(bob, 'get_checkpoint', { threadId: 'bob-thread' }),
      orders: await call(bob, 'list_orders'),
      cash: await call(bob, 'get_cash_balance'),
    };
    const foreign: Array<[string, Record<string, unknown>]> = [
      ['get_portfolio', { accountId: BOB_ACCOUNT }],
      ['list_positions', { accountId: BOB_ACCOUNT }],
      ['list_cash_transactions', { accountId: BOB_ACCOUNT }],
      ['get_cash_balance', { accountId: BOB_ACCOUNT }],
      ['list_orders', { accountId: BOB_ACCOUNT }],
      ['list_trades', { accountId: BOB_ACCOUNT }],
      ['get_order', { orderId: BOB_ORDER }],
      ['add_to_watchlist', { watchlistId: bobIds.watchlist, symbols: ['AAPL'] }],
      ['remove_from_watchlist', { watchlistId: bobIds.watchlist, symbols: ['TSLA'] }],
      ['delete_watchlist', { watchlistId: bobIds.watchlist }],
      ['delete_alert', { alertId: bobIds.alert }],
      ['get_agent_task', { taskId: 'bob-task' }],
      ['get_checkpoint', { threadId: 'bob-thread' }],
      ['get_backtest', { backtestId: bobIds.backtest }],
    ];
    for (const [name, args] of foreign) {
      expect(await failure(alice, name, args), name).toMatchObject({ code: 'not_found' });
    }
    const peek = await call(alice, 'query', {
      sql: `SELECT * FROM orders WHERE account_id = '${BOB_ACCOUNT}'`,
    });
    expect(peek.rows).toEqual([]);
    // Saving a task with Bob's id makes Alice her own task; Bob's stays his.
    await call(alice, 'save_agent_task', { task: { id: 'bob-task', contextId: 'mine' } });

    expect({
      watchlists: await call(bob, 'list_watchlists'),
      alerts: await call(bob, 'list_alerts'),
      task: await call(bob, 'get_agent_task', { taskId: 'bob-task' }),
      checkpoint: await call(bob, 'get_checkpoint', { threadId: 'bob-thread' }),
      orders: await call(bob, 'list_orders'),
      cash: { ...(await call(bob, 'get_cash_balance')), asOf: bobBefore.cash.asOf },
    }).toEqual(bobBefore);
  });

  it('refuses a service token that acts for no user', async () => {
    const svc = await connect(tokens.service);
    try {
      for (const [name, args] of [
        ['save_agent_task', { task: { id: 't', contextId: 'c' } }],
        ['query', { sql: 'SELECT 1' }],
        ['list_accounts', {}],
      ] as const) {
        expect(await failure(svc, name, args), name).toEqual({
          code: 'forbidden',
          message: 'This action must be made on behalf of a user',
        });
      }
    } finally {
      await svc.close();
    }
  });

  it('serves portfolios and the schema as resources, and a portfolio_review prompt', async () => {
    const { resources } = await alice.listResources();
    const uri = `ledger://accounts/${DEMO_ACCOUNT_ID}/portfolio`;
    expect(resources.map((r) => r.uri).sort()).toEqual(['ledger://schema', uri].sort());
    const { resourceTemplates } = await alice.listResourceTemplates();
    expect(resourceTemplates.map((t) => t.uriTemplate)).toEqual(['ledger://accounts/{accountId}/portfolio']);
    const read = await alice.readResource({ uri });
    const first = read.contents[0] as { text: string; mimeType: string };
    expect(first.mimeType).toBe('application/json');
    expect(JSON.parse(first.text).account.id).toBe(DEMO_ACCOUNT_ID);
    await expect(
      alice.readResource({ uri: `ledger://accounts/${BOB_ACCOUNT}/portfolio` }),
    ).rejects.toMatchObject({
      code: -32002,
    });
    const schema = await alice.readResource({ uri: 'ledger://schema' });
    expect(JSON.parse((schema.contents[0] as { text: string }).text).tables.length).toBeGreaterThan(5);

    const { prompts } = await alice.listPrompts();
    expect(prompts.map((p) => p.name)).toEqual(['portfolio_review']);
    const prompt = await alice.getPrompt({ name: 'portfolio_review', arguments: { focus: 'performance' } });
    expect(prompt.messages[0]!.content).toMatchObject({ type: 'resource', resource: { uri } });
    expect(prompt.messages[1]!.content).toMatchObject({
      type: 'text',
      text: expect.stringMatching(/unrealized/),
    });
  });
});

describe('postgres MCP server over stdio', () => {
  it('starts through the stockpulse command on a fresh data dir and answers get_portfolio', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'sp-postgres-stdio-'));
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(process.env)) if (v !== undefined) env[k] = v;
    Object.assign(env, { STOCKPULSE_DATA_DIR: dataDir, DATABASE_URL: '', LOG_LEVEL: 'warn' });
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: ['packages/cli/bin/stockpulse.js', 'mcp', 'postgres', '--stdio'],
      cwd: ROOT,
      env,
      stderr: 'pipe',
    });
    let stderr = '';
    transport.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const client = new Client({ name: 'postgres-stdio-test', version: '0.0.0' });
    try {
      await client.connect(transport);
      const { tools } = await client.listTools();
      // The real server also carries the paper broker's tools and position accounting (broker.test.ts).
      const broker = [
        'preview_order',
        'place_order',
        'cancel_order',
        'preview_replace_order',
        'replace_order',
        'get_position_accounting',
      ];
      expect(tools.map((t) => t.name).sort()).toEqual([...ALL_TOOLS, ...broker].sort());
      const result = (await client.callTool({ name: 'get_portfolio', arguments: {} })) as CallToolResult;
      expect(result.isError, `${JSON.stringify(result.content)}\n${stderr}`).toBeFalsy();
      expect(result.structuredContent).toMatchObject({ account: { id: DEMO_ACCOUNT_ID } });
      const sql = (await client.callTool({
        name: 'query',
        arguments: { sql: 'SELECT count(*) AS n FROM accounts' },
      })) as CallToolResult;
      expect(sql.structuredContent).toMatchObject({ rows: [['1']] });
    } finally {
      await client.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
    expect(stderr).not.toMatch(/"level":(50|60)/);
  }, 120_000);
});
