import { Money, money } from '@stockpulse/domain';
import type { Decimal } from 'decimal.js';
import type { CostMethod } from './types.js';

/** Signed quantity (negative = short) and the cash paid to open it (negative for a short). */
export interface Lot {
  openedOn: string;
  quantity: Decimal;
  cost: Decimal;
}

export interface ClosedPart {
  date: string;
  openedOn: string;
  quantity: Decimal;
  proceeds: Decimal;
  cost: Decimal;
  pnl: Decimal;
}

/**
 * The open lots of one symbol. FIFO keeps one lot per opening trade and closes the oldest first;
 * the average method is the same book with every opening trade pooled into a single lot, so a
 * sale releases basis at the pooled cost per share.
 */
export class LotBook {
  readonly lots: Lot[] = [];

  constructor(private readonly method: CostMethod) {}

  get quantity(): Decimal {
    return this.lots.reduce((q, lot) => q.plus(lot.quantity), money(0));
  }

  get cost(): Decimal {
    return this.lots.reduce((c, lot) => c.plus(lot.cost), money(0));
  }

  /**
   * A trade of `delta` shares (buy +, sell −) at `price`. It first closes lots of the opposite sign,
   * then opens a lot with what is left; the commission is shared pro rata by quantity.
   * Cash received is −delta·price − commission; realized P&L is that cash less the basis released.
   */
  trade(date: string, delta: Decimal, price: Decimal, commission: Decimal): ClosedPart[] {
    const held = this.quantity;
    const closing = held.isZero() || held.s === delta.s ? money(0) : Money.min(held.abs(), delta.abs());
    const closingCommission = commission.times(closing).div(delta.abs());
    const closed = this.close(date, closing, price, closingCommission);
    const opening = delta.abs().minus(closing);
    if (opening.gt(0)) {
      const quantity = opening.times(delta.s);
      this.open({
        openedOn: date,
        quantity,
        cost: quantity.times(price).plus(commission.minus(closingCommission)),
      });
    }
    return closed;
  }

  /** Every lot's quantity × to/from; costs unchanged, so the cost per share scales by from/to. */
  split(from: Decimal, to: Decimal): void {
    for (const lot of this.lots) lot.quantity = lot.quantity.times(to).div(from);
  }

  private open(lot: Lot): void {
    const pool = this.method === 'average' ? this.lots[0] : undefined;
    if (pool) {
      pool.quantity = pool.quantity.plus(lot.quantity);
      pool.cost = pool.cost.plus(lot.cost);
    } else this.lots.push(lot);
  }

  /** Close `amount` shares (unsigned) from the front; the last piece takes the commission's remainder. */
  private close(date: string, amount: Decimal, price: Decimal, commission: Decimal): ClosedPart[] {
    const parts: ClosedPart[] = [];
    let remaining = amount;
    let commissionLeft = commission;
    while (remaining.gt(0)) {
      const lot = this.lots[0]!;
      const take = Money.min(remaining, lot.quantity.abs());
      const whole = take.eq(lot.quantity.abs());
      const quantity = take.times(lot.quantity.s);
      const cost = whole ? lot.cost : lot.cost.times(take).div(lot.quantity.abs());
      remaining = remaining.minus(take);
      const fee = remaining.isZero() ? commissionLeft : commission.times(take).div(amount);
      commissionLeft = commissionLeft.minus(fee);
      const proceeds = quantity.times(price).minus(fee);
      parts.push({ date, openedOn: lot.openedOn, quantity, proceeds, cost, pnl: proceeds.minus(cost) });
      if (whole) this.lots.shift();
      else {
        lot.quantity = lot.quantity.minus(quantity);
        lot.cost = lot.cost.minus(cost);
      }
    }
    return parts;
  }
}
