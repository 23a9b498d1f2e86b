import { describe, expect, it } from 'vitest';
import {
  applySlippage,
  commissionFor,
  fillCommission,
  fixedBpsSlippage,
  NO_SLIPPAGE,
  percentOfNotionalCommission,
  perShareCommission,
  ZERO_COMMISSION,
} from '../src/index.js';

describe('commission models', () => {
  const ibkr = perShareCommission();

  it('zero charges nothing', () => {
    expect(commissionFor(ZERO_COMMISSION, { quantity: '1000', notional: '187000' })).toBe('0.00');
  });

  it('per share: $0.005 a share, $1.00 minimum, capped at 1% of the trade value', () => {
    expect(commissionFor(ibkr, { quantity: '100', notional: '5000' })).toBe('1.00'); // 0.50 → minimum
    expect(commissionFor(ibkr, { quantity: '1000', notional: '50000' })).toBe('5.00');
    expect(commissionFor(ibkr, { quantity: '1', notional: '5' })).toBe('0.05'); // cap below the minimum wins
    expect(commissionFor(ibkr, { quantity: '10000', notional: '2000' })).toBe('20.00'); // 50.00 capped at 1%
    expect(commissionFor(ibkr, { quantity: '333', notional: '33300' })).toBe('1.66'); // 1.665, half-even
    expect(commissionFor(ibkr, { quantity: '337', notional: '33700' })).toBe('1.68'); // 1.685, half-even
  });

  it('percent of notional, with a minimum', () => {
    const tenBps = percentOfNotionalCommission('0.001', '2.50');
    expect(commissionFor(tenBps, { quantity: '100', notional: '12345.67' })).toBe('12.35'); // 12.34567
    expect(commissionFor(tenBps, { quantity: '10', notional: '1000' })).toBe('2.50');
    expect(commissionFor(tenBps, { quantity: '0', notional: '0' })).toBe('0.00');
  });

  it('charges each fill the increase of the order’s cumulative commission', () => {
    expect(fillCommission(ibkr, { quantity: 0, notional: 0 }, { quantity: 100, notional: 5000 })).toBe(
      '1.00',
    );
    expect(fillCommission(ibkr, { quantity: 100, notional: 5000 }, { quantity: 100, notional: 5000 })).toBe(
      '0.00',
    );
    expect(fillCommission(ibkr, { quantity: 200, notional: 10000 }, { quantity: 100, notional: 5000 })).toBe(
      '0.50',
    );
  });
});

describe('slippage models', () => {
  it('none leaves the price', () => {
    expect(applySlippage(NO_SLIPPAGE, '123.45', 'buy')).toBe('123.45');
  });

  it('fixed bps moves the price against the taker, rounded against it to 4 decimals', () => {
    const fiveBps = fixedBpsSlippage('5');
    expect(applySlippage(fiveBps, '123.45', 'buy')).toBe('123.5118'); // 123.511725 up
    expect(applySlippage(fiveBps, '123.45', 'sell')).toBe('123.3882'); // 123.388275 down
    expect(applySlippage(fiveBps, '100', 'buy')).toBe('100.05');
  });
});
