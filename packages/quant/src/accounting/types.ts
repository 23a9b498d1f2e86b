import type { Decimal } from 'decimal.js';

/** How a sale is matched to what was bought; chosen once per account. */
export type CostMethod = 'average' | 'fifo';

interface TradeFields {
  /** Trade date, ISO 'YYYY-MM-DD'. */
  date: string;
  symbol: string;
  /** Shares, > 0 (fractions allowed). */
  quantity: Decimal.Value;
  /** Price per share, ≥ 0. */
  price: Decimal.Value;
  /** Fees for the whole trade, ≥ 0 (default 0). */
  commission?: Decimal.Value;
}

export interface BuyEvent extends TradeFields {
  type: 'buy';
}

export interface SellEvent extends TradeFields {
  type: 'sell';
}

/**
 * Every `from` shares become `to` shares: a 4-for-1 split is `{ from: 1, to: 4 }`, a 1-for-10
 * reverse split `{ from: 10, to: 1 }`. `date` is the split's ex-date, the first day the stock
 * trades on the new basis; trades dated that day are in post-split shares.
 */
export interface SplitEvent {
  type: 'split';
  date: string;
  symbol: string;
  from: Decimal.Value;
  to: Decimal.Value;
  /**
   * Pay cash for the fractional share left over (price per post-split share); the fraction is
   * closed like a commission-free sale. Without it the fraction is kept.
   */
  cashInLieuPrice?: Decimal.Value;
}

/**
 * A cash dividend. The shares held when `exDate` opens (after earlier days' trades, before that
 * day's trades) are entitled; the cash is income on `payDate`.
 */
export interface DividendEvent {
  type: 'dividend';
  symbol: string;
  exDate: string;
  payDate: string;
  amountPerShare: Decimal.Value;
}

export type AccountEvent = BuyEvent | SellEvent | SplitEvent | DividendEvent;

export interface PositionOptions {
  method: CostMethod;
  /** Ledger date: later events are ignored, dividends paid after it are receivable. Default: the latest date in the events. */
  asOf?: string;
  /** Market price per symbol for market value and unrealized P&L. */
  prices?: Readonly<Record<string, Decimal.Value>>;
  /** Allow sales beyond the holding to open a short position. Default false: such a sale throws. */
  allowShort?: boolean;
}

/** An open lot; with the average method, one pooled lot dated by its first purchase. */
export interface OpenLot {
  openedOn: string;
  /** Signed: negative for a short lot. */
  quantity: string;
  /** Cash paid to open it, buy commission included (negative for a short: the net proceeds received). */
  costBasis: string;
  costPerShare: string;
}

/** The part of a lot a trade (or cash in lieu) closed. */
export interface Closure {
  date: string;
  openedOn: string;
  /** Signed like the lot it closed. */
  quantity: string;
  /** Cash received for it net of its share of the commission (negative when covering a short). */
  proceeds: string;
  costBasis: string;
  realizedPnl: string;
}

export interface Position {
  symbol: string;
  quantity: string;
  costBasis: string;
  /** costBasis / quantity; null when flat. */
  averageCost: string | null;
  openLots: OpenLot[];
  closures: Closure[];
  realizedPnl: string;
  /** Dividends with payDate ≤ asOf (negative for dividends owed on a short). */
  dividendIncome: string;
  /** Dividends already earned (ex-date passed) but paid after asOf. */
  dividendsReceivable: string;
  commissions: string;
  marketPrice: string | null;
  marketValue: string | null;
  unrealizedPnl: string | null;
}

export interface PositionReport {
  method: CostMethod;
  /** The ledger date; '' when there were no events and no asOf. */
  asOf: string;
  positions: Position[];
}
