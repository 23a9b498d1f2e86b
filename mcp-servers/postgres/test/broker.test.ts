import { randomUUID } from 'node:crypto';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { type Database, migrate } from '@stockpulse/db';
import { testBackends } from '@stockpulse/db/testing';
import { money, SimulatedFeed } from '@stockpulse/domain';
import {
  connectMcpClient,
  serveMcpSpec,
  startTestIssuer,
  type TestIssuer,
} from '@stockpulse/protocols/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PaperBroker } from '../src/broker/paper-broker.js';
import { ledgerServerSpec } from '../src/server.js';
import { ledgerStores } from '../src/store/index.js';
import { Ledger } from '../src/store/ledger.js';
import { LEDGER_MIGRATIONS } from '../src/store/migrations.js';

/**
 * The paper broker as an MCP client uses it: preview → confirmation token → place, against the
 * simulated exchange on a clock the test moves (Wednesday 2025-07-09, a normal session), on every
 * reachable backend.
 */
const ALICE = '11111111-1111-4111-8111-111111111111';
const BOB = '22222222-2222-4222-8222-222222222222';
const ALICE_ACCOUNT = randomUUID();
const BOB_ACCOUNT = randomUUID();
const OPEN = new Date('2025-07-09T15:00:00Z'); // 11:00 New York
let marketNow = OPEN;
const feed = new SimulatedFeed({ seed: 2024, start: '2024-01-02', clock: { now: () => marketNow } });

let issuer: TestIssuer;
const tokens = { alice: '', aliceReadOnly: '', bob: '' };

beforeAll(async () => {
  issuer = await startTestIssuer();
  tokens.alice = await issuer.sign(ALICE, 'read trade');
  tokens.aliceReadOnly = await issuer.sign(ALICE, 'read');
  tokens.bob = await issuer.sign(BOB, 'read trade');
});
afterAll(async () => {
  await issuer?.close();
});

function structured(result: CallToolResult) {
  if (result.isError) throw new Error(JSON.stringify(result.content));
  return result.structuredContent as Record<string, any>;
}
function errorOf(result: CallToolResult) {
  expect(result.isError).toBe(true);
  const first = result.content[0];
  const text = first?.type === 'text' ? first.text : '';
  // Arguments that fail the input schema are refused by the SDK with a plain-text message.
  if (!text.startsWith('{')) return { code: 'invalid_params', message: text };
  return JSON.parse(text).error as { code: string; message: string; details?: Record<string, unknown> };
}

