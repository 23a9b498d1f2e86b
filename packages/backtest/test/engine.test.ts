import { fixedBpsSlippage, perShareCommission } from '@stockpulse/broker';
import type { DailyBar } from '@stockpulse/domain';
import { describe, expect, it } from 'vitest';
import { BacktestError, type Decision, runBacktest } from '../src/index.js';
import { barsFromCloses, flatBenchmark, generousLimits, scripted } from './fixtures.js';

const D = ['2024-01-02', '2024-01-03', '2024-01-04'] as const;
const bar = (date: string, open: string, high: string, low: string, close: string, volume = 100_000) =>
  ({ symbol: 'XYZ', date, open, high, low, close, volume }) satisfies DailyBar;
const XYZ = [
  bar(D[0], '100', '101', '99', '100'),
  bar(D[1], '102', '104', '101', '103'),
  bar(D[2], '105', '106', '104', '104'),
];
const benchmark = {
  symbol: 'IDX',
  bars: [
    { date: D[0], close: '50' },
    { date: D[1], close: '51' },
    { date: D[2], close: '50.5' },
  ],
};

/** Buy 10 at the first close, sell them at the second. */
const roundTrip = scripted('round_trip', ({ market }) => ({
  orders: [{ symbol: 'XYZ', side: market.index === 0 ? 'buy' : 'sell', type: 'market', quantity: '10' }],
}));

