import { money } from '@stockpulse/domain';
import { z } from 'zod';
import { BrokerError } from './errors.js';
import { plain, stripUndefined } from './format.js';
import {
  decimalString,
  type Order,
  type OrderRequest,
  OrderRequestSchema,
  orderRequestOf,
  parseOrderRequest,
  TIMES_IN_FORCE,
} from './order.js';

/** What a cancel-replace may change; the symbol, side and type stay. */
export const OrderChangesSchema = z.strictObject({
  clientOrderId: OrderRequestSchema.shape.clientOrderId.describe('A new idempotency key for the replacement'),
  quantity: decimalString('a share count')
    .optional()
    .describe('New total quantity including what already filled (FIX convention); omit to keep'),
  limitPrice: decimalString('a price').optional(),
  stopPrice: decimalString('a price').optional(),
  trailPercent: decimalString('a percentage').optional(),
  trailPrice: decimalString('a price').optional(),
  timeInForce: z.enum(TIMES_IN_FORCE).optional(),
});
export type OrderChanges = z.input<typeof OrderChangesSchema>;

/**
 * The request for the order that replaces `order`: its fields with `changes` applied and the new
 * quantity net of what already filled. The old order is then closed with `markReplaced`.
 */
export function replacementRequest(order: Order, changes: OrderChanges): OrderRequest {
  const c = OrderChangesSchema.safeParse(changes);
  if (!c.success) {
    const issues = c.error.issues.map((i) => ({ field: i.path.join('.'), message: i.message }));
    throw new BrokerError(
      'invalid_order',
      `Invalid changes: ${issues.map((i) => `${i.field}: ${i.message}`).join('; ')}`,
      {
        issues,
      },
    );
  }
  if (order.notional !== null) {
    throw new BrokerError(
      'invalid_order',
      'A notional order cannot be replaced; cancel it and place a new one',
    );
  }
  const filled = money(order.filledQuantity);
  const total = money(c.data.quantity ?? order.quantity!);
  if (total.lte(filled)) {
    throw new BrokerError(
      'invalid_order',
      `quantity: the new total ${plain(total)} must exceed the ${plain(filled)} already filled`,
      { issues: [{ field: 'quantity', message: 'must exceed the filled quantity' }] },
    );
  }
  const base = orderRequestOf(order);
  return parseOrderRequest(
    stripUndefined({
      ...base,
      ...c.data,
      quantity: plain(total.minus(filled)),
      trailPercent: c.data.trailPrice !== undefined ? undefined : (c.data.trailPercent ?? base.trailPercent),
      trailPrice: c.data.trailPercent !== undefined ? undefined : (c.data.trailPrice ?? base.trailPrice),
    }),
  );
}
