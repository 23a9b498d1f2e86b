import {
  type AccountSnapshot,
  createOrder,
  type Fill,
  type MarketEvent,
  type MatchingOptions,
  matchOrder,
  type Order,
  type OrderRequestInput,
  transition,
} from '../src/index.js';

export const ACCOUNT = 'acct-1';

/** An accepted order, as the broker holds it after risk checks. */
export function accepted(
  request: Partial<OrderRequestInput>,
  at = '2024-03-05T10:00:00-05:00',
  id = 'o1',
): Order {
  const full = {
    clientOrderId: `c-${id}`,
    symbol: 'AAPL',
    side: 'buy',
    type: 'market',
    quantity: '100',
    ...request,
  };
  const order = createOrder(full as OrderRequestInput, { id, accountId: ACCOUNT, at });
  return transition(order, 'accepted', order.createdAt, 'passed pre-trade risk checks');
}

export const tick = (ts: string, price: string, size = '10000'): MarketEvent => ({
  kind: 'tick',
  ts,
  price,
  size,
});

export const bar = (
  ts: string,
  open: string,
  high: string,
  low: string,
  close: string,
  volume = '100000',
): MarketEvent => ({
  kind: 'bar',
  ts,
  open,
  high,
  low,
  close,
  volume,
});

/** Feed events in order, collecting every fill. */
export function run(order: Order, events: MarketEvent[], options: Partial<MatchingOptions> = {}) {
  const fills: Fill[] = [];
  let o = order;
  for (const e of events) {
    const r = matchOrder(o, e, options);
    o = r.order;
    fills.push(...r.fills);
  }
  return { order: o, fills };
}

export const path = (o: Order) => o.transitions.map((t) => `${t.from}→${t.to}`);

export function snapshot(overrides: Partial<AccountSnapshot> = {}): AccountSnapshot {
  return {
    accountId: ACCOUNT,
    cash: '100000',
    equity: '200000',
    startOfDayEquity: '200000',
    allowShort: false,
    positions: [
      { symbol: 'AAPL', quantity: '200', lastPrice: '200' },
      { symbol: 'MSFT', quantity: '150', lastPrice: '400' },
    ],
    openOrders: [],
    ...overrides,
  };
}
