import { describe, expect, it } from 'vitest';
import { fixedBpsSlippage, perShareCommission, previewOrder } from '../src/index.js';
import { snapshot } from './helpers.js';

const request = {
  clientOrderId: 'c1',
  symbol: 'AAPL',
  side: 'buy',
  type: 'market',
  quantity: '100',
} as const;

describe('order preview', () => {
  it('estimates price, cost, fees, cash and weights after a full fill', () => {
    const p = previewOrder({
      request,
      account: snapshot(),
      quote: { symbol: 'AAPL', price: '200', ask: '200.10' },
      limits: { maxPositionWeight: '0.35' },
      models: { commission: perShareCommission(), slippage: fixedBpsSlippage('5') },
    });
    // ask 200.10 × 1.0005 = 200.20005 → 200.2001 (rounded against the buyer)
    expect(p).toMatchObject({
      accountId: 'acct-1',
      estimatedPrice: '200.2001',
      estimatedQuantity: '100',
      estimatedGross: '20020.01',
      estimatedFees: '1.00',
      estimatedCashFlow: '-20021.01',
      cashBefore: '100000.00',
      cashAfter: '79978.99',
    });
    expect(p.requestHash).toMatch(/^[0-9a-f]{64}$/);
    // Weights at the last price over equity less fees: 60,000 / 199,999
    expect(p.weights).toEqual([
      {
        symbol: 'AAPL',
        quantityBefore: '200',
        quantityAfter: '300',
        valueAfter: '60000.00',
        weightBefore: '0.2',
        weightAfter: '0.300002',
      },
      {
        symbol: 'MSFT',
        quantityBefore: '150',
        quantityAfter: '150',
        valueAfter: '60000.00',
        weightBefore: '0.3',
        weightAfter: '0.300002',
      },
    ]);
    expect(p.risk.passed).toBe(true);
  });

  it('converts a notional order to shares at the estimated price', () => {
    const p = previewOrder({
      request: { ...request, quantity: undefined, notional: '1000' },
      account: snapshot(),
      quote: { symbol: 'AAPL', price: '200' },
    });
    expect(p).toMatchObject({ estimatedQuantity: '5', estimatedGross: '1000.00', cashAfter: '99000.00' });
  });

  it('reports failed risk checks', () => {
    const p = previewOrder({
      request: { ...request, quantity: '310' },
      account: snapshot(),
      quote: { symbol: 'AAPL', price: '200' },
    });
    expect(p.risk.passed).toBe(false);
    expect(p.risk.checks.filter((c) => !c.passed).map((c) => c.rule)).toEqual([
      'max_order_notional',
      'max_position_weight',
    ]);
  });
});
