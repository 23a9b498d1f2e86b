import { randomUUID } from 'node:crypto';
import type { Database } from '@stockpulse/db';
import { migrate } from '@stockpulse/db';
import { testBackends } from '@stockpulse/db/testing';
import {
  companyBySymbol,
  DEMO_DEPOSIT,
  DEMO_HOLDINGS,
  DEMO_USER_ID,
  money,
  simulateDailyBars,
} from '@stockpulse/domain';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AGENT_STATE_LIMITS } from '../src/store/agent-state.js';
import { type LedgerStores, ledgerStores } from '../src/store/index.js';
import { Ledger } from '../src/store/ledger.js';
import { LEDGER_MIGRATIONS, READABLE_TABLES } from '../src/store/migrations.js';
import { type OrderStatus, Orders } from '../src/store/orders.js';
import { DEMO_ACCOUNT_ID, seedDemoPortfolio } from '../src/store/seed.js';

const sim = { seed: 2024, start: '2024-01-02' };

describe.each(testBackends('ledger'))('ledger on %s', (_kind, backend) => {
  let db: Database;
  let ledger: Ledger;
  beforeAll(async () => {
    db = await backend.open();
    await migrate(db, LEDGER_MIGRATIONS);
    ledger = new Ledger(db);
  });
  afterAll(async () => {
    await db.close();
    await backend.cleanup();
  });

  it('seeds the demo portfolio once: deposit, then buys at the first simulated close', async () => {
    expect(await seedDemoPortfolio(db, sim)).toBe(true);
    expect(await seedDemoPortfolio(db, sim)).toBe(false);
    const p = await ledger.portfolio(DEMO_USER_ID);
    const first = simulateDailyBars({
      ...sim,
      end: sim.start,
      companies: DEMO_HOLDINGS.map((h) => companyBySymbol(h.symbol)!),
    });
    const cost = DEMO_HOLDINGS.reduce(
      (s, h) => s.plus(money(h.quantity).times(first.get(h.symbol)![0]!.close)),
      money(0),
    );
    expect(p.account.id).toBe(DEMO_ACCOUNT_ID);
    expect(p.account.cash).toBe(money(DEMO_DEPOSIT).minus(cost).toFixed(2));
    expect(p.positions.map((x) => [x.symbol, x.quantity])).toEqual(
      [...DEMO_HOLDINGS].sort((a, b) => a.symbol.localeCompare(b.symbol)).map((h) => [h.symbol, h.quantity]),
    );
  });

  it('derives cash from ledger rows and keeps average cost on buys, realizing on sells', async () => {
    const userId = randomUUID();
    const accountId = randomUUID();
    await db.query('INSERT INTO accounts (id, user_id, name) VALUES ($1, $2, $3)', [
      accountId,
      userId,
      'Test',
    ]);
    await db.query(`INSERT INTO cash_ledger (account_id, kind, amount) VALUES ($1, 'deposit', '10000')`, [
      accountId,
    ]);
    const fill = (side: 'buy' | 'sell', quantity: string, price: string, commission = '0') =>
      db.transaction((tx) =>
        Ledger.recordExecution(tx, {
          id: randomUUID(),
          accountId,
          symbol: 'AAPL',
          side,
          quantity,
          price,
          commission,
          at: new Date(),
        }),
      );
    await fill('buy', '10', '100.00', '1.00');
    await fill('buy', '10', '110.00');
    await fill('sell', '5', '120.00');
    const [pos] = await ledger.positions(userId, accountId);
    expect(pos).toMatchObject({ symbol: 'AAPL', quantity: '15', averageCost: '105.05' });
    // 10000 - 1001 (incl. fee) - 1100 + 600
    expect((await ledger.account(userId)).cash).toBe('8499.00');
    const page1 = await ledger.cashTransactions(userId, accountId, { limit: 2 });
    expect(page1.items.map((i) => i.kind)).toEqual(['trade', 'trade']);
    const page2 = await ledger.cashTransactions(userId, accountId, {
      limit: 10,
      beforeId: Number(page1.nextCursor),
    });
    expect(page2.items.map((i) => i.kind)).toEqual(['fee', 'trade', 'deposit']);
    expect(page2.nextCursor).toBeNull();
  });

  it('never shows one user another user’s account', async () => {
    const stranger = randomUUID();
    expect(await ledger.accounts(stranger)).toEqual([]);
    await expect(ledger.portfolio(stranger, DEMO_ACCOUNT_ID)).rejects.toMatchObject({ code: 'not_found' });
    expect(await ledger.positions(stranger, DEMO_ACCOUNT_ID)).toEqual([]);
  });
});

