import { describe, expect, it } from 'vitest';
import {
  annualizedVolatility,
  betaAlpha,
  correlationMatrix,
  historicalVar,
  maxDrawdown,
  normalQuantile,
  parametricVar,
  sharpeRatio,
  sortinoRatio,
  varSummary,
} from '../src/index.js';

const SQRT_252 = Math.sqrt(252);

describe('annualizedVolatility', () => {
  it('is the sample σ of daily returns × √252', () => {
    // mean 0, Σ(r − mean)² = 4·0.0001, divided by n − 1 = 3
    expect(annualizedVolatility([0.01, -0.01, 0.01, -0.01])).toBeCloseTo(
      0.01 * Math.sqrt(4 / 3) * SQRT_252,
      14,
    );
    expect(annualizedVolatility([0.01, -0.01], 12)).toBeCloseTo(0.01 * Math.sqrt(2) * Math.sqrt(12), 14);
  });

  it('needs two observations', () => {
    expect(() => annualizedVolatility([0.01])).toThrow(
      expect.objectContaining({ code: 'insufficient_data' }),
    );
  });
});

describe('sharpeRatio', () => {
  it('annualizes mean/σ of daily excess returns', () => {
    // mean 0.02, sample σ 0.01
    expect(sharpeRatio([0.01, 0.02, 0.03])).toBeCloseTo(2 * SQRT_252, 12);
  });

  it('takes an annual risk-free rate as rf/252 per day', () => {
    // 2.52% a year is 0.0001 a day: mean excess 0.0199, σ unchanged
    expect(sharpeRatio([0.01, 0.02, 0.03], { riskFreeRate: 0.0252 })).toBeCloseTo(1.99 * SQRT_252, 12);
  });

  it('is NaN when returns do not vary', () => {
    expect(sharpeRatio([0.01, 0.01])).toBeNaN();
  });
});

describe('sortinoRatio', () => {
  it('divides by the downside deviation over all observations', () => {
    // mean 0.005; shortfalls −0.01, −0.02 → DD = √(0.0005/4) = √0.000125; 0.005/√0.000125 = 1/√5
    expect(sortinoRatio([0.02, -0.01, 0.03, -0.02])).toBeCloseTo(Math.sqrt(252 / 5), 12);
  });

  it('uses rf/252 as the target', () => {
    // target 0.01 a day: excess 0.01, −0.02, 0.02, −0.03 → mean −0.005, DD = √(0.0013/4)
    const expected = (-0.005 / Math.sqrt(0.0013 / 4)) * SQRT_252;
    expect(sortinoRatio([0.02, -0.01, 0.03, -0.02], { riskFreeRate: 2.52 })).toBeCloseTo(expected, 12);
  });

  it('is NaN with no shortfall', () => {
    expect(sortinoRatio([0.01, 0.02])).toBeNaN();
  });
});

describe('maxDrawdown', () => {
  const series = [100, 120, 90, 110, 60, 80, 125, 130].map((value, i) => ({
    date: `2025-01-0${i + 1}`,
    value,
  }));

  it('finds the deepest fall from the running peak, with its dates and recovery', () => {
    // 120 (Jan 2) → 60 (Jan 5) is −50%, deeper than 120 → 90; first back at ≥ 120 on Jan 7 (125)
    expect(maxDrawdown(series)).toEqual({
      maxDrawdown: 0.5,
      peakDate: '2025-01-02',
      peakValue: 120,
      troughDate: '2025-01-05',
      troughValue: 60,
      recoveryDate: '2025-01-07',
    });
  });

  it('reports no recovery yet, and zero for a series that never falls', () => {
    const open = maxDrawdown(series.slice(0, 6));
    expect(open.maxDrawdown).toBe(0.5);
    expect(open.recoveryDate).toBeNull();
    expect(
      maxDrawdown([
        { date: '2025-01-01', value: 1 },
        { date: '2025-01-02', value: 2 },
      ]),
    ).toMatchObject({ maxDrawdown: 0, peakDate: null, troughDate: null, recoveryDate: null });
  });

  it('counts a return to exactly the peak as recovery', () => {
    const dd = maxDrawdown([
      { date: '2025-01-01', value: 100 },
      { date: '2025-01-02', value: 80 },
      { date: '2025-01-03', value: 100 },
    ]);
    expect(dd).toMatchObject({ troughDate: '2025-01-02', recoveryDate: '2025-01-03' });
    expect(dd.maxDrawdown).toBeCloseTo(0.2, 15);
  });
});

