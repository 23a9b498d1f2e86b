import { BrokerError } from './errors.js';
import { type Order, type OrderRequestInput, requestHash } from './order.js';

/**
 * `clientOrderId` is the idempotency key, unique per account. Given the order already stored under the
 * request's key (if any): a retry of the same request returns that order; the same key with a
 * different request is refused with `duplicate_client_order_id`.
 */
export function resolveClientOrderId(
  existing: Order | null | undefined,
  request: OrderRequestInput,
): { kind: 'new' } | { kind: 'replay'; order: Order } {
  if (!existing) return { kind: 'new' };
  if (existing.requestHash === requestHash(request)) return { kind: 'replay', order: existing };
  throw new BrokerError(
    'duplicate_client_order_id',
    `clientOrderId ${existing.clientOrderId} was already used for a different order (${existing.id})`,
    { orderId: existing.id, clientOrderId: existing.clientOrderId },
  );
}
