import { afterEach, describe, expect, it } from 'vitest';
import {
  ALPACA_LIVE_URL,
  ALPACA_PAPER_URL,
  AlpacaBroker,
  alpacaBaseUrl,
  issueConfirmation,
  parseAlpacaConfig,
  toOrder,
} from '../src/index.js';
import { alpacaServer, fixture } from './alpaca-server.js';

const ACCOUNT = 'acct-alpaca';
const SECRET = 'confirmation-secret-of-32-bytes-or-more';
const NOW = new Date('2024-03-05T15:00:00Z');
const PRICES: Record<string, string> = { AAPL: '187', MSFT: '400', TSLA: '175' };
const quotes = { quote: async (symbol: string) => ({ symbol, price: PRICES[symbol] ?? '100' }) };
const request = {
  clientOrderId: 'sp-0001',
  symbol: 'AAPL',
  side: 'buy',
  type: 'limit',
  quantity: '10',
  limitPrice: '187.50',
} as const;

const config = (baseUrl: string, extra: object = {}) => ({
  accountId: ACCOUNT,
  keyId: 'key-id',
  secretKey: 'secret',
  baseUrl,
  confirmationSecret: SECRET,
  ...extra,
});

const READS = {
  'GET /v2/account': { fixture: 'account.json' },
  'GET /v2/positions': { fixture: 'positions.json' },
  'GET /v2/orders': { fixture: 'orders-open.json' },
};

let server: Awaited<ReturnType<typeof alpacaServer>> | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function connect(
  routes: Record<string, { status?: number; fixture?: string; headers?: Record<string, string> }>,
) {
  server = await alpacaServer({ ...READS, ...routes });
  return { broker: new AlpacaBroker(config(server.url), { quotes, now: () => NOW }), server };
}

async function failure(p: Promise<unknown>) {
  try {
    await p;
  } catch (e) {
    return e as { code: string; message: string; details?: Record<string, unknown> };
  }
  throw new Error('expected a failure');
}

describe('Alpaca configuration', () => {
  it('uses the paper API unless live trading is explicitly allowed', () => {
    const base = { accountId: ACCOUNT, keyId: 'k', secretKey: 's', confirmationSecret: SECRET };
    expect(alpacaBaseUrl(parseAlpacaConfig(base))).toBe(ALPACA_PAPER_URL);
    expect(() => alpacaBaseUrl(parseAlpacaConfig({ ...base, mode: 'live' }))).toThrow(
      expect.objectContaining({
        code: 'live_trading_disabled',
        message: expect.stringContaining('allowLive: true'),
      }),
    );
    expect(() => alpacaBaseUrl(parseAlpacaConfig({ ...base, baseUrl: `${ALPACA_LIVE_URL}/` }))).toThrow(
      expect.objectContaining({ code: 'live_trading_disabled' }),
    );
    expect(alpacaBaseUrl(parseAlpacaConfig({ ...base, mode: 'live', allowLive: true }))).toBe(
      ALPACA_LIVE_URL,
    );
    expect(() => new AlpacaBroker({ ...base, mode: 'live' }, { quotes })).toThrow(
      'Alpaca live trading is disabled',
    );
  });

  it('refuses an invalid configuration with the field named', () => {
    expect(() =>
      parseAlpacaConfig({ accountId: ACCOUNT, keyId: 'k', secretKey: 's', confirmationSecret: 'short' }),
    ).toThrow(
      expect.objectContaining({
        code: 'invalid_config',
        message: expect.stringContaining('confirmationSecret'),
      }),
    );
  });
});