describe.each(testBackends('ledger_domain'))('ledger domain stores on %s', (_kind, backend) => {
  let db: Database;
  let s: LedgerStores;
  const alice = randomUUID();
  const bob = randomUUID();
  let aliceAccount: string;
  let bobAccount: string;

  /** An account with a deposit; returns its id. */
  async function openAccount(userId: string, deposit: string, at = new Date('2024-01-02T14:00:00Z')) {
    const id = randomUUID();
    await db.query('INSERT INTO accounts (id, user_id, name) VALUES ($1, $2, $3)', [id, userId, 'Main']);
    await db.query(`INSERT INTO cash_ledger (account_id, at, kind, amount) VALUES ($1, $2, 'deposit', $3)`, [
      id,
      at,
      deposit,
    ]);
    return id;
  }

  /** An order and its fills, as the broker would write them. */
  async function placeFilled(
    accountId: string,
    o: {
      symbol: string;
      side: 'buy' | 'sell';
      status: OrderStatus;
      at: string;
      fills: Array<[string, string]>;
    },
  ) {
    const orderId = randomUUID();
    const at = new Date(o.at);
    const quantity = o.fills.reduce((q, [qty]) => q.plus(qty), money(0)).toString();
    await db.transaction(async (tx) => {
      await Orders.recordOrder(tx, {
        id: orderId,
        accountId,
        clientOrderId: `c-${orderId}`,
        symbol: o.symbol,
        side: o.side,
        type: 'market',
        quantity: quantity === '0' ? '1' : quantity,
        status: o.status,
        filledQuantity: quantity,
        at,
      });
      for (const [qty, price] of o.fills) {
        await Ledger.recordExecution(tx, {
          id: randomUUID(),
          accountId,
          orderId,
          symbol: o.symbol,
          side: o.side,
          quantity: qty,
          price,
          commission: '1.00',
          at,
        });
      }
    });
    return orderId;
  }

  beforeAll(async () => {
    db = await backend.open();
    await migrate(db, LEDGER_MIGRATIONS);
    s = ledgerStores(db);
    aliceAccount = await openAccount(alice, '10000');
    bobAccount = await openAccount(bob, '5000');
  });
  afterAll(async () => {
    await db.close();
    await backend.cleanup();
  });

  it('lists orders newest first, filters by status, pages with a cursor and hides other users', async () => {
    const first = await placeFilled(aliceAccount, {
      symbol: 'AAPL',
      side: 'buy',
      status: 'filled',
      at: '2024-02-01T15:00:00Z',
      fills: [
        ['10', '100.00'],
        ['5', '103.00'],
      ],
    });
    const second = await placeFilled(aliceAccount, {
      symbol: 'MSFT',
      side: 'buy',
      status: 'filled',
      at: '2024-02-02T15:00:00Z',
      fills: [['3', '400.00']],
    });
    const open = await placeFilled(aliceAccount, {
      symbol: 'AAPL',
      side: 'sell',
      status: 'accepted',
      at: '2024-02-03T15:00:00Z',
      fills: [],
    });
    await placeFilled(bobAccount, {
      symbol: 'AAPL',
      side: 'buy',
      status: 'filled',
      at: '2024-02-01T16:00:00Z',
      fills: [['1', '100.00']],
    });

    const p1 = await s.orders.list(alice, aliceAccount, { limit: 2 });
    expect(p1.items.map((o) => o.id)).toEqual([open, second]);
    const p2 = await s.orders.list(alice, aliceAccount, { limit: 2, cursor: p1.nextCursor! });
    expect(p2.items.map((o) => o.id)).toEqual([first]);
    expect(p2.nextCursor).toBeNull();
    const filled = await s.orders.list(alice, aliceAccount, { limit: 10, statuses: ['filled'] });
    expect(filled.items.map((o) => o.id)).toEqual([second, first]);
    const openOnes = await s.orders.list(alice, aliceAccount, {
      limit: 10,
      statuses: ['new', 'accepted', 'partially_filled'],
    });
    expect(openOnes.items.map((o) => o.status)).toEqual(['accepted']);
    expect((await s.orders.list(alice, aliceAccount, { limit: 10, symbol: 'MSFT' })).items).toHaveLength(1);
    // Alice naming Bob's account sees nothing.
    expect((await s.orders.list(alice, bobAccount, { limit: 10 })).items).toEqual([]);
    await expect(s.orders.list(alice, aliceAccount, { limit: 2, cursor: 'garbage' })).rejects.toMatchObject({
      code: 'bad_request',
    });

    const got = await s.orders.get(alice, first);
    expect(got.order).toMatchObject({
      symbol: 'AAPL',
      status: 'filled',
      quantity: '15',
      filledQuantity: '15',
    });
    // Both fills share a timestamp (their order is then by id).
    expect(got.executions.map((e) => [e.quantity, e.price]).sort()).toEqual([
      ['10', '100'],
      ['5', '103'],
    ]);
    expect(got.averageFillPrice).toBe('101'); // (1000 + 515) / 15
    expect(got.executions.find((e) => e.quantity === '10')).toMatchObject({
      grossAmount: '1000.00',
      netCashFlow: '-1001.00',
    });
    expect((await s.orders.get(alice, open)).averageFillPrice).toBeNull();
    await expect(s.orders.get(bob, first)).rejects.toMatchObject({ code: 'not_found' });
  });

  it('lists trades in a date range, paging exactly through fills that share a timestamp', async () => {
    const all = await s.orders.trades(alice, aliceAccount, { limit: 200 });
    expect(all.items.map((t) => t.symbol)).toEqual(['MSFT', 'AAPL', 'AAPL']);
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const p = await s.orders.trades(alice, aliceAccount, { limit: 1, cursor });
      seen.push(...p.items.map((t) => t.id));
      cursor = p.nextCursor ?? undefined;
    } while (cursor);
    expect(seen).toEqual(all.items.map((t) => t.id));
    const feb1 = await s.orders.trades(alice, aliceAccount, {
      limit: 200,
      from: '2024-02-01T00:00:00Z',
      to: '2024-02-02T00:00:00Z',
    });
    expect(feb1.items.map((t) => t.quantity).sort()).toEqual(['10', '5']);
    expect((await s.orders.trades(alice, aliceAccount, { limit: 200, side: 'sell' })).items).toEqual([]);
    expect((await s.orders.trades(alice, bobAccount, { limit: 200 })).items).toEqual([]);
  });

  it('derives the cash balance from ledger rows and checks it against the executions', async () => {
    // 10000 − (1000 + 515 + 1200) − 3 × 1.00 commission
    const now = await s.ledger.cashBalance(alice, aliceAccount);
    expect(now).toMatchObject({
      balance: '7282.00',
      entries: 7,
      byKind: { deposit: '10000.00', trade: '-2715.00', fee: '-3.00', withdrawal: '0.00' },
      check: {
        recomputed: '7282.00',
        difference: '0.0000',
        consistent: true,
        executions: 3,
        executionsWithoutCashRow: 0,
        tradeRowsWithoutExecution: 0,
      },
    });
    const before = await s.ledger.cashBalance(alice, aliceAccount, new Date('2024-01-31T00:00:00Z'));
    expect(before).toMatchObject({
      balance: '10000.00',
      entries: 1,
      check: { consistent: true, executions: 0 },
    });
    // Bob asking about Alice's account counts nothing.
    expect((await s.ledger.cashBalance(bob, aliceAccount)).entries).toBe(0);

    // A trade row with no execution behind it is caught.
    const other = await openAccount(alice, '100');
    await db.query(
      `INSERT INTO cash_ledger (account_id, kind, amount, reference) VALUES ($1, 'trade', '-50', 'nope')`,
      [other],
    );
    const broken = await s.ledger.cashBalance(alice, other);
    expect(broken.balance).toBe('50.00');
    expect(broken.check).toMatchObject({
      recomputed: '100.00',
      difference: '-50.0000',
      consistent: false,
      tradeRowsWithoutExecution: 1,
    });
  });

  it('keeps watchlists per user, writes all or nothing, and reads foreign ids as not found', async () => {
    const tech = await s.watchlists.create(alice, 'Tech', ['MSFT', 'AAPL', 'AAPL']);
    expect(tech).toMatchObject({ name: 'Tech', symbols: ['AAPL', 'MSFT'] });
    await expect(s.watchlists.create(alice, 'Tech')).rejects.toMatchObject({ code: 'conflict' });
    expect((await s.watchlists.create(bob, 'Tech')).name).toBe('Tech'); // names are per user

    const added = await s.watchlists.add(alice, tech.id, ['NVDA', 'AAPL']);
    expect(added.added).toEqual(['NVDA']);
    expect(added.watchlist.symbols).toEqual(['AAPL', 'MSFT', 'NVDA']);
    const removed = await s.watchlists.remove(alice, tech.id, ['MSFT', 'TSLA']);
    expect(removed.removed).toEqual(['MSFT']);
    expect(removed.watchlist.symbols).toEqual(['AAPL', 'NVDA']);

    // A symbol the database refuses fails the whole write: no half-made watchlist.
    await expect(s.watchlists.create(alice, 'Broken', ['AMZN', 'not a symbol'])).rejects.toBeTruthy();
    await expect(s.watchlists.add(alice, tech.id, ['GOOG', 'bad one'])).rejects.toBeTruthy();
    expect((await s.watchlists.list(alice)).map((w) => [w.name, w.symbols])).toEqual([
      ['Tech', ['AAPL', 'NVDA']],
    ]);

    for (const attempt of [
      () => s.watchlists.get(bob, tech.id),
      () => s.watchlists.add(bob, tech.id, ['TSLA']),
      () => s.watchlists.remove(bob, tech.id, ['AAPL']),
      () => s.watchlists.delete(bob, tech.id),
    ]) {
      await expect(attempt()).rejects.toMatchObject({ code: 'not_found' });
    }
    expect((await s.watchlists.get(alice, tech.id)).symbols).toEqual(['AAPL', 'NVDA']);
    expect(await s.watchlists.delete(alice, tech.id)).toEqual({ id: tech.id, deleted: true });
    await expect(s.watchlists.delete(alice, tech.id)).rejects.toMatchObject({ code: 'not_found' });
    expect(await s.watchlists.list(alice)).toEqual([]);
  });

  it('creates, lists and deletes alerts per user, validating thresholds by kind', async () => {
    const above = await s.alerts.create(alice, { symbol: 'AAPL', kind: 'price_above', threshold: '200.50' });
    const drop = await s.alerts.create(alice, {
      symbol: 'MSFT',
      kind: 'change_pct',
      threshold: '-5',
      note: 'big drop',
    });
    expect(above).toMatchObject({ symbol: 'AAPL', threshold: '200.5', status: 'active', triggeredAt: null });
    await expect(
      s.alerts.create(alice, { symbol: 'AAPL', kind: 'price_below', threshold: '0' }),
    ).rejects.toMatchObject({ code: 'bad_request' });
    await expect(
      s.alerts.create(alice, { symbol: 'AAPL', kind: 'change_pct', threshold: '0' }),
    ).rejects.toMatchObject({ code: 'bad_request' });
    await s.alerts.create(bob, { symbol: 'AAPL', kind: 'price_below', threshold: '150' });

    const p1 = await s.alerts.list(alice, { limit: 1 });
    expect(p1.items.map((a) => a.id)).toEqual([drop.id]);
    const p2 = await s.alerts.list(alice, { limit: 1, cursor: p1.nextCursor! });
    expect(p2.items.map((a) => a.id)).toEqual([above.id]);
    expect(p2.nextCursor).toBeNull();
    expect((await s.alerts.list(alice, { limit: 10, symbol: 'MSFT' })).items).toHaveLength(1);

    await expect(s.alerts.delete(bob, above.id)).rejects.toMatchObject({ code: 'not_found' });
    expect(await s.alerts.delete(alice, above.id)).toEqual({ id: above.id, deleted: true });
    expect((await s.alerts.list(alice, { limit: 10 })).items.map((a) => a.id)).toEqual([drop.id]);
  });

  it('stores A2A tasks per owner: idempotent saves, updates, listing, and no cross-user reach', async () => {
    const task = {
      id: 'task-1',
      contextId: 'ctx-1',
      kind: 'task',
      status: { state: 'TASK_STATE_WORKING', timestamp: '2024-02-01T00:00:00Z' },
      history: [{ role: 'ROLE_USER', parts: [{ text: 'How is my portfolio?' }] }],
    };
    const saved = await s.agentState.saveTask(alice, task);
    expect(saved).toMatchObject({
      taskId: 'task-1',
      contextId: 'ctx-1',
      state: 'TASK_STATE_WORKING',
      created: true,
    });
    const again = await s.agentState.saveTask(alice, task);
    expect(again).toMatchObject({ created: false, updatedAt: saved.updatedAt });
    const done = await s.agentState.saveTask(alice, { ...task, status: { state: 'TASK_STATE_COMPLETED' } });
    expect(done).toMatchObject({ created: false, state: 'TASK_STATE_COMPLETED' });
    await s.agentState.saveTask(alice, { ...task, id: 'task-2', contextId: 'ctx-2' });

    // Bob may use the same task id: it is his own task, and Alice's is untouched.
    expect((await s.agentState.saveTask(bob, { ...task, history: [] })).created).toBe(true);
    expect((await s.agentState.getTask(alice, 'task-1')).task).toMatchObject({
      history: task.history,
      status: { state: 'TASK_STATE_COMPLETED' },
    });
    await expect(s.agentState.getTask(bob, 'task-2')).rejects.toMatchObject({ code: 'not_found' });

    const byContext = await s.agentState.listTasks(alice, { contextId: 'ctx-1', limit: 10 });
    expect(byContext.items.map((t) => t.taskId)).toEqual(['task-1']);
    const p1 = await s.agentState.listTasks(alice, { limit: 1 });
    const p2 = await s.agentState.listTasks(alice, { limit: 1, cursor: p1.nextCursor! });
    expect([...p1.items, ...p2.items].map((t) => t.taskId).sort()).toEqual(['task-1', 'task-2']);
    expect(p2.nextCursor).toBeNull();
    expect((await s.agentState.listTasks(bob, { limit: 10 })).items.map((t) => t.taskId)).toEqual(['task-1']);
  });

  it('keeps a task in a final state, filters by status time, and lists tasks with their JSON', async () => {
    const FINAL = ['TASK_STATE_COMPLETED', 'TASK_STATE_CANCELED'];
    const task = {
      id: 'final-1',
      contextId: 'ctx-final',
      status: { state: 'TASK_STATE_WORKING', timestamp: '2024-05-01T10:00:00.000Z' },
    };
    await s.agentState.saveTask(alice, task, { finalStates: FINAL });
    const canceled = {
      ...task,
      status: { state: 'TASK_STATE_CANCELED', timestamp: '2024-05-01T10:00:01.000Z' },
    };
    expect(await s.agentState.saveTask(alice, canceled, { finalStates: FINAL })).toMatchObject({
      state: 'TASK_STATE_CANCELED',
      keptFinal: false,
    });
    // A late writer (another replica finishing the work) cannot bring it back.
    const late = {
      ...task,
      status: { state: 'TASK_STATE_COMPLETED', timestamp: '2024-05-01T10:00:02.000Z' },
    };
    expect(await s.agentState.saveTask(alice, late, { finalStates: FINAL })).toMatchObject({
      state: 'TASK_STATE_CANCELED',
      keptFinal: true,
    });
    expect(await s.agentState.saveTask(alice, canceled, { finalStates: FINAL })).toMatchObject({
      keptFinal: false,
    });
    expect((await s.agentState.getTask(alice, 'final-1')).task).toEqual(canceled);

    const listed = await s.agentState.listTasks(alice, {
      contextId: 'ctx-final',
      statusAfter: '2024-05-01T10:00:00.500Z',
      includeTasks: true,
      limit: 10,
    });
    expect(listed).toMatchObject({ total: 1, items: [{ taskId: 'final-1', task: canceled }] });
    expect(
      (
        await s.agentState.listTasks(alice, {
          contextId: 'ctx-final',
          statusAfter: '2024-05-01T11:00:00Z',
          limit: 10,
        })
      ).total,
    ).toBe(0);
    await expect(s.agentState.listTasks(alice, { statusAfter: 'soon', limit: 10 })).rejects.toMatchObject({
      code: 'bad_request',
    });
  });

  it('stores push-notification configs per owner and task, bounded', async () => {
    const hook = (n: number) => ({ url: `https://hooks.example.com/${n}`, token: `t${n}` });
    await s.agentState.savePushConfig(alice, {
      taskId: 'pt-1',
      configId: 'c1',
      config: hook(1),
      wireVersion: '1.0',
    });
    const replaced = await s.agentState.savePushConfig(alice, {
      taskId: 'pt-1',
      configId: 'c1',
      config: hook(2),
      wireVersion: '0.3',
    });
    expect(replaced).toMatchObject({ configId: 'c1', config: hook(2), wireVersion: '0.3' });
    await s.agentState.savePushConfig(alice, {
      taskId: 'pt-1',
      configId: 'c2',
      config: hook(3),
      wireVersion: '1.0',
    });
    expect((await s.agentState.listPushConfigs(alice, 'pt-1')).map((c) => c.configId)).toEqual(['c1', 'c2']);
    // Bob sees none of Alice's and deletes none of them.
    expect(await s.agentState.listPushConfigs(bob, 'pt-1')).toEqual([]);
    expect(await s.agentState.deletePushConfigs(bob, 'pt-1')).toBe(0);

    for (let i = 3; i <= AGENT_STATE_LIMITS.pushConfigsPerTask; i++) {
      await s.agentState.savePushConfig(alice, {
        taskId: 'pt-1',
        configId: `c${i}`,
        config: hook(i),
        wireVersion: '1.0',
      });
    }
    await expect(
      s.agentState.savePushConfig(alice, {
        taskId: 'pt-1',
        configId: 'one-too-many',
        config: hook(0),
        wireVersion: '1.0',
      }),
    ).rejects.toMatchObject({ code: 'bad_request' });
    expect(await s.agentState.listPushConfigs(alice, 'pt-1')).toHaveLength(
      AGENT_STATE_LIMITS.pushConfigsPerTask,
    );

    expect(await s.agentState.deletePushConfigs(alice, 'pt-1', 'c1')).toBe(1);
    expect(await s.agentState.deletePushConfigs(alice, 'pt-1')).toBe(
      AGENT_STATE_LIMITS.pushConfigsPerTask - 1,
    );
    expect(await s.agentState.listPushConfigs(alice, 'pt-1')).toEqual([]);
  });

  it('keeps the newest checkpoints of a thread per owner', async () => {
    for (let i = 1; i <= AGENT_STATE_LIMITS.checkpointsPerThread + 2; i++) {
      await s.agentState.saveCheckpoint(alice, {
        threadId: 'thread-1',
        checkpointId: `cp-${String(i).padStart(2, '0')}`,
        parentId: i > 1 ? `cp-${String(i - 1).padStart(2, '0')}` : undefined,
        checkpoint: { step: i },
      });
    }
    const latest = await s.agentState.getCheckpoint(alice, 'thread-1');
    expect(latest).toMatchObject({ checkpointId: 'cp-22', parentId: 'cp-21', checkpoint: { step: 22 } });
    expect((await s.agentState.getCheckpoint(alice, 'thread-1', 'cp-03')).checkpoint).toEqual({ step: 3 });
    await expect(s.agentState.getCheckpoint(alice, 'thread-1', 'cp-02')).rejects.toMatchObject({
      code: 'not_found',
    });
    await expect(s.agentState.getCheckpoint(bob, 'thread-1')).rejects.toMatchObject({ code: 'not_found' });
    const { rows } = await db.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM agent_checkpoints WHERE user_id = $1',
      [alice],
    );
    expect(rows[0]!.n).toBe(AGENT_STATE_LIMITS.checkpointsPerThread);
  });

  it('describes exactly the tables the reader role may read, with comments', async () => {
    const tables = await s.reader.describeSchema();
    expect(tables.map((t) => t.name).sort()).toEqual([...READABLE_TABLES].sort());
    const cash = tables.find((t) => t.name === 'cash_ledger')!;
    expect(cash.rowLevelSecurity).toBe(true);
    expect(cash.comment).toMatch(/balance is the sum/);
    expect(cash.columns.find((c) => c.name === 'amount')).toMatchObject({
      type: 'numeric(20,4)',
      nullable: false,
    });
  });
});
