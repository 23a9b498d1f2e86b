export { AccountingError, type AccountingErrorCode } from './errors.js';
export { computePositions } from './positions.js';
export type {
  AccountEvent,
  BuyEvent,
  Closure,
  CostMethod,
  DividendEvent,
  OpenLot,
  Position,
  PositionOptions,
  PositionReport,
  SellEvent,
  SplitEvent,
} from './types.js';
