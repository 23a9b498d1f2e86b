import { describe, expect, it } from 'vitest';
import {
  assertRiskPassed,
  checkRisk,
  perShareCommission,
  type RiskInput,
  type RiskRule,
  reservationFor,
} from '../src/index.js';
import { accepted, run, snapshot, tick } from './helpers.js';

const quote = { symbol: 'AAPL', price: '200' };
const buy = (quantity: string, extra: object = {}) => ({
  clientOrderId: 'c1',
  symbol: 'AAPL',
  side: 'buy' as const,
  type: 'market' as const,
  quantity,
  ...extra,
});
const sell = (quantity: string, extra: object = {}) => ({ ...buy(quantity, extra), side: 'sell' as const });

function rule(input: Partial<RiskInput> & Pick<RiskInput, 'request'>, name: RiskRule) {
  const result = checkRisk({ account: snapshot(), quote, ...input });
  return result.checks.find((c) => c.rule === name)!;
}

describe('pre-trade risk', () => {
  it('passes an ordinary order on every rule', () => {
    const result = checkRisk({ request: buy('10'), account: snapshot(), quote });
    expect(result.passed).toBe(true);
    expect(result.checks.map((c) => [c.rule, c.passed])).toEqual([
      ['buying_power', true],
      ['max_order_notional', true],
      ['max_position_weight', true],
      ['short_selling', true],
      ['price_collar', true],
      ['daily_loss_limit', true],
    ]);
    expect(result.checks[0]!.message).toBe(
      'order cost $2,000.00 ($2,000.00 + $0.00 fees) within buying power $100,000.00 ' +
        '($100,000.00 cash less $0.00 reserved by open buy orders)',
    );
  });

  it('max order notional', () => {
    const c = rule({ request: buy('310') }, 'max_order_notional');
    expect(c).toEqual({
      rule: 'max_order_notional',
      passed: false,
      message: 'order notional $62,000.00 exceeds the $50,000.00 limit',
      numbers: { actual: '62000', limit: '50000' },
    });
    expect(
      rule({ request: buy('310'), limits: { maxOrderNotional: '100000' } }, 'max_order_notional').passed,
    ).toBe(true);
  });

  it('buying power net of open buy orders, fees included', () => {
    const account = snapshot({
      cash: '40000',
      openOrders: [{ symbol: 'MSFT', side: 'buy', quantity: '25', cash: '10000' }],
    });
    const c = rule(
      { request: buy('200'), account, models: { commission: perShareCommission() } },
      'buying_power',
    );
    expect(c.passed).toBe(false);
    expect(c.message).toBe(
      'order cost $40,001.00 ($40,000.00 + $1.00 fees) exceeds buying power $30,000.00 ' +
        '($40,000.00 cash less $10,000.00 reserved by open buy orders)',
    );
    expect(c.numbers).toEqual({
      actual: '40001',
      limit: '30000',
      notional: '40000',
      fees: '1',
      cash: '40000',
      reserved: '10000',
    });
  });

  it('values limit orders at their limit', () => {
    const c = rule({ request: buy('100', { type: 'limit', limitPrice: '210' }) }, 'max_order_notional');
    expect(c.numbers.actual).toBe('21000');
  });

  it('max position weight after the trade, counting open orders; reducing trades pass', () => {
    const c = rule({ request: buy('60') }, 'max_position_weight');
    expect(c.passed).toBe(false);
    expect(c.message).toBe(
      'AAPL would be 26.00% of equity ($52,000.00 of $200,000.00), above the 25.00% limit',
    );
    expect(c.numbers).toMatchObject({ actual: '0.26', limit: '0.25', quantityAfter: '260' });

    const pending = snapshot({ openOrders: [{ symbol: 'AAPL', side: 'buy', quantity: '10', cash: '2000' }] });
    expect(rule({ request: buy('60'), account: pending }, 'max_position_weight').message).toBe(
      'AAPL would be 27.00% of equity ($54,000.00 of $200,000.00, counting 10 shares in open orders), above the 25.00% limit',
    );
    const msft = { symbol: 'MSFT', price: '400' };
    const reduce = checkRisk({
      request: { ...sell('50'), symbol: 'MSFT' },
      account: snapshot(),
      quote: msft,
    });
    expect(reduce.checks.find((x) => x.rule === 'max_position_weight')).toMatchObject({
      passed: true,
      message: 'not applicable: the order reduces the MSFT position',
    });
  });

  it('no short selling unless allowed, net of open sell orders', () => {
    const account = snapshot({
      positions: [{ symbol: 'AAPL', quantity: '100', lastPrice: '200' }],
      openOrders: [{ symbol: 'AAPL', side: 'sell', quantity: '20', cash: '0' }],
    });
    const c = rule({ request: sell('150'), account }, 'short_selling');
    expect(c.passed).toBe(false);
    expect(c.message).toBe(
      'selling 150 AAPL would sell short: only 80 available (100 held, 20 in open sell orders), ' +
        'and this account does not allow short selling',
    );
    expect(c.numbers).toEqual({ actual: '150', limit: '80', held: '100', reserved: '20' });
    expect(rule({ request: sell('80'), account }, 'short_selling').passed).toBe(true);
    const shortable = rule(
      { request: sell('150'), account: { ...account, allowShort: true } },
      'short_selling',
    );
    expect(shortable).toMatchObject({ passed: true });
    expect(shortable.message).toContain('opens a short');
  });

  it('price collar on limit and stop prices, either side of the last price', () => {
    const limit = rule({ request: buy('10', { type: 'limit', limitPrice: '225' }) }, 'price_collar');
    expect(limit).toMatchObject({
      passed: false,
      message: 'limit price $225.00 is 12.50% above the last price $200.00, outside the 10.00% collar',
      numbers: { actual: '0.125', limit: '0.1', price: '225', lastPrice: '200' },
    });
    const stop = rule({ request: sell('10', { type: 'stop', stopPrice: '170' }) }, 'price_collar');
    expect(stop.message).toBe(
      'stop price $170.00 is 15.00% below the last price $200.00, outside the 10.00% collar',
    );
    const inside = rule({ request: buy('10', { type: 'limit', limitPrice: '190' }) }, 'price_collar');
    expect(inside).toMatchObject({
      passed: true,
      message: 'limit price $190.00 is 5.00% below the last price $200.00, inside the 10.00% collar',
    });
  });

  it('daily-loss kill switch: blocks new risk, lets positions shrink', () => {
    const account = snapshot({ equity: '188000' });
    const c = rule({ request: buy('10'), account }, 'daily_loss_limit');
    expect(c).toMatchObject({
      passed: false,
      message:
        'daily loss 6.00% ($12,000.00 below the $200,000.00 start-of-day equity) reached the 5.00% kill switch: ' +
        'only orders that reduce a position are allowed',
      numbers: { actual: '0.06', limit: '0.05', loss: '12000' },
    });
    expect(rule({ request: sell('50'), account }, 'daily_loss_limit').passed).toBe(true);
    expect(
      rule({ request: buy('10'), account: snapshot({ equity: '190002' }) }, 'daily_loss_limit').passed,
    ).toBe(true);
  });

  it('rejects with every failed rule and its numbers', () => {
    const result = checkRisk({ request: buy('310'), account: snapshot(), quote });
    expect(() => assertRiskPassed(result)).toThrow(
      expect.objectContaining({
        code: 'risk_rejected',
        message:
          'Order rejected: order notional $62,000.00 exceeds the $50,000.00 limit; ' +
          'AAPL would be 51.00% of equity ($102,000.00 of $200,000.00), above the 25.00% limit',
        details: expect.objectContaining({ rules: ['max_order_notional', 'max_position_weight'] }),
      }),
    );
  });

  it('refuses a quote for another symbol', () => {
    expect(() =>
      checkRisk({ request: buy('1'), account: snapshot(), quote: { symbol: 'MSFT', price: '1' } }),
    ).toThrow('Quote is for MSFT, order for AAPL');
  });
});

describe('open-order reservations', () => {
  it('hold back cash for the unfilled part of a buy and shares for a sell', () => {
    const order = accepted({ type: 'limit', limitPrice: '100', quantity: '100' });
    const partial = run(order, [tick('2024-03-05T10:01:00-05:00', '99', '300')]).order;
    const models = { commission: perShareCommission(), slippage: { kind: 'none' } as const };
    // 70 × 100, plus commission(100 shares) − commission(30 filled) = 1.00 − 1.00 (the minimum) = 0
    expect(reservationFor(partial, quote, models)).toEqual({
      orderId: 'o1',
      symbol: 'AAPL',
      side: 'buy',
      quantity: '70',
      cash: '7000.00',
    });
    const sellOrder = accepted(
      { side: 'sell', type: 'limit', limitPrice: '300', quantity: '5' },
      undefined,
      'o2',
    );
    expect(reservationFor(sellOrder, quote, models)).toMatchObject({
      side: 'sell',
      quantity: '5',
      cash: '0.00',
    });
  });
});
