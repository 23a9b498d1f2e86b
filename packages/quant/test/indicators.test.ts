import { describe, expect, it } from 'vitest';
import {
  atr,
  bollingerBands,
  ema,
  macd,
  obv,
  rollingVolatility,
  rollingVwap,
  rsi,
  sma,
  stochastic,
  trueRange,
  vwap,
} from '../src/index.js';
import { close, high, low, volume } from './fixtures/ta-lib-ref.js';

/**
 * Expected values come from TA-Lib's regression tests (repository TA-Lib/ta-lib,
 * src/tools/ta_regtest/ta_test_func/test_*.c), run there on the series in ./fixtures/ta-lib-ref.ts.
 * TA-Lib states them as (output index, value) with output index 0 at the function's begIdx; the
 * tables below give the absolute bar index (begIdx + output index) our aligned arrays use.
 * TA-Lib checks them within an absolute 0.01 (many are truncated, not rounded: 49.147 is "49.14"),
 * and so do we.
 */
type Expected = readonly (readonly [bar: number, value: number])[];

function expectAt(series: readonly number[], expected: Expected, tolerance = 0.01) {
  for (const [bar, value] of expected) {
    const actual = series[bar]!;
    expect(Math.abs(actual - value), `bar ${bar}: ${actual} vs ${value}`).toBeLessThanOrEqual(tolerance);
  }
}

function expectNaNBefore(series: readonly number[], first: number) {
  expect(series.slice(0, first).every(Number.isNaN)).toBe(true);
  expect(Number.isNaN(series[first])).toBe(false);
}

describe('SMA (test_ma.c, TA_MA_SIMPLE)', () => {
  it('period 30 starts at bar 29', () => {
    const out = sma(close, 30);
    expectNaNBefore(out, 29);
    expectAt(out, [
      [29, 90.42],
      [30, 90.21],
      [31, 89.96],
      [58, 87.12],
      [250, 107.95],
      [251, 108.42],
    ]);
  });

  it('periods 1 and 2', () => {
    expectAt(sma(close, 1), [
      [0, 91.5],
      [1, 94.81],
      [250, 108.75],
      [251, 107.87],
    ]);
    expectAt(sma(close, 2), [
      [1, 93.15],
      [2, 94.59],
      [3, 94.73],
      [251, 108.31],
    ]);
  });
});

describe('EMA (test_ma.c, TA_MA_EXPONENTIAL, TA_COMPATIBILITY_DEFAULT)', () => {
  it('period 10 is seeded with the SMA of the first 10 closes at bar 9', () => {
    const out = ema(close, 10);
    expectNaNBefore(out, 9);
    expect(out[9]).toBeCloseTo(sma(close, 10)[9]!, 12);
    expectAt(out, [
      [9, 93.22],
      [10, 93.75],
      [29, 86.46],
      [251, 108.97],
    ]);
  });

  it('periods 1 and 2', () => {
    expectAt(ema(close, 1), [
      [0, 91.5],
      [1, 94.81],
      [251, 107.87],
    ]);
    expectAt(ema(close, 2), [
      [1, 93.15],
      [2, 93.96],
      [251, 108.21],
    ]);
  });
});

describe('RSI (test_rsi.c, TA_RSI_TEST, TA_COMPATIBILITY_DEFAULT)', () => {
  it('period 14 starts at bar 14', () => {
    const out = rsi(close, 14);
    expectNaNBefore(out, 14);
    expectAt(out, [
      [14, 49.14],
      [15, 52.32],
      [16, 46.07],
      [251, 49.63],
    ]);
  });

  it('is 0 on a flat series and 100 on a rising one', () => {
    expect(rsi([5, 5, 5, 5], 2).slice(2)).toEqual([0, 0]);
    expect(rsi([1, 2, 3, 4], 2).slice(2)).toEqual([100, 100]);
  });
});

describe('MACD 12/26/9 (test_macd.c, TA_MACD_TEST)', () => {
  it('all three outputs start at bar 33', () => {
    const out = macd(close);
    expectNaNBefore(out.macd, 33);
    expectNaNBefore(out.signal, 33);
    expectNaNBefore(out.histogram, 33);
    expectAt(out.macd, [[33, -1.9738]]);
    expectAt(out.signal, [[33, -2.7071]]);
    expectAt(out.histogram, [[33, -1.9738 - -2.7071]]);
  });

  it('swaps an inverted fast/slow pair, as TA-Lib does (test_macd.c "period inversion")', () => {
    expect(macd(close, { fast: 26, slow: 12 })).toEqual(macd(close));
  });

  it('starts the fast EMA on the slow EMA’s first bar, not at bar 11', () => {
    // Differs from ema(close, 12) − ema(close, 26) because of the fast EMA's later seed.
    const naive = ema(close, 12)[33]! - ema(close, 26)[33]!;
    expect(Math.abs(naive - macd(close).macd[33]!)).toBeGreaterThan(0.001);
  });
});

describe('Bollinger Bands 20/2 (test_bbands.c, TA_BBANDS_SIMPLE)', () => {
  it('starts at bar 19 with a population σ', () => {
    const out = bollingerBands(close);
    expectNaNBefore(out.middle, 19);
    expectAt(out.upper, [[19, 98.0734]]);
    expectAt(out.middle, [[19, 92.891]]);
    expectAt(out.lower, [[19, 87.7086]]);
  });
});