describe('betaAlpha', () => {
  const benchmark = [0.01, -0.02, 0.015, 0.005, -0.01];
  const portfolio = benchmark.map((b) => 0.0005 + 1.5 * b);

  it('recovers the slope and intercept of a linear relationship; alpha ×252', () => {
    const fit = betaAlpha(portfolio, benchmark);
    expect(fit.beta).toBeCloseTo(1.5, 12);
    expect(fit.alphaPerPeriod).toBeCloseTo(0.0005, 14);
    expect(fit.alpha).toBeCloseTo(0.126, 12);
    expect(fit.rSquared).toBeCloseTo(1, 12);
    expect(fit.observations).toBe(5);
  });

  it('regresses excess returns: with rf the intercept gains (1 − β)·rf', () => {
    // p − rf = 0.0005 + 1.5(b − rf) + 0.5·rf; rf = 0.0252/252 = 0.0001 → α = 0.00055 a day
    const fit = betaAlpha(portfolio, benchmark, { riskFreeRate: 0.0252 });
    expect(fit.beta).toBeCloseTo(1.5, 12);
    expect(fit.alphaPerPeriod).toBeCloseTo(0.00055, 14);
    expect(fit.alpha).toBeCloseTo(0.1386, 12);
  });

  it('refuses a flat benchmark', () => {
    expect(() => betaAlpha([0.01, 0.02], [0, 0])).toThrow(expect.objectContaining({ code: 'no_solution' }));
  });
});

describe('historicalVar', () => {
  // 100 days: five losses of 1…5% and 95 gains of 1%, shuffled.
  const losses = new Map([
    [7, -0.03],
    [27, -0.01],
    [47, -0.05],
    [63, -0.02],
    [91, -0.04],
  ]);
  const returns = Array.from({ length: 100 }, (_, i) => losses.get(i) ?? 0.01);

  it('takes the k-th worst of n returns, k = ⌈(1 − c)·n⌉, and averages the k worst for CVaR', () => {
    const v95 = historicalVar(returns, { confidence: 0.95 });
    expect(v95.valueAtRisk).toBeCloseTo(0.01, 15); // 5th worst
    expect(v95.expectedShortfall).toBeCloseTo(0.03, 15); // mean of the 5 worst
    const v99 = historicalVar(returns, { confidence: 0.99 });
    expect(v99.valueAtRisk).toBeCloseTo(0.05, 15);
    expect(v99.expectedShortfall).toBeCloseTo(0.05, 15);
    expect(v99.observations).toBe(100);
  });

  it('10-day: compounds overlapping 10-day windows', () => {
    // Ten −10% days compound to 0.9¹⁰ − 1 = −65.13%, not −100%; 11 days give 2 windows.
    const tenBad = [...Array(10).fill(-0.1), 0];
    const compounded = historicalVar(tenBad, { confidence: 0.99, horizonDays: 10 });
    expect(compounded.observations).toBe(2);
    expect(compounded.valueAtRisk).toBeCloseTo(1 - 0.9 ** 10, 15);
    // One bad day among 20: it falls in 10 of the 11 windows, so the 95% VaR (k = 1) is that day.
    const oneBad = Array.from({ length: 20 }, (_, i) => (i === 10 ? -0.2 : 0));
    const v = historicalVar(oneBad, { confidence: 0.95, horizonDays: 10 });
    expect(v.observations).toBe(11);
    expect(v.valueAtRisk).toBeCloseTo(0.2, 15);
  });

  it('needs at least one full horizon', () => {
    expect(() => historicalVar([0.01], { horizonDays: 10 })).toThrow(
      expect.objectContaining({ code: 'insufficient_data' }),
    );
  });
});

