import type { Confirmation } from './confirmation.js';
import type { Quote } from './estimate.js';
import type { Order, OrderRequestInput } from './order.js';
import type { OrderPreview } from './preview.js';
import type { OrderChanges } from './replace.js';
import type { OrderStatus } from './state.js';

export interface Position {
  symbol: string;
  /** Signed: negative for a short. */
  quantity: string;
  averageEntryPrice: string | null;
  lastPrice: string;
  marketValue: string;
}

export interface AccountState {
  accountId: string;
  currency: 'USD';
  cash: string;
  equity: string;
  /** Equity at the previous close: the base of the daily-loss kill switch. */
  startOfDayEquity: string;
  buyingPower: string;
  allowShort: boolean;
  positions: Position[];
}

export interface PreviewResult extends OrderPreview {
  /** Present only when every risk check passed: pass its token to `place` (or `replace`). */
  confirmation: Confirmation | null;
}

export interface OrderFilter {
  /** open: new, accepted, partially_filled; closed: the rest. Default open. */
  status?: 'open' | 'closed' | 'all';
  statuses?: OrderStatus[];
  symbols?: string[];
  limit?: number;
}

/** Latest price of a symbol, for previews and risk; the market-data layer provides it. */
export interface QuoteSource {
  quote(symbol: string): Promise<Quote>;
}

/**
 * One broker, several backends: the paper broker (Postgres) and Alpaca implement it. Every call names
 * the account; an implementation refuses accounts it does not serve with `not_found`. `place` and
 * `replace` run only with a confirmation from `preview` for exactly that request, and re-run the
 * pre-trade risk checks on fresh state. Placing is idempotent on `clientOrderId`.
 */
export interface Broker {
  preview(
    accountId: string,
    request: OrderRequestInput,
    opts?: { replaces?: string },
  ): Promise<PreviewResult>;
  place(accountId: string, request: OrderRequestInput, confirmationToken: string): Promise<Order>;
  cancel(accountId: string, orderId: string): Promise<Order>;
  /** Cancel-replace: `changes` must match what was previewed via `replacementRequest`. */
  replace(
    accountId: string,
    orderId: string,
    changes: OrderChanges,
    confirmationToken: string,
  ): Promise<Order>;
  getOrder(accountId: string, orderId: string): Promise<Order>;
  listOrders(accountId: string, filter?: OrderFilter): Promise<Order[]>;
  account(accountId: string): Promise<AccountState>;
}
