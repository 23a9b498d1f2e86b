import type { OrderRequestInput, OrderSide, OrderType, TimeInForce } from '@stockpulse/broker';
import type { MarketView } from './market-view.js';

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** A holding at the close being decided on, valued at that close. */
export interface PositionView {
  symbol: string;
  /** Signed shares. */
  quantity: string;
  /** The symbol's latest close. */
  price: string;
  marketValue: string;
  /** marketValue ÷ equity (a float, for decisions; the engine sizes orders exactly). */
  weight: number;
}

/** A working order (placed earlier, not yet final), with what is left of it. */
export interface OpenOrderView {
  id: string;
  symbol: string;
  side: OrderSide;
  type: OrderType;
  timeInForce: TimeInForce;
  /** Unfilled shares; null for a notional order. */
  remainingQuantity: string | null;
  limitPrice: string | null;
  stopPrice: string | null;
  createdAt: string;
}

/** The account at the close being decided on. */
export interface PortfolioView {
  readonly cash: string;
  readonly equity: string;
  /** Non-zero holdings, by symbol. */
  readonly positions: readonly PositionView[];
  readonly openOrders: readonly OpenOrderView[];
  position(symbol: string): PositionView | undefined;
  /** Signed shares held (0 if none), as a float. */
  quantity(symbol: string): number;
}

/** An order a strategy asks for; the engine gives it a `clientOrderId`. */
export type OrderIntent = Omit<OrderRequestInput, 'clientOrderId'>;

/**
 * What a strategy wants after one close. All of it is placed at that close and can fill from the
 * next bar on.
 * - `targets`: weights of equity (0.1 = 10%) for the listed symbols only; others keep what they hold.
 *   The engine sizes each as whole shares, ⌊weight × equity ÷ close⌋, replaces any working orders for
 *   the symbol and sends a DAY market order for the difference. 0 closes the position.
 * - `orders`: explicit orders (any type and time in force the broker accepts).
 * - `cancel`: ids of working orders to cancel.
 */
export interface Decision {
  targets?: Readonly<Record<string, number>>;
  orders?: readonly OrderIntent[];
  cancel?: readonly string[];
}

export interface StrategyContext {
  market: MarketView;
  portfolio: PortfolioView;
}

/**
 * A trading rule. `decide` is called at every close but the last, sees only the bars up to that
 * close (the view offers nothing later) and should depend on nothing but its context, so the same
 * run twice gives the same result. `name` and `params` identify the strategy in the run's hash:
 * change the name when the rule's code changes meaning.
 */
export interface Strategy {
  readonly name: string;
  readonly params: Readonly<Record<string, JsonValue>>;
  decide(context: StrategyContext): Decision | undefined;
}
