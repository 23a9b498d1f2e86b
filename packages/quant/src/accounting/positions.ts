import { money } from '@stockpulse/domain';
import type { Decimal } from 'decimal.js';
import { AccountingError } from './errors.js';
import { type ClosedPart, LotBook } from './lot-book.js';
import { compareSteps, decimalAmount, isoDate, type Step, toSteps } from './steps.js';
import type { AccountEvent, Position, PositionOptions, PositionReport } from './types.js';

interface SymbolLedger {
  book: LotBook;
  closed: ClosedPart[];
  dividendsPaid: Decimal;
  dividendsReceivable: Decimal;
  commissions: Decimal;
  traded: boolean;
}

/**
 * Positions per symbol from a chronological list of trades, splits and cash dividends, with
 * average-cost or FIFO lots. Exact decimal arithmetic; amounts come back as plain decimal strings.
 * See README.md beside this file for the conventions (fees, ex/pay dates, splits, cash in lieu).
 */
export function computePositions(events: readonly AccountEvent[], options: PositionOptions): PositionReport {
  const { method, allowShort = false } = options;
  if (method !== 'average' && method !== 'fifo') {
    throw new AccountingError('invalid_event', `Unknown cost method ${String(method)}`, { method });
  }
  const steps = toSteps(events);
  const asOf = options.asOf === undefined ? latestDate(steps) : isoDate(options.asOf, 'asOf');

  const ledgers = new Map<string, SymbolLedger>();
  const ledgerOf = (symbol: string) => {
    let ledger = ledgers.get(symbol);
    if (!ledger) {
      const zero = money(0);
      ledger = {
        book: new LotBook(method),
        closed: [],
        dividendsPaid: zero,
        dividendsReceivable: zero,
        commissions: zero,
        traded: false,
      };
      ledgers.set(symbol, ledger);
    }
    return ledger;
  };

  for (const step of steps.filter((s) => s.date <= asOf).sort(compareSteps)) {
    const ledger = ledgerOf(step.symbol);
    if (step.kind === 'trade') applyTrade(ledger, step, allowShort);
    else if (step.kind === 'split') applySplit(ledger, step);
    else {
      const cash = ledger.book.quantity.times(step.amount);
      if (step.payDate <= asOf) ledger.dividendsPaid = ledger.dividendsPaid.plus(cash);
      else ledger.dividendsReceivable = ledger.dividendsReceivable.plus(cash);
    }
  }

  const prices = new Map(
    Object.entries(options.prices ?? {}).map(([s, p]) => [
      s.trim().toUpperCase(),
      decimalAmount(p, `prices.${s}`, 'non-negative'),
    ]),
  );
  const positions = [...ledgers.entries()]
    .filter(([, ledger]) => ledger.traded) // a split or dividend alone does not make a position
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([symbol, ledger]) => toPosition(symbol, ledger, prices.get(symbol)));
  return { method, asOf, positions };
}

function applyTrade(ledger: SymbolLedger, step: Extract<Step, { kind: 'trade' }>, allowShort: boolean): void {
  const held = ledger.book.quantity;
  if (!allowShort && step.delta.isNegative() && step.delta.abs().gt(held)) {
    throw new AccountingError(
      'insufficient_quantity',
      `Cannot sell ${step.delta.abs()} ${step.symbol} on ${step.date}: only ${held} held and short selling is not allowed`,
      {
        eventIndex: step.index,
        symbol: step.symbol,
        date: step.date,
        held: held.toFixed(),
        quantity: step.delta.abs().toFixed(),
      },
    );
  }
  ledger.traded = true;
  ledger.commissions = ledger.commissions.plus(step.commission);
  ledger.closed.push(...ledger.book.trade(step.date, step.delta, step.price, step.commission));
}

/** Cash in lieu closes the fractional share left after the split like a commission-free sale. */
function applySplit(ledger: SymbolLedger, step: Extract<Step, { kind: 'split' }>): void {
  ledger.book.split(step.from, step.to);
  const held = ledger.book.quantity;
  const fraction = held.abs().minus(held.abs().floor());
  if (step.cashInLieuPrice && fraction.gt(0)) {
    ledger.closed.push(
      ...ledger.book.trade(step.date, fraction.times(-held.s), step.cashInLieuPrice, money(0)),
    );
  }
}

/** The last date the events mention, a dividend's pay date included; '' for no events. */
function latestDate(steps: readonly Step[]): string {
  return (
    steps
      .map((s) => (s.kind === 'dividend' ? s.payDate : s.date))
      .sort()
      .at(-1) ?? ''
  );
}

function toPosition(symbol: string, ledger: SymbolLedger, marketPrice: Decimal | undefined): Position {
  const { book, closed } = ledger;
  const quantity = book.quantity;
  const costBasis = book.cost;
  const marketValue = marketPrice && quantity.times(marketPrice);
  return {
    symbol,
    quantity: quantity.toFixed(),
    costBasis: costBasis.toFixed(),
    averageCost: quantity.isZero() ? null : costBasis.div(quantity).toFixed(),
    openLots: book.lots.map((lot) => ({
      openedOn: lot.openedOn,
      quantity: lot.quantity.toFixed(),
      costBasis: lot.cost.toFixed(),
      costPerShare: lot.cost.div(lot.quantity).toFixed(),
    })),
    closures: closed.map((c) => ({
      date: c.date,
      openedOn: c.openedOn,
      quantity: c.quantity.toFixed(),
      proceeds: c.proceeds.toFixed(),
      costBasis: c.cost.toFixed(),
      realizedPnl: c.pnl.toFixed(),
    })),
    realizedPnl: closed.reduce((sum, c) => sum.plus(c.pnl), money(0)).toFixed(),
    dividendIncome: ledger.dividendsPaid.toFixed(),
    dividendsReceivable: ledger.dividendsReceivable.toFixed(),
    commissions: ledger.commissions.toFixed(),
    marketPrice: marketPrice?.toFixed() ?? null,
    marketValue: marketValue?.toFixed() ?? null,
    unrealizedPnl: marketValue?.minus(costBasis).toFixed() ?? null,
  };
}
