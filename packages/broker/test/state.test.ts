import { describe, expect, it } from 'vitest';
import {
  cancelOrder,
  canTransition,
  createOrder,
  isBrokerError,
  markReplaced,
  ORDER_STATUSES,
  TERMINAL_STATUSES,
  transition,
} from '../src/index.js';
import { ACCOUNT, accepted, path } from './helpers.js';

const request = { clientOrderId: 'c1', symbol: 'AAPL', side: 'buy', type: 'market', quantity: '10' } as const;

describe('order state machine', () => {
  it('records every transition with from, to, at and reason', () => {
    let o = createOrder(request, { id: 'o1', accountId: ACCOUNT, at: '2024-03-05T15:00:00Z' });
    expect(o.status).toBe('new');
    o = transition(o, 'accepted', '2024-03-05T15:00:01Z', 'passed risk');
    o = transition(o, 'partially_filled', '2024-03-05T15:00:02Z', 'filled 5 of 10');
    o = transition(o, 'filled', '2024-03-05T15:00:03Z', 'filled 10');
    expect(o.transitions).toEqual([
      { from: 'new', to: 'accepted', at: '2024-03-05T15:00:01Z', reason: 'passed risk' },
      { from: 'accepted', to: 'partially_filled', at: '2024-03-05T15:00:02Z', reason: 'filled 5 of 10' },
      { from: 'partially_filled', to: 'filled', at: '2024-03-05T15:00:03Z', reason: 'filled 10' },
    ]);
    expect(o.updatedAt).toBe('2024-03-05T15:00:03Z');
  });

  it('refuses illegal transitions, naming the allowed ones', () => {
    const o = createOrder(request, { id: 'o1', accountId: ACCOUNT, at: '2024-03-05T15:00:00Z' });
    expect(() => transition(o, 'filled', 'x', 'r')).toThrow(
      'Order o1 cannot go from new to filled (allowed: accepted, rejected, canceled)',
    );
    const filled = transition(transition(o, 'accepted', 'x', 'r'), 'filled', 'x', 'r');
    try {
      transition(filled, 'canceled', 'x', 'r');
      expect.unreachable();
    } catch (e) {
      expect(isBrokerError(e, 'illegal_transition')).toBe(true);
      expect((e as Error).message).toBe('Order o1 cannot go from filled to canceled (it is final)');
    }
  });

  it('knows which moves exist: terminal states have none, partial fills cannot be rejected', () => {
    for (const from of TERMINAL_STATUSES)
      for (const to of ORDER_STATUSES) expect(canTransition(from, to)).toBe(false);
    expect(canTransition('partially_filled', 'rejected')).toBe(false);
    expect(canTransition('accepted', 'accepted')).toBe(false);
    expect(canTransition('partially_filled', 'expired')).toBe(true);
  });

  it('cancels open orders only', () => {
    const o = cancelOrder(accepted({}), '2024-03-05T15:01:00Z');
    expect(path(o)).toEqual(['new→accepted', 'accepted→canceled']);
    expect(() => cancelOrder(o, '2024-03-05T15:02:00Z')).toThrow(
      expect.objectContaining({
        code: 'not_cancelable',
        message: 'Order o1 is canceled and can no longer be canceled',
      }),
    );
  });

  it('closes a replaced order as canceled, linked to its replacement', () => {
    const o = markReplaced(accepted({}), 'o2', '2024-03-05T15:01:00Z');
    expect(o).toMatchObject({ status: 'canceled', replacedBy: 'o2' });
    expect(o.transitions.at(-1)!.reason).toBe('replaced by order o2');
  });
});