describe('Alpaca adapter over HTTP', () => {
  it('maps the account and positions (a short has a negative quantity), sending the API keys', async () => {
    const { broker } = await connect({});
    expect(await broker.account(ACCOUNT)).toEqual({
      accountId: ACCOUNT,
      currency: 'USD',
      cash: '50000',
      equity: '57600',
      startOfDayEquity: '57000',
      buyingPower: '98000',
      allowShort: true,
      positions: [
        { symbol: 'AAPL', quantity: '50', averageEntryPrice: '170.2', lastPrice: '187', marketValue: '9350' },
        { symbol: 'TSLA', quantity: '-10', averageEntryPrice: '180', lastPrice: '175', marketValue: '-1750' },
      ],
    });
    expect(server!.requests[0]!.headers).toMatchObject({
      'apca-api-key-id': 'key-id',
      'apca-api-secret-key': 'secret',
    });
  });

  it('maps orders: status, decimals, synthesized transitions', async () => {
    const { broker } = await connect({
      'GET /v2/orders/61e69015-8549-4bfd-b9c3-01e75843f47d': { fixture: 'order-partially-filled.json' },
    });
    const order = await broker.getOrder(ACCOUNT, '61e69015-8549-4bfd-b9c3-01e75843f47d');
    expect(order).toMatchObject({
      id: '61e69015-8549-4bfd-b9c3-01e75843f47d',
      accountId: ACCOUNT,
      clientOrderId: 'sp-0001',
      type: 'limit',
      quantity: '10',
      limitPrice: '187.5',
      status: 'partially_filled',
      alpacaStatus: 'partially_filled',
      filledQuantity: '4',
      averageFillPrice: '187.42',
      filledNotional: '749.68',
      expiresAt: '2024-03-05T21:00:00.000Z',
    });
    expect(order.transitions.map((t) => `${t.from}→${t.to}@${t.at}`)).toEqual([
      'new→accepted@2024-03-05T15:00:01.937Z',
      'accepted→partially_filled@2024-03-05T15:04:10.120Z',
    ]);
  });

  it('maps filled notional, replaced and trailing-stop orders', () => {
    expect(toOrder(fixture('order-filled.json'), ACCOUNT)).toMatchObject({
      type: 'market',
      quantity: null,
      notional: '500',
      status: 'filled',
      filledQuantity: '2.67379679',
      averageFillPrice: '187',
      commission: '0.00',
    });
    const replaced = toOrder(fixture('order-replaced.json'), ACCOUNT);
    expect(replaced).toMatchObject({
      status: 'canceled',
      replacedBy: '7d4e0f35-3d0b-4a54-9f4f-0f6c5bdeac11',
    });
    expect(replaced.transitions.at(-1)).toMatchObject({
      to: 'canceled',
      reason: 'replaced by order 7d4e0f35-3d0b-4a54-9f4f-0f6c5bdeac11',
    });
    expect(toOrder(fixture('order-trailing-stop.json'), ACCOUNT)).toMatchObject({
      type: 'trailing_stop',
      status: 'accepted',
      trailPercent: '5',
      trailingMark: '188',
      stopPrice: '178.6',
      timeInForce: 'gtc',
      expiresAt: '2024-06-03T20:00:00.000Z',
    });
  });

  it('lists orders with Alpaca’s query parameters', async () => {
    const { broker } = await connect({});
    const orders = await broker.listOrders(ACCOUNT, { status: 'all', symbols: ['AAPL', 'MSFT'], limit: 50 });
    expect(orders.map((o) => [o.symbol, o.status])).toEqual([['MSFT', 'accepted']]);
    expect(server!.requests[0]).toMatchObject({
      method: 'GET',
      path: '/v2/orders',
      query: { status: 'all', limit: '50', direction: 'desc', symbols: 'AAPL,MSFT' },
    });
  });

  it('previews with our risk checks and a confirmation token', async () => {
    const { broker } = await connect({});
    const preview = await broker.preview(ACCOUNT, request);
    expect(preview.risk.passed).toBe(true);
    expect(preview.estimatedPrice).toBe('187');
    // Open MSFT buy (5 × 400) is reserved against the 50,000 cash.
    expect(preview.risk.checks[0]!.numbers).toMatchObject({ limit: '48000', reserved: '2000' });
    expect(preview.confirmation?.expiresAt).toBe('2024-03-05T15:02:00.000Z');
  });

  it('places a confirmed order: risk again, then POST /v2/orders with string decimals', async () => {
    const { broker } = await connect({ 'POST /v2/orders': { fixture: 'order-accepted.json' } });
    const { confirmation } = await broker.preview(ACCOUNT, request);
    const order = await broker.place(ACCOUNT, request, confirmation!.token);
    expect(order).toMatchObject({ status: 'accepted', clientOrderId: 'sp-0001', limitPrice: '187.5' });
    const post = server!.requests.find((r) => r.method === 'POST')!;
    expect(post.path).toBe('/v2/orders');
    expect(post.body).toEqual({
      symbol: 'AAPL',
      side: 'buy',
      type: 'limit',
      time_in_force: 'day',
      client_order_id: 'sp-0001',
      qty: '10',
      limit_price: '187.5',
    });
  });

  it('returns the existing order when the client order id was already placed with the same request', async () => {
    const { broker } = await connect({
      'GET /v2/orders:by_client_order_id': { fixture: 'order-accepted.json' },
    });
    const { token } = await issueConfirmation(ACCOUNT, request, { secret: SECRET, now: NOW });
    const order = await broker.place(ACCOUNT, request, token);
    expect(order.id).toBe('61e69015-8549-4bfd-b9c3-01e75843f47d');
    expect(server!.requests.some((r) => r.method === 'POST')).toBe(false);
    const other = { ...request, quantity: '11' };
    const { token: t2 } = await issueConfirmation(ACCOUNT, other, { secret: SECRET, now: NOW });
    expect((await failure(broker.place(ACCOUNT, other, t2))).code).toBe('duplicate_client_order_id');
  });

  it('sends nothing without a valid confirmation or when risk fails on fresh state', async () => {
    const { broker } = await connect({ 'POST /v2/orders': { fixture: 'order-accepted.json' } });
    const bad = await failure(broker.place(ACCOUNT, request, 'not-a-token'));
    expect(bad.code).toBe('confirmation_invalid');
    const big = { ...request, quantity: '300' };
    const { token } = await issueConfirmation(ACCOUNT, big, { secret: SECRET, now: NOW });
    const rejected = await failure(broker.place(ACCOUNT, big, token));
    expect(rejected.code).toBe('risk_rejected');
    expect(rejected.message).toContain('order notional $56,250.00 exceeds the $50,000.00 limit');
    expect(server!.requests.some((r) => r.method === 'POST')).toBe(false);
  });

  it('maps a 403 rejection with Alpaca’s code and message', async () => {
    const { broker } = await connect({
      'POST /v2/orders': { status: 403, fixture: 'error-403-buying-power.json' },
    });
    const { token } = await issueConfirmation(ACCOUNT, request, { secret: SECRET, now: NOW });
    const e = await failure(broker.place(ACCOUNT, request, token));
    expect(e).toMatchObject({
      code: 'broker_rejected',
      message: 'Alpaca refused the request (403): insufficient buying power',
      details: { status: 403, alpacaCode: 40310000, alpacaMessage: 'insufficient buying power' },
    });
  });

  it('maps 429 with Retry-After or X-RateLimit-Reset', async () => {
    const { broker } = await connect({
      'GET /v2/account': { status: 429, fixture: 'error-429.json', headers: { 'retry-after': '3' } },
    });
    const e = await failure(broker.account(ACCOUNT));
    expect(e).toMatchObject({
      code: 'rate_limited',
      message: 'Alpaca rate limit reached (429): retry after 3 s',
      details: { retryAfterSeconds: 3 },
    });
    server!.routes['GET /v2/account'] = {
      status: 429,
      fixture: 'error-429.json',
      headers: {
        'x-ratelimit-limit': '200',
        'x-ratelimit-remaining': '0',
        'x-ratelimit-reset': String(NOW.getTime() / 1000 + 42),
      },
    };
    expect((await failure(broker.account(ACCOUNT))).details).toMatchObject({ retryAfterSeconds: 42 });
  });

  it('cancels (DELETE then GET) and maps 422 to not_cancelable', async () => {
    const id = '61e69015-8549-4bfd-b9c3-01e75843f47d';
    const { broker } = await connect({
      [`DELETE /v2/orders/${id}`]: { status: 204 },
      [`GET /v2/orders/${id}`]: { fixture: 'order-canceled.json' },
    });
    expect(await broker.cancel(ACCOUNT, id)).toMatchObject({ status: 'canceled' });
    server!.routes[`DELETE /v2/orders/${id}`] = { status: 422, fixture: 'error-422-not-cancelable.json' };
    expect(await failure(broker.cancel(ACCOUNT, id))).toMatchObject({
      code: 'not_cancelable',
      message: `Order ${id} can no longer be canceled: Alpaca could not process the request (422): order is not cancelable`,
    });
  });

  it('replaces with a confirmation bound to the replaced order: PATCH with the new terms', async () => {
    const id = '61e69015-8549-4bfd-b9c3-01e75843f47d';
    const { broker } = await connect({
      [`GET /v2/orders/${id}`]: { fixture: 'order-accepted.json' },
      [`PATCH /v2/orders/${id}`]: { fixture: 'order-replacement.json' },
    });
    const changes = { clientOrderId: 'sp-0003', quantity: '20', limitPrice: '188' };
    const next = { ...request, clientOrderId: 'sp-0003', quantity: '20', limitPrice: '188' };
    const preview = await broker.preview(ACCOUNT, next, { replaces: id });
    const order = await broker.replace(ACCOUNT, id, changes, preview.confirmation!.token);
    expect(order).toMatchObject({
      clientOrderId: 'sp-0003',
      replaces: id,
      quantity: '20',
      status: 'accepted',
    });
    expect(server!.requests.find((r) => r.method === 'PATCH')!.body).toEqual({
      qty: '20',
      time_in_force: 'day',
      limit_price: '188',
      client_order_id: 'sp-0003',
    });
    const { token } = await issueConfirmation(ACCOUNT, next, { secret: SECRET, now: NOW });
    expect((await failure(broker.replace(ACCOUNT, id, changes, token))).code).toBe('confirmation_mismatch');
  });

  it('reports wrong keys, unknown accounts and an unreachable server', async () => {
    const { server: s } = await connect({});
    const wrongKeys = new AlpacaBroker(config(s.url, { keyId: 'other' }), { quotes });
    expect(await failure(wrongKeys.account(ACCOUNT))).toMatchObject({
      code: 'unauthenticated',
      message: 'Alpaca rejected the API keys (401): request is not authorized',
    });
    const broker = new AlpacaBroker(config(s.url), { quotes });
    expect((await failure(broker.account('someone-else'))).code).toBe('not_found');
    const url = s.url;
    await s.close();
    server = undefined;
    expect((await failure(new AlpacaBroker(config(url), { quotes }).account(ACCOUNT))).code).toBe(
      'unavailable',
    );
  });
});