describe('True range and ATR (test_trange.c)', () => {
  it('TRANGE from bar 1; TR[0] is high − low', () => {
    const tr = trueRange(high, low, close);
    expect(tr[0]).toBeCloseTo(high[0]! - low[0]!, 12);
    expectAt(tr, [
      [1, 3.535],
      [13, 9.685],
      [41, 5.125],
      [251, 2.88],
    ]);
  });

  it('ATR 14 starts at bar 14 (seed = mean of TR[1…14])', () => {
    const out = atr(high, low, close, 14);
    expectNaNBefore(out, 14);
    expectAt(out, [
      [14, 3.578],
      [15, 3.4876],
      [16, 3.55],
      [26, 3.245],
      [27, 3.394],
      [28, 3.413],
      [251, 3.26],
    ]);
  });

  it('ATR 1 is the true range from bar 1', () => {
    const out = atr(high, low, close, 1);
    expectNaNBefore(out, 1);
    expectAt(out, [
      [1, 3.535],
      [13, 9.685],
      [41, 5.125],
      [251, 2.88],
    ]);
  });
});

describe('Stochastic (test_stoch.c, TEST_STOCH with SMA smoothing)', () => {
  it('5/3/3 starts at bar 8', () => {
    const out = stochastic(high, low, close, { fastKPeriod: 5, slowKPeriod: 3, slowDPeriod: 3 });
    expectNaNBefore(out.k, 8);
    expectNaNBefore(out.d, 8);
    expectAt(out.k, [
      [8, 24.0128],
      [251, 30.194],
    ]);
    expectAt(out.d, [
      [8, 36.254],
      [251, 43.69],
    ]);
  });

  it('5/3/4 starts at bar 9', () => {
    const out = stochastic(high, low, close, { fastKPeriod: 5, slowKPeriod: 3, slowDPeriod: 4 });
    expectNaNBefore(out.k, 9);
    expectAt(out.k, [
      [9, 38.139],
      [251, 30.194],
    ]);
    expectAt(out.d, [
      [9, 36.725],
      [251, 46.641],
    ]);
  });

  it('defaults to 14/3/3, first value at bar 17', () => {
    expectNaNBefore(stochastic(high, low, close).d, 17);
  });
});

describe('VWAP (test_vwap.c, pandas-ta-classic oracle values)', () => {
  it('cumulative from bar 0', () => {
    const out = vwap(high, low, close, volume);
    expectAt(
      out,
      [
        [0, 91.833333333333329],
        [1, 92.868395583796413],
        [2, 93.605543220336926],
        [41, 89.217099769203131],
        [100, 94.879303248880532],
        [130, 101.2371759075165],
        [176, 108.24576785745043],
        [210, 107.89661267744582],
        [251, 107.0775504357283],
      ],
      1e-9,
    );
  });

  it('rolling: a window of n bars ending at bar i is TA-Lib’s VWAP started at bar i−n+1', () => {
    // test_vwap.c shape 1 starts at bar 100; its output k is the rolling VWAP of k+1 bars at bar 100+k.
    const expected: Expected = [
      [0, 115.16333333333334],
      [1, 115.34551890050594],
      [25, 119.76555694639723],
      [75, 124.89162643202312],
      [120, 114.25365308116316],
      [151, 112.89053997317323],
    ];
    for (const [k, value] of expected) {
      const out = rollingVwap(high, low, close, volume, k + 1);
      expectNaNBefore(out, k);
      expect(out[100 + k]).toBeCloseTo(value, 9);
    }
  });
});

describe('OBV (TA-Lib has no OBV regression values; hand-checked on the same series)', () => {
  it('seeds with the first volume and follows the close', () => {
    const out = obv(close, volume);
    // close: 91.5, 94.815 (up), 94.375 (down), 95.095 (up); close[100] == close[101] (flat).
    expect(out.slice(0, 4)).toEqual([
      4077500,
      4077500 + 4955900,
      4077500 + 4955900 - 4775300,
      4077500 + 4955900 - 4775300 + 4155300,
    ]);
    expect(out[101]).toBe(out[100]);
    expect(obv([10, 11, 11, 9], [100, 20, 30, 5])).toEqual([100, 120, 120, 115]);
  });
});

describe('Rolling volatility (no TA-Lib counterpart; hand-checked)', () => {
  it('is the sample σ of log returns, annualized by √252 on request', () => {
    // Returns ln(1.1), ln(1/1.1), ln(1.1): mean ln(1.1)/3, sample σ = ln(1.1)·√(4/3).
    const prices = [100, 110, 100, 110];
    const out = rollingVolatility(prices, 3);
    expectNaNBefore(out, 3);
    const expected = Math.log(1.1) * Math.sqrt(4 / 3);
    expect(out[3]).toBeCloseTo(expected, 12);
    expect(rollingVolatility(prices, 3, { annualize: true })[3]).toBeCloseTo(expected * Math.sqrt(252), 12);
    expect(rollingVolatility([1, 2, 4, 8, 16], 2).slice(2)).toEqual([0, 0, 0]);
  });
});

describe('input checks', () => {
  it('rejects a bad period and mismatched series with a code', () => {
    expect(() => sma(close, 0)).toThrow(expect.objectContaining({ code: 'invalid_argument' }));
    expect(() => obv([1, 2], [1])).toThrow(expect.objectContaining({ code: 'length_mismatch' }));
  });

  it('returns all-NaN when the series is shorter than the lookback', () => {
    expect(ema([1, 2], 5).every(Number.isNaN)).toBe(true);
    expect(macd([1, 2, 3]).macd.every(Number.isNaN)).toBe(true);
    expect(atr([2], [1], [1.5], 14).every(Number.isNaN)).toBe(true);
  });
});
