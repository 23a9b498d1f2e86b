import { BrokerError } from './errors.js';
import type { Order } from './order.js';

/** Order states of issue 5; a replaced order ends `canceled` with `replacedBy` set. */
export const ORDER_STATUSES = [
  'new',
  'accepted',
  'partially_filled',
  'filled',
  'canceled',
  'rejected',
  'expired',
] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

export interface StatusTransition {
  from: OrderStatus;
  to: OrderStatus;
  at: string;
  reason: string;
}

const NEXT: Record<OrderStatus, readonly OrderStatus[]> = {
  new: ['accepted', 'rejected', 'canceled'],
  accepted: ['partially_filled', 'filled', 'canceled', 'expired', 'rejected'],
  partially_filled: ['filled', 'canceled', 'expired'],
  filled: [],
  canceled: [],
  rejected: [],
  expired: [],
};

export const OPEN_STATUSES: readonly OrderStatus[] = ['new', 'accepted', 'partially_filled'];
export const TERMINAL_STATUSES: readonly OrderStatus[] = ['filled', 'canceled', 'rejected', 'expired'];

export const canTransition = (from: OrderStatus, to: OrderStatus): boolean => NEXT[from].includes(to);
export const isOpen = (order: Pick<Order, 'status'>): boolean => OPEN_STATUSES.includes(order.status);
/** Accepted orders that can still fill (a `new` order has not passed risk checks yet). */
export const isWorking = (order: Pick<Order, 'status'>): boolean =>
  order.status === 'accepted' || order.status === 'partially_filled';

/** The order in its new state, the move recorded; an illegal move throws `illegal_transition`. */
export function transition(order: Order, to: OrderStatus, at: string, reason: string): Order {
  if (!canTransition(order.status, to)) {
    throw new BrokerError(
      'illegal_transition',
      `Order ${order.id} cannot go from ${order.status} to ${to}` +
        (NEXT[order.status].length ? ` (allowed: ${NEXT[order.status].join(', ')})` : ' (it is final)'),
      { orderId: order.id, from: order.status, to },
    );
  }
  const record: StatusTransition = { from: order.status, to, at, reason };
  return { ...order, status: to, updatedAt: at, transitions: [...order.transitions, record] };
}

/** Cancel an open order (`not_cancelable` once it is final). */
export function cancelOrder(order: Order, at: string, reason = 'canceled by request'): Order {
  if (!isOpen(order)) {
    throw new BrokerError(
      'not_cancelable',
      `Order ${order.id} is ${order.status} and can no longer be canceled`,
      {
        orderId: order.id,
        status: order.status,
      },
    );
  }
  return transition(order, 'canceled', at, reason);
}

/** Close an open order because `replacementId` replaces it (fills so far stay with it). */
export function markReplaced(order: Order, replacementId: string, at: string): Order {
  return { ...cancelOrder(order, at, `replaced by order ${replacementId}`), replacedBy: replacementId };
}

/** Expire a working order whose `expiresAt` has passed at `now`; otherwise return it unchanged. */
export function expireIfDue(order: Order, now: string): Order {
  if (!isWorking(order) || Date.parse(now) < Date.parse(order.expiresAt)) return order;
  const reason =
    order.timeInForce === 'gtc'
      ? 'GTC order reached its 90-day limit'
      : `${order.timeInForce.toUpperCase()} order expired at the session close`;
  return transition(order, 'expired', order.expiresAt, reason);
}