describe.each(testBackends('broker_mcp'))('paper broker over MCP (%s)', (_kind, backend) => {
  let db: Database;
  let broker: PaperBroker;
  let server: { url: string; close(): Promise<void> };
  let alice: Client;
  let aliceReadOnly: Client;
  let bob: Client;
  const call = (c: Client, name: string, args: Record<string, unknown>) =>
    c.callTool({ name, arguments: args }) as Promise<CallToolResult>;
  const cash = async () => (await new Ledger(db).cashBalance(ALICE, ALICE_ACCOUNT)).balance;
  const orderCount = async () =>
    Number((await db.query<{ n: number }>('SELECT count(*)::int AS n FROM orders')).rows[0]!.n);
  const order = (over: Record<string, unknown> = {}) => ({
    clientOrderId: `t-${randomUUID()}`,
    symbol: 'AAPL',
    side: 'buy',
    type: 'market',
    quantity: '10',
    ...over,
  });
  async function previewAndPlace(o: Record<string, unknown>) {
    const preview = structured(await call(alice, 'preview_order', { accountId: ALICE_ACCOUNT, order: o }));
    expect(preview.confirmation, JSON.stringify(preview.risk)).not.toBeNull();
    return structured(
      await call(alice, 'place_order', {
        accountId: ALICE_ACCOUNT,
        order: o,
        confirmationToken: preview.confirmation.token,
      }),
    ).order;
  }

  beforeAll(async () => {
    db = await backend.open();
    await migrate(db, LEDGER_MIGRATIONS);
    await db.transaction(async (tx) => {
      for (const [id, user] of [
        [ALICE_ACCOUNT, ALICE],
        [BOB_ACCOUNT, BOB],
      ]) {
        await tx.query('INSERT INTO accounts (id, user_id, name) VALUES ($1, $2, $3)', [id, user, 'Paper']);
        await tx.query(
          `INSERT INTO cash_ledger (account_id, at, kind, amount) VALUES ($1, $2, 'deposit', '100000')`,
          [id, new Date('2025-07-01T12:00:00Z')],
        );
      }
      await Ledger.recordExecution(tx, {
        id: randomUUID(),
        accountId: ALICE_ACCOUNT,
        symbol: 'MSFT',
        side: 'buy',
        quantity: '20',
        price: '400',
        at: new Date('2025-07-01T15:00:00Z'),
      });
    });
    broker = new PaperBroker(db, { feed, confirmationSecret: 'x'.repeat(32) });
    server = await serveMcpSpec(ledgerServerSpec(ledgerStores(db), broker), issuer);
    [alice, aliceReadOnly, bob] = await Promise.all([
      connectMcpClient(server.url, tokens.alice),
      connectMcpClient(server.url, tokens.aliceReadOnly),
      connectMcpClient(server.url, tokens.bob),
    ]);
  });
  afterAll(async () => {
    await Promise.all([alice?.close(), aliceReadOnly?.close(), bob?.close()]);
    await server?.close();
    await db?.close();
    await backend.cleanup();
  });

  it('previews a market buy at the live price with every risk check, placing nothing', async () => {
    const o = order();
    const before = await orderCount();
    const p = structured(await call(alice, 'preview_order', { accountId: ALICE_ACCOUNT, order: o }));
    const live = feed.quote('AAPL', marketNow).price;
    expect(p).toMatchObject({
      marketOpen: true,
      estimatedPrice: money(live).toString(),
      estimatedQuantity: '10',
    });
    expect(p.estimatedCashFlow).toBe(money(live).times(10).neg().toFixed(2));
    expect(p.risk.passed).toBe(true);
    expect(p.risk.checks.map((c: { rule: string }) => c.rule)).toEqual([
      'buying_power',
      'max_order_notional',
      'max_position_weight',
      'short_selling',
      'price_collar',
      'daily_loss_limit',
    ]);
    expect(p.confirmation.token).toMatch(/^ey/);
    expect(await orderCount()).toBe(before);
  });

  it('places only with the token for exactly that order, fills a market order at once, and books it exactly', async () => {
    const o = order();
    const preview = structured(await call(alice, 'preview_order', { accountId: ALICE_ACCOUNT, order: o }));
    const token = preview.confirmation.token as string;
    const cashBefore = await cash();
    const before = await orderCount();

    // No token, a tampered one, or a token for another order: refused, nothing changes.
    expect(
      errorOf(
        await call(alice, 'place_order', {
          accountId: ALICE_ACCOUNT,
          order: o,
          confirmationToken: `${token.slice(0, -4)}AAAA`,
        }),
      ).code,
    ).toBe('forbidden');
    const other = { ...o, quantity: '11' };
    const mismatch = errorOf(
      await call(alice, 'place_order', { accountId: ALICE_ACCOUNT, order: other, confirmationToken: token }),
    );
    expect(mismatch.code).toBe('forbidden');
    expect(mismatch.message).toMatch(/differs from the one/);
    // A read-only credential may preview but not place.
    expect(
      errorOf(
        await call(aliceReadOnly, 'place_order', {
          accountId: ALICE_ACCOUNT,
          order: o,
          confirmationToken: token,
        }),
      ).code,
    ).toBe('forbidden');
    expect(await orderCount()).toBe(before);
    expect(await cash()).toBe(cashBefore);

    const placed = structured(
      await call(alice, 'place_order', { accountId: ALICE_ACCOUNT, order: o, confirmationToken: token }),
    ).order;
    expect(placed.status).toBe('filled');
    expect(placed.filledQuantity).toBe('10');
    expect(placed.transitions.map((t: { to: string }) => t.to)).toEqual(['accepted', 'filled']);
    const fillPrice = placed.averageFillPrice as string;
    expect(money(await cash()).toFixed(2)).toBe(
      money(cashBefore).minus(money(fillPrice).times(10)).toFixed(2),
    );

    // Resending the same request returns the same order: one fill, not two.
    const again = structured(
      await call(alice, 'place_order', { accountId: ALICE_ACCOUNT, order: o, confirmationToken: token }),
    ).order;
    expect(again.id).toBe(placed.id);
    expect(money(await cash()).toFixed(2)).toBe(
      money(cashBefore).minus(money(fillPrice).times(10)).toFixed(2),
    );

    const got = structured(await call(alice, 'get_order', { orderId: placed.id }));
    expect(got.transitions.map((t: { from: string; to: string }) => `${t.from}>${t.to}`)).toEqual([
      'new>accepted',
      'accepted>filled',
    ]);
    expect(got.executions).toHaveLength(1);
    const positions = structured(await call(alice, 'list_positions', { accountId: ALICE_ACCOUNT }));
    expect(positions.positions.find((p: { symbol: string }) => p.symbol === 'AAPL').quantity).toBe('10');
  });

  it('refuses what risk forbids and says which rule with the numbers, issuing no token', async () => {
    const big = order({ quantity: undefined, notional: '60000' });
    const p = structured(await call(alice, 'preview_order', { accountId: ALICE_ACCOUNT, order: big }));
    expect(p.risk.passed).toBe(false);
    expect(p.confirmation).toBeNull();
    const notional = p.risk.checks.find((c: { rule: string }) => c.rule === 'max_order_notional');
    expect(notional).toMatchObject({ passed: false, numbers: { limit: '50000' } });
    expect(notional.message).toMatch(/\$60,000\.00.*\$50,000\.00/);

    const short = structured(
      await call(alice, 'preview_order', {
        accountId: ALICE_ACCOUNT,
        order: order({ side: 'sell', symbol: 'NVDA', quantity: '5' }),
      }),
    );
    expect(short.risk.checks.find((c: { rule: string }) => c.rule === 'short_selling')).toMatchObject({
      passed: false,
    });
  });

  it('rejects bad orders with the field at fault', async () => {
    const bad = errorOf(
      await call(alice, 'preview_order', { accountId: ALICE_ACCOUNT, order: order({ type: 'limit' }) }),
    );
    expect(bad.code).toBe('invalid_params');
    expect(bad.message).toMatch(/is required for limit orders at order\.limitPrice/);
    const unknown = errorOf(
      await call(alice, 'preview_order', { accountId: ALICE_ACCOUNT, order: order({ symbol: 'ZZZZ' }) }),
    );
    expect(unknown.code).toBe('unknown_symbol');
  });

  it('rests a limit order until the market crosses it, then fills at the limit or better', async () => {
    // The lowest tick of the next 20 minutes, plus a cent: the market will trade through it.
    const ahead = feed.ticks('AAPL', marketNow, new Date(marketNow.getTime() + 20 * 60_000));
    const low = ahead.reduce((m, t) => (money(t.price).lt(m) ? money(t.price) : m), money(ahead[0]!.price));
    const now = money(feed.quote('AAPL', marketNow).price);
    const limit = low.lt(now) ? low.plus('0.01') : now.minus('0.50');
    const placed = await previewAndPlace(
      order({ type: 'limit', limitPrice: limit.toFixed(2), quantity: '5' }),
    );
    expect(placed.status).toBe('accepted');

    marketNow = new Date(marketNow.getTime() + 20 * 60_000);
    try {
      await broker.matchOpenOrders(marketNow);
      const got = structured(await call(alice, 'get_order', { orderId: placed.id }));
      expect(got.order.status).toBe('filled');
      expect(money(got.averageFillPrice).lte(limit)).toBe(true);
    } finally {
      marketNow = OPEN;
    }
  });

  it('expires a day order at the close and cancels on request', async () => {
    const price = money(feed.quote('AAPL', marketNow).price);
    const resting = await previewAndPlace(
      order({ type: 'limit', limitPrice: price.times('0.95').toFixed(2), quantity: '1' }),
    );
    const toCancel = await previewAndPlace(
      order({ type: 'limit', limitPrice: price.times('0.95').toFixed(2), quantity: '1', timeInForce: 'gtc' }),
    );

    const canceled = structured(
      await call(alice, 'cancel_order', { accountId: ALICE_ACCOUNT, orderId: toCancel.id }),
    ).order;
    expect(canceled.status).toBe('canceled');
    expect(
      errorOf(await call(alice, 'cancel_order', { accountId: ALICE_ACCOUNT, orderId: toCancel.id })).code,
    ).toBe('conflict');

    marketNow = new Date('2025-07-09T20:30:00Z'); // after the close
    try {
      await broker.matchOpenOrders(marketNow);
      const got = structured(await call(alice, 'get_order', { orderId: resting.id }));
      expect(got.order.status).toBe('expired');
      expect(got.transitions.at(-1).reason).toMatch(/expired at the session close/);
    } finally {
      marketNow = OPEN;
    }
  });

  it('queues a market order while the market is closed and fills it at the open', async () => {
    marketNow = new Date('2025-07-09T22:00:00Z'); // evening
    try {
      const placed = await previewAndPlace(order({ quantity: '2' }));
      expect(placed.status).toBe('accepted');
      marketNow = new Date('2025-07-10T13:30:05Z'); // five seconds after Thursday's open
      await broker.matchOpenOrders(marketNow);
      const got = structured(await call(alice, 'get_order', { orderId: placed.id }));
      expect(got.order.status).toBe('filled');
      expect(got.executions[0].executedAt).toBe('2025-07-10T13:30:00.000Z');
    } finally {
      marketNow = OPEN;
    }
  });

  it('accounts positions by the account’s cost method, FIFO realizing the oldest lot first', async () => {
    await previewAndPlace(order({ quantity: '3' }));
    const positions = structured(await call(alice, 'list_positions', { accountId: ALICE_ACCOUNT }))
      .positions as Array<{
      symbol: string;
      quantity: string;
    }>;
    const avg = structured(await call(alice, 'get_position_accounting', { accountId: ALICE_ACCOUNT }));
    expect(avg.method).toBe('average');
    const bySymbol = (r: typeof avg) =>
      Object.fromEntries(r.positions.map((p: { symbol: string }) => [p.symbol, p]));
    for (const p of positions)
      expect(money(bySymbol(avg)[p.symbol].quantity).toString(), p.symbol).toBe(money(p.quantity).toString());
    expect(bySymbol(avg).MSFT).toMatchObject({ costBasis: '8000', averageCost: '400', realizedPnl: '0' });

    await db.query(`UPDATE accounts SET cost_basis_method = 'fifo' WHERE id = $1`, [ALICE_ACCOUNT]);
    const trades = structured(
      await call(alice, 'list_trades', { accountId: ALICE_ACCOUNT, symbol: 'AAPL', side: 'buy', limit: 100 }),
    ).items as Array<{ price: string; quantity: string; executedAt: string }>;
    const oldest = [...trades].sort((a, b) => a.executedAt.localeCompare(b.executedAt))[0]!;
    const sold = await previewAndPlace(order({ side: 'sell', quantity: '1' }));
    expect(sold.status).toBe('filled');
    const fifo = structured(await call(alice, 'get_position_accounting', { accountId: ALICE_ACCOUNT }));
    expect(fifo.method).toBe('fifo');
    const closure = bySymbol(fifo).AAPL.closures.at(-1);
    // One share out of the oldest lot: P&L = sale price − that lot's price (no commission here).
    expect(closure).toMatchObject({ openedOn: oldest.executedAt.slice(0, 10), quantity: '1' });
    expect(money(closure.realizedPnl).toString()).toBe(
      money(sold.averageFillPrice).minus(oldest.price).toString(),
    );
  });

  it("never lets one user see or touch another's orders", async () => {
    const placed = await previewAndPlace(
      order({
        type: 'limit',
        limitPrice: money(feed.quote('AAPL', marketNow).price).times('0.95').toFixed(2),
        quantity: '1',
      }),
    );
    expect(errorOf(await call(bob, 'get_order', { orderId: placed.id })).code).toBe('not_found');
    expect(
      errorOf(await call(bob, 'cancel_order', { accountId: ALICE_ACCOUNT, orderId: placed.id })).code,
    ).toBe('not_found');
    expect(
      errorOf(await call(bob, 'cancel_order', { accountId: BOB_ACCOUNT, orderId: placed.id })).code,
    ).toBe('not_found');
    // A token is bound to the account it was previewed for: Alice's does not place on Bob's account.
    const o = order();
    const alicePreview = structured(
      await call(alice, 'preview_order', { accountId: ALICE_ACCOUNT, order: o }),
    );
    expect(
      errorOf(
        await call(bob, 'place_order', {
          accountId: BOB_ACCOUNT,
          order: o,
          confirmationToken: alicePreview.confirmation.token,
        }),
      ).code,
    ).toBe('forbidden');
  });
});