describe('parametricVar', () => {
  // mean 0, sample σ = 0.02·√(4/3)
  const returns = [0.02, -0.02, 0.02, -0.02];
  const sigma = 0.02 * Math.sqrt(4 / 3);

  it('normal quantiles (Acklam, relative error < 1.2e−9)', () => {
    expect(normalQuantile(0.95)).toBeCloseTo(1.6448536269514722, 8);
    expect(normalQuantile(0.99)).toBeCloseTo(2.3263478740408408, 8);
    expect(normalQuantile(0.01)).toBeCloseTo(-2.3263478740408408, 8);
    expect(normalQuantile(0.5)).toBe(0);
    expect(normalQuantile(0.001)).toBeCloseTo(-3.090232306167813, 8);
  });

  it('1-day VaR = z·σ − μ and CVaR = σ·φ(z)/(1 − c) − μ', () => {
    const v95 = parametricVar(returns, { confidence: 0.95 });
    expect(v95.valueAtRisk).toBeCloseTo(1.6448536269514722 * sigma, 9);
    expect(v95.expectedShortfall).toBeCloseTo(2.062712807507429 * sigma, 9); // φ(z)/0.05
    const v99 = parametricVar(returns, { confidence: 0.99 });
    expect(v99.valueAtRisk).toBeCloseTo(2.3263478740408408 * sigma, 9);
    expect(v99.expectedShortfall).toBeCloseTo(2.665214220345806 * sigma, 9); // φ(z)/0.01
  });

  it('subtracts the mean and scales 10-day by √10', () => {
    const shifted = returns.map((r) => r + 0.01);
    const one = parametricVar(shifted, { confidence: 0.99 });
    expect(one.valueAtRisk).toBeCloseTo(2.3263478740408408 * sigma - 0.01, 9);
    const ten = parametricVar(shifted, { confidence: 0.99, horizonDays: 10 });
    expect(ten.valueAtRisk).toBeCloseTo(one.valueAtRisk * Math.sqrt(10), 12);
    expect(ten.expectedShortfall).toBeCloseTo(one.expectedShortfall * Math.sqrt(10), 12);
  });
});

describe('varSummary', () => {
  it('gives historical and parametric VaR at 95/99% for 1 and 10 days', () => {
    const returns = Array.from({ length: 250 }, (_, i) => Math.sin(i) / 50);
    const rows = varSummary(returns);
    expect(rows.map((r) => `${r.method} ${r.confidence} ${r.horizonDays}`)).toEqual([
      'historical 0.95 1',
      'historical 0.95 10',
      'historical 0.99 1',
      'historical 0.99 10',
      'parametric 0.95 1',
      'parametric 0.95 10',
      'parametric 0.99 1',
      'parametric 0.99 10',
    ]);
    for (const r of rows) expect(r.expectedShortfall).toBeGreaterThanOrEqual(r.valueAtRisk);
  });
});

describe('correlationMatrix', () => {
  it('is symmetric with a unit diagonal', () => {
    const { symbols, matrix } = correlationMatrix({
      A: [1, 2, 3, 4],
      B: [2, 4, 6, 8],
      C: [4, 3, 2, 1],
      D: [1, -1, 1, -1],
    });
    expect(symbols).toEqual(['A', 'B', 'C', 'D']);
    expect(matrix[0]).toEqual([1, 1, -1, expect.closeTo(-2 / Math.sqrt(20), 14)]);
    for (let i = 0; i < 4; i++) {
      expect(matrix[i]![i]).toBe(1);
      for (let j = 0; j < 4; j++) expect(matrix[i]![j]).toBe(matrix[j]![i]);
    }
  });

  it('gives NaN for a constant series and refuses ragged input', () => {
    expect(correlationMatrix({ A: [1, 2], F: [3, 3] }).matrix).toEqual([
      [1, Number.NaN],
      [Number.NaN, Number.NaN],
    ]);
    expect(() => correlationMatrix({ A: [1, 2], B: [1] })).toThrow(
      expect.objectContaining({ code: 'length_mismatch' }),
    );
  });
});