describe('runBacktest: hand-checked fills, fees and cash', () => {
  it('executes a close signal at the next open and charges per-share commission', () => {
    const r = runBacktest({
      bars: new Map([['XYZ', XYZ]]),
      benchmark,
      strategy: roundTrip,
      initialCash: '10000',
      commission: perShareCommission(), // 10 × $0.005 = $0.05 → the $1.00 minimum
    });
    // Day 1 open: buy 10 @ 102 = 1,020.00 + 1.00 → cash 8,979.00; close 103 → equity 10,009.00.
    // Day 2 open: sell 10 @ 105 = 1,050.00 − 1.00 → cash 10,028.00, flat.
    expect(
      r.trades.map((t) => [t.date, t.side, t.quantity, t.price, t.grossAmount, t.commission, t.netCashFlow]),
    ).toEqual([
      [D[1], 'buy', '10', '102', '1020.00', '1.00', '-1021.00'],
      [D[2], 'sell', '10', '105', '1050.00', '1.00', '1049.00'],
    ]);
    expect(r.trades[0]!.at).toBe('2024-01-03T14:30:00.000Z'); // 09:30 New York
    expect(r.equityCurve.map((p) => [p.date, p.cash, p.holdings, p.equity])).toEqual([
      [D[0], '10000.00', '0.00', '10000.00'],
      [D[1], '8979.00', '1030.00', '10009.00'],
      [D[2], '10028.00', '0.00', '10028.00'],
    ]);
    expect(r.orders.map((o) => [o.id, o.decidedOn, o.status, o.createdAt])).toEqual([
      ['bt-000001', D[0], 'filled', '2024-01-02T21:00:00.000Z'], // placed at the 16:00 close
      ['bt-000002', D[1], 'filled', '2024-01-03T21:00:00.000Z'],
    ]);
    const s = r.summary;
    expect(s.totalReturn).toBeCloseTo(0.0028, 12);
    expect(s.finalEquity).toBe('10028.00');
    expect(s.trades).toEqual({
      fills: 2,
      closingTrades: 1,
      wins: 1,
      winRate: 1,
      realizedPnl: '28.00', // 1,049 proceeds − 1,021 cost, both fees included
      unrealizedPnl: '0.00',
      commissions: '2.00',
    });
    expect(s.exposure.timeInMarket).toBeCloseTo(1 / 3, 12);
    expect(s.exposure.averageGross).toBeCloseTo(1030 / 10009 / 3, 12);
    // One-way turnover: (1,020 + 1,050) / 2 / mean equity / (2 / 252 years).
    expect(s.turnover).toBeCloseTo((2070 / 2 / ((10000 + 10009 + 10028) / 3)) * 126, 8);
    expect(s.benchmark.totalReturn).toBeCloseTo(0.01, 12);
    expect(s.orders).toEqual({ placed: 2, filled: 2, rejected: 0, expired: 0, canceled: 0, open: 0 });
  });

  it('applies slippage against the taker, rounded to 4 decimals', () => {
    const r = runBacktest({
      bars: new Map([['XYZ', XYZ]]),
      benchmark,
      strategy: roundTrip,
      initialCash: '10000',
      slippage: fixedBpsSlippage('10'),
    });
    // Buy 102 × 1.001 = 102.102; sell 105 × 0.999 = 104.895.
    expect(r.trades.map((t) => [t.price, t.grossAmount, t.netCashFlow])).toEqual([
      ['102.102', '1021.02', '-1021.02'],
      ['104.895', '1048.95', '1048.95'],
    ]);
    expect(r.summary.finalEquity).toBe('10027.93');
  });

  it('sizes a target weight in whole shares of equity at the close', () => {
    const r = runBacktest({
      bars: new Map([['XYZ', XYZ]]),
      benchmark,
      strategy: scripted('half', ({ market }) =>
        market.index === 0 ? { targets: { XYZ: 0.5 } } : undefined,
      ),
      initialCash: '10000',
      riskLimits: generousLimits,
    });
    // ⌊0.5 × 10,000 ÷ 100⌋ = 50 shares, filled at the next open 102.
    expect(r.orders[0]).toMatchObject({
      source: 'target',
      side: 'buy',
      type: 'market',
      quantity: '50',
      status: 'filled',
    });
    expect(r.equityCurve.map((p) => p.equity)).toEqual(['10000.00', '10050.00', '10100.00']);
    expect(r.positions).toEqual([
      expect.objectContaining({
        symbol: 'XYZ',
        quantity: '50',
        costBasis: '5100.00',
        marketValue: '5200.00',
        unrealizedPnl: '100.00',
      }),
    ]);
  });

  it('fills a resting limit order at its limit when a later bar reaches it', () => {
    const r = runBacktest({
      bars: new Map([['XYZ', XYZ]]),
      benchmark,
      strategy: scripted('limit', ({ market }) =>
        market.index === 0
          ? {
              orders: [
                {
                  symbol: 'XYZ',
                  side: 'sell',
                  type: 'limit',
                  limitPrice: '105.5',
                  quantity: '5',
                  timeInForce: 'gtc',
                },
              ],
            }
          : undefined,
      ),
      initialCash: '10000',
      allowShort: true,
      riskLimits: generousLimits,
    });
    // Day 1 high 104 < 105.5: rests. Day 2 opens 105 < 105.5, high 106 reaches it: maker fill at 105.5.
    expect(r.trades.map((t) => [t.date, t.price, t.liquidity])).toEqual([[D[2], '105.5', 'maker']]);
    expect(r.summary.finalEquity).toBe('10007.50'); // 10,000 + 527.50 − 5 × 104
  });

  it('records risk rejections with the rule and its numbers, and trades nothing', () => {
    const r = runBacktest({
      bars: new Map([['XYZ', XYZ]]),
      benchmark,
      strategy: scripted('too_big', ({ market }) =>
        market.index === 0 ? { targets: { XYZ: 0.5 } } : undefined,
      ),
      initialCash: '10000', // default limits: 25% max position weight
    });
    expect(r.trades).toEqual([]);
    expect(r.orders).toHaveLength(1);
    const order = r.orders[0]!;
    expect(order.status).toBe('rejected');
    expect(order.transitions.map((t) => `${t.from}→${t.to}`)).toEqual(['new→rejected']);
    expect(order.rejection!.rules).toEqual(['max_position_weight']);
    expect(order.rejection!.checks[0]!.numbers).toMatchObject({ actual: '0.5', limit: '0.25' });
    expect(order.rejection!.message).toContain('XYZ would be 50.00% of equity');
    expect(r.rejections).toEqual([
      {
        orderId: 'bt-000001',
        date: D[0],
        symbol: 'XYZ',
        side: 'buy',
        quantity: '50',
        notional: null,
        rules: ['max_position_weight'],
        message: order.rejection!.message,
      },
    ]);
    expect(r.summary.orders.rejected).toBe(1);
  });

  it('refuses a short sale unless the account allows it', () => {
    const shortSale = scripted('short', ({ market }) =>
      market.index === 0
        ? { orders: [{ symbol: 'XYZ', side: 'sell', type: 'market', quantity: '1' }] }
        : undefined,
    );
    const run = (allowShort: boolean) =>
      runBacktest({
        bars: new Map([['XYZ', XYZ]]),
        benchmark,
        strategy: shortSale,
        allowShort,
        initialCash: '10000',
      });
    expect(run(false).rejections[0]!.rules).toEqual(['short_selling']);
    expect(run(true).trades.map((t) => [t.side, t.quantity, t.price])).toEqual([['sell', '1', '102']]);
  });

  it('fills at most the participation share of volume and expires the rest of a DAY order at the close', () => {
    const thin = XYZ.map((b) => ({ ...b, volume: 40 }));
    const r = runBacktest({
      bars: new Map([['XYZ', thin]]),
      benchmark,
      strategy: scripted('buy_once', ({ market }) =>
        market.index === 0
          ? { orders: [{ symbol: 'XYZ', side: 'buy', type: 'market', quantity: '10' }] }
          : undefined,
      ),
      initialCash: '10000',
    });
    // 10% of 40 shares = 4 fill at the open; the other 6 expire at the 16:00 close.
    expect(r.trades.map((t) => t.quantity)).toEqual(['4']);
    expect(r.orders[0]!.status).toBe('expired');
    expect(r.orders[0]!.transitions.map((t) => t.to)).toEqual(['accepted', 'partially_filled', 'expired']);
    expect(r.summary.orders.expired).toBe(1);
  });

  it('funds a close’s buys with its sells (sells go first)', () => {
    const AAA = barsFromCloses('AAA', [100, 100, 100, 100]);
    const BBB = barsFromCloses('BBB', [50, 50, 50, 50]);
    const r = runBacktest({
      bars: new Map([
        ['AAA', AAA],
        ['BBB', BBB],
      ]),
      benchmark: flatBenchmark(AAA.map((b) => b.date)),
      strategy: scripted('rotate', ({ market }): Decision | undefined => {
        if (market.index === 0) return { targets: { AAA: 1 } };
        if (market.index === 1) return { targets: { BBB: 1, AAA: 0 } };
        return undefined;
      }),
      initialCash: '10000',
      riskLimits: generousLimits,
    });
    expect(r.rejections).toEqual([]);
    expect(r.trades.map((t) => [t.date, t.symbol, t.side, t.quantity])).toEqual([
      [AAA[1]!.date, 'AAA', 'buy', '100'],
      [AAA[2]!.date, 'AAA', 'sell', '100'],
      [AAA[2]!.date, 'BBB', 'buy', '200'],
    ]);
  });

  it('calls the strategy at every close but the last', () => {
    const seen: string[] = [];
    runBacktest({
      bars: new Map([['XYZ', XYZ]]),
      benchmark,
      strategy: scripted('watch', ({ market }) => {
        seen.push(market.date);
        return undefined;
      }),
    });
    expect(seen).toEqual([D[0], D[1]]);
  });

  it('rejects bad input and bad decisions with a code', () => {
    const base = { benchmark, strategy: roundTrip };
    const code = (f: () => unknown) => {
      try {
        f();
      } catch (err) {
        return err instanceof BacktestError ? err.code : String(err);
      }
      return 'no error';
    };
    expect(code(() => runBacktest({ ...base, bars: new Map([['XYZ', [XYZ[1]!, XYZ[0]!]]]) }))).toBe(
      'invalid_input',
    );
    expect(
      code(() =>
        runBacktest({ ...base, bars: new Map([['XYZ', [bar('2024-01-06', '1', '1', '1', '1'), ...XYZ]]]) }),
      ),
    ).toBe(
      'invalid_input', // a Saturday
    );
    expect(code(() => runBacktest({ ...base, bars: new Map([['XYZ', XYZ]]), initialCash: '-5' }))).toBe(
      'invalid_input',
    );
    const nan = scripted('nan', () => ({ targets: { XYZ: Number.NaN } }));
    expect(code(() => runBacktest({ ...base, strategy: nan, bars: new Map([['XYZ', XYZ]]) }))).toBe(
      'invalid_decision',
    );
    const bad = scripted('bad', () => ({
      orders: [{ symbol: 'XYZ', side: 'buy', type: 'limit', quantity: '1' }],
    }));
    expect(code(() => runBacktest({ ...base, strategy: bad, bars: new Map([['XYZ', XYZ]]) }))).toBe(
      'invalid_decision',
    );
    const ghost = scripted('ghost', () => ({ targets: { NOPE: 0.1 } }));
    expect(code(() => runBacktest({ ...base, strategy: ghost, bars: new Map([['XYZ', XYZ]]) }))).toBe(
      'invalid_decision',
    );
  });
});
