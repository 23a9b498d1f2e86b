import { Money, money } from '@stockpulse/domain';
import type { Decimal } from 'decimal.js';
import { applySlippage, type CommissionModel, commissionFor, type SlippageModel } from './fees.js';
import { plain } from './format.js';
import { type Order, type OrderRequest, type OrderSide, QUANTITY_DECIMALS } from './order.js';

/** The market for one symbol: `price` is the last trade; bid/ask, when known, price market orders. */
export interface Quote {
  symbol: string;
  price: string;
  bid?: string;
  ask?: string;
  at?: string;
}

type Priced = Pick<
  OrderRequest,
  'type' | 'side' | 'limitPrice' | 'stopPrice' | 'trailPercent' | 'trailPrice'
>;

export interface PricingModels {
  commission: CommissionModel;
  slippage: SlippageModel;
}

export interface OrderEstimate {
  /** Where the order would fill now (a resting order: at its limit or stop), after slippage. */
  expectedPrice: string;
  /** What risk values the order at: the limit for limit and stop-limit orders, else the expected price. */
  riskPrice: string;
  /** Shares; for a notional order, the notional at the expected price (8 decimals, rounded down). */
  quantity: string;
  /** quantity × riskPrice, or the notional of a notional order. */
  notional: string;
  /** Commission on the whole order. */
  fees: string;
}

/** The price a taker pays (buy) or receives (sell) now: ask/bid when quoted, else the last price. */
function marketPrice(quote: Quote, side: OrderSide): Decimal {
  return money((side === 'buy' ? quote.ask : quote.bid) ?? quote.price);
}

export function expectedPrice(order: Priced, quote: Quote, slippage: SlippageModel): Decimal {
  const market = marketPrice(quote, order.side);
  const buy = order.side === 'buy';
  const taker = (p: Decimal.Value) => money(applySlippage(slippage, p, order.side));
  // A stop already through the market triggers at once; otherwise expect a fill at the stop.
  const atStop = (stop: Decimal) => (buy ? Money.max(stop, market) : Money.min(stop, market));
  switch (order.type) {
    case 'market':
      return taker(market);
    case 'limit': {
      const limit = money(order.limitPrice!);
      return buy ? Money.min(limit, taker(market)) : Money.max(limit, taker(market));
    }
    case 'stop':
      return taker(atStop(money(order.stopPrice!)));
    case 'stop_limit': {
      const limit = money(order.limitPrice!);
      const trigger = atStop(money(order.stopPrice!));
      return buy ? Money.min(limit, trigger) : Money.max(limit, trigger);
    }
    case 'trailing_stop': {
      const distance =
        order.trailPercent !== undefined
          ? money(quote.price).times(order.trailPercent).div(100)
          : money(order.trailPrice!);
      return taker(money(quote.price).plus(buy ? distance : distance.neg()));
    }
  }
}

export function estimateOrder(request: OrderRequest, quote: Quote, models: PricingModels): OrderEstimate {
  const expected = expectedPrice(request, quote, models.slippage);
  const risk = request.limitPrice !== undefined ? money(request.limitPrice) : expected;
  const quantity =
    request.quantity !== undefined
      ? money(request.quantity)
      : money(request.notional!).div(expected).toDecimalPlaces(QUANTITY_DECIMALS, Money.ROUND_DOWN);
  const notional = request.notional !== undefined ? money(request.notional) : quantity.times(risk);
  return {
    expectedPrice: plain(expected),
    riskPrice: plain(risk),
    quantity: plain(quantity),
    notional: plain(notional),
    fees: commissionFor(models.commission, { quantity, notional: quantity.times(expected) }),
  };
}

/** What an open order holds back: shares for a sell, cash (at its risk price, with fees) for a buy. */
export interface OpenOrderReservation {
  orderId?: string;
  symbol: string;
  side: OrderSide;
  quantity: string;
  cash: string;
}

/** The reservation of a working order, its unfilled part valued like a new order at `quote`. */
export function reservationFor(order: Order, quote: Quote, models: PricingModels): OpenOrderReservation {
  const priced = {
    type: order.type,
    side: order.side,
    limitPrice: order.limitPrice ?? undefined,
    stopPrice: order.stopPrice ?? undefined,
    trailPercent: order.trailPercent ?? undefined,
    trailPrice: order.trailPrice ?? undefined,
  };
  const expected = expectedPrice(priced, quote, models.slippage);
  const risk = order.limitPrice !== null ? money(order.limitPrice) : expected;
  const quantity =
    order.quantity !== null
      ? money(order.quantity).minus(order.filledQuantity)
      : money(order.notional!)
          .minus(order.filledNotional)
          .div(expected)
          .toDecimalPlaces(QUANTITY_DECIMALS, Money.ROUND_DOWN);
  const filled = { quantity: order.filledQuantity, notional: order.filledNotional };
  const all = {
    quantity: quantity.plus(order.filledQuantity),
    notional: quantity.times(expected).plus(order.filledNotional),
  };
  const fees = money(commissionFor(models.commission, all)).minus(commissionFor(models.commission, filled));
  const cash =
    order.side === 'sell'
      ? money(0)
      : order.quantity === null
        ? money(order.notional!).minus(order.filledNotional).plus(fees)
        : quantity.times(risk).plus(fees);
  const cents = cash.toDecimalPlaces(2, Money.ROUND_UP).toFixed(2);
  return {
    orderId: order.id,
    symbol: order.symbol,
    side: order.side,
    quantity: plain(quantity),
    cash: cents,
  };
}
