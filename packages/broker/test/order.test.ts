import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  type BrokerError,
  createOrder,
  OrderRequestSchema,
  parseOrderRequest,
  replacementRequest,
  requestHash,
  resolveClientOrderId,
} from '../src/index.js';
import { ACCOUNT, accepted, run, tick } from './helpers.js';

const base = { clientOrderId: 'c1', symbol: 'AAPL', side: 'buy', type: 'market', quantity: '10' } as const;

function issues(input: Record<string, unknown>) {
  try {
    parseOrderRequest(input);
  } catch (e) {
    const err = e as BrokerError;
    expect(err.code).toBe('invalid_order');
    return (err.details!.issues as { field: string; message: string }[]).map(
      (i) => `${i.field}: ${i.message}`,
    );
  }
  throw new Error('expected the order to be refused');
}

describe('order requests', () => {
  it('parse into a canonical form with day as the default time in force', () => {
    expect(parseOrderRequest({ ...base, type: 'limit', quantity: '10.50', limitPrice: '187.10' })).toEqual({
      ...base,
      type: 'limit',
      quantity: '10.5',
      limitPrice: '187.1',
      timeInForce: 'day',
    });
  });

  it('say which field is wrong and why', () => {
    expect(issues({ ...base, notional: '500' })).toEqual([
      'notional: give exactly one of quantity or notional',
    ]);
    expect(issues({ ...base, quantity: undefined })).toEqual([
      'quantity: give exactly one of quantity or notional',
    ]);
    expect(
      issues({ ...base, quantity: undefined, notional: '500', type: 'limit', limitPrice: '10' }),
    ).toEqual(['notional: is only allowed for market orders, not limit']);
    expect(issues({ ...base, type: 'limit' })).toEqual(['limitPrice: is required for limit orders']);
    expect(issues({ ...base, type: 'stop_limit', stopPrice: '10' })).toEqual([
      'limitPrice: is required for stop_limit orders',
    ]);
    expect(issues({ ...base, stopPrice: '10' })).toEqual(['stopPrice: is not allowed for market orders']);
    expect(issues({ ...base, type: 'stop', stopPrice: '10', timeInForce: 'ioc' })).toEqual([
      'timeInForce: ioc is not allowed for stop orders (allowed: day, gtc)',
    ]);
    expect(issues({ ...base, type: 'limit', limitPrice: '187.105' })).toEqual([
      'limitPrice: must be whole cents at or above $1.00 (no sub-penny prices)',
    ]);
    expect(issues({ ...base, quantity: '0.123456789' })).toEqual([
      'quantity: has more than 8 decimal places',
    ]);
    expect(issues({ ...base, quantity: '0' })).toEqual(['quantity: must be greater than 0']);
    expect(issues({ ...base, quantity: 10 })).toEqual([
      'quantity: Invalid input: expected string, received number',
    ]);
    expect(issues({ ...base, quantity: '1e3' })).toEqual([
      'quantity: must be a share count as a decimal string, e.g. "10" or "0.5"',
    ]);
    expect(issues({ ...base, qty: '10' })).toEqual(['qty: Unrecognized key: "qty"']);
    expect(issues({ ...base, type: 'trailing_stop' })).toEqual([
      'trailPercent: give exactly one of trailPercent or trailPrice for trailing_stop orders',
    ]);
    expect(issues({ ...base, type: 'trailing_stop', trailPercent: '100' })).toEqual([
      'trailPercent: must be between 0 and 100 (percent)',
    ]);
    expect(issues({ ...base, quantity: undefined, notional: '0.5' })).toEqual([
      'notional: must be at least $1.00',
    ]);
    expect(issues({ ...base, symbol: 'aapl' })).toEqual([
      'symbol: must be an upper-case ticker like AAPL or BRK.B',
    ]);
  });

  it('allow sub-penny prices below $1.00', () => {
    expect(parseOrderRequest({ ...base, type: 'limit', limitPrice: '0.1234' }).limitPrice).toBe('0.1234');
  });

  it('give a JSON Schema for MCP tool input', () => {
    const schema = z.toJSONSchema(OrderRequestSchema, { io: 'input' }) as {
      properties: Record<string, unknown>;
      required: string[];
    };
    expect(Object.keys(schema.properties)).toContain('trailPercent');
    expect(schema.required).toEqual(['clientOrderId', 'symbol', 'side', 'type']);
  });

  it('hash equal for requests that mean the same order', () => {
    const a = requestHash({ ...base, quantity: '10.0' });
    expect(
      requestHash({ quantity: '10', type: 'market', side: 'buy', symbol: 'AAPL', clientOrderId: 'c1' }),
    ).toBe(a);
    expect(requestHash({ ...base, timeInForce: 'day' })).toBe(a);
    expect(requestHash({ ...base, quantity: '11' })).not.toBe(a);
  });
});

describe('idempotent client order ids', () => {
  const stored = createOrder(base, { id: 'o1', accountId: ACCOUNT, at: '2024-03-05T15:00:00Z' });

  it('returns the stored order for a retry of the same request', () => {
    expect(resolveClientOrderId(undefined, base)).toEqual({ kind: 'new' });
    expect(resolveClientOrderId(stored, { ...base, quantity: '10.00' })).toEqual({
      kind: 'replay',
      order: stored,
    });
  });

  it('refuses the same key for a different order', () => {
    expect(() => resolveClientOrderId(stored, { ...base, quantity: '20' })).toThrow(
      expect.objectContaining({
        code: 'duplicate_client_order_id',
        message: 'clientOrderId c1 was already used for a different order (o1)',
      }),
    );
  });
});

describe('replacement requests', () => {
  it('apply the changes, net of what already filled (quantity is the new total)', () => {
    const order = accepted({ type: 'limit', limitPrice: '100', quantity: '100' });
    const partial = run(order, [tick('2024-03-05T10:01:00-05:00', '99', '300')]).order;
    expect(partial.filledQuantity).toBe('30');
    expect(replacementRequest(partial, { clientOrderId: 'c2', quantity: '80', limitPrice: '101' })).toEqual({
      clientOrderId: 'c2',
      symbol: 'AAPL',
      side: 'buy',
      type: 'limit',
      timeInForce: 'day',
      quantity: '50',
      limitPrice: '101',
    });
    expect(() => replacementRequest(partial, { clientOrderId: 'c2', quantity: '30' })).toThrow(
      'quantity: the new total 30 must exceed the 30 already filled',
    );
  });
});
