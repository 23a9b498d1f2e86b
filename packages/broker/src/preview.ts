import { money, toCents } from '@stockpulse/domain';
import type { Quote } from './estimate.js';
import { plain } from './format.js';
import { type OrderRequest, parseOrderRequest, requestHash } from './order.js';
import { checkRisk, type RiskCheck, type RiskInput } from './risk.js';

export interface PositionWeight {
  symbol: string;
  quantityBefore: string;
  quantityAfter: string;
  /** Market value after the trade at the last price (negative for a short). */
  valueAfter: string;
  /** |value| ÷ equity before, and ÷ (equity − fees) after, to 6 decimals. */
  weightBefore: string;
  weightAfter: string;
}

export interface OrderPreview {
  accountId: string;
  request: OrderRequest;
  requestHash: string;
  quote: Quote;
  /** Where it would fill now (a resting order: at its limit or stop), after slippage. */
  estimatedPrice: string;
  estimatedQuantity: string;
  /** quantity × estimated price, in cents. */
  estimatedGross: string;
  estimatedFees: string;
  /** Cash the order takes (buy: gross + fees) or brings (sell: gross − fees), in cents. */
  estimatedCashFlow: string;
  cashBefore: string;
  cashAfter: string;
  /** Every position after a full fill, the traded one included, largest weight first. */
  weights: PositionWeight[];
  risk: { passed: boolean; checks: RiskCheck[] };
}

/** What the order would do if it filled now, and whether risk allows it. Pure. */
export function previewOrder(input: RiskInput): OrderPreview {
  const request = parseOrderRequest(input.request);
  const { checks, passed, estimate } = checkRisk({ ...input, request });
  const { account, quote } = input;
  const qty = money(estimate.quantity);
  const gross = money(toCents(qty.times(estimate.expectedPrice)));
  const fees = money(estimate.fees);
  const buy = request.side === 'buy';
  const cashFlow = buy ? gross.plus(fees).neg() : gross.minus(fees);
  const equityBefore = money(account.equity);
  const equityAfter = equityBefore.minus(fees);

  const symbols = [...new Set([...account.positions.map((p) => p.symbol), request.symbol])];
  const weights = symbols.map((symbol) => {
    const rows = account.positions.filter((p) => p.symbol === symbol);
    const before = rows.reduce((s, p) => s.plus(p.quantity), money(0));
    const after = symbol === request.symbol ? before.plus(buy ? qty : qty.neg()) : before;
    const mark = symbol === request.symbol ? quote.price : (rows[0]?.lastPrice ?? '0');
    const weight = (q: typeof before, equity: typeof before) =>
      equity.gt(0) ? plain(q.times(mark).abs().div(equity).toDecimalPlaces(6)) : '0';
    return {
      symbol,
      quantityBefore: plain(before),
      quantityAfter: plain(after),
      valueAfter: toCents(after.times(mark)),
      weightBefore: weight(before, equityBefore),
      weightAfter: weight(after, equityAfter),
    };
  });
  weights.sort((a, b) => money(b.weightAfter).comparedTo(a.weightAfter) || a.symbol.localeCompare(b.symbol));

  return {
    accountId: account.accountId,
    request,
    requestHash: requestHash(request),
    quote,
    estimatedPrice: estimate.expectedPrice,
    estimatedQuantity: estimate.quantity,
    estimatedGross: gross.toFixed(2),
    estimatedFees: fees.toFixed(2),
    estimatedCashFlow: cashFlow.toFixed(2),
    cashBefore: toCents(account.cash),
    cashAfter: toCents(money(account.cash).plus(cashFlow)),
    weights,
    risk: { passed, checks },
  };
}
