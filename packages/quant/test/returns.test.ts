import { describe, expect, it } from 'vitest';
import {
  dailyTimeWeightedReturns,
  logReturns,
  modifiedDietz,
  moneyWeightedReturn,
  simpleReturns,
  timeWeightedReturn,
} from '../src/index.js';

describe('timeWeightedReturn', () => {
  const days = [
    { date: '2025-03-03', value: '1000' },
    { date: '2025-03-04', value: '1100' }, // +10%
    { date: '2025-03-05', value: '1800', flow: '500' }, // 1800 / (1100 + 500) − 1 = +12.5%
    { date: '2025-03-06', value: '1650', flow: '-200' }, // 1650 / (1800 − 200) − 1 = +3.125%
  ];

  it('links daily sub-period returns with flows at the start of the day, exactly', () => {
    expect(dailyTimeWeightedReturns(days).map(String)).toEqual(['0.1', '0.125', '0.03125']);
    // 1.1 × 1.125 × 1.03125 − 1
    expect(timeWeightedReturn(days).toString()).toBe('0.276171875');
  });

  it('is not moved by the size of a flow, only by the market', () => {
    const bigDeposit = [
      { date: '2025-03-03', value: '1000' },
      { date: '2025-03-04', value: '1100' },
      { date: '2025-03-05', value: '11250', flow: '9900' }, // 11250 / 11000 − 1 = 2.2727…%
    ];
    const noDeposit = [
      { date: '2025-03-03', value: '1000' },
      { date: '2025-03-04', value: '1100' },
      { date: '2025-03-05', value: '1125' },
    ];
    expect(timeWeightedReturn(bigDeposit).toString()).toBe(timeWeightedReturn(noDeposit).toString());
    expect(timeWeightedReturn(noDeposit).toString()).toBe('0.125');
  });

  it('starts from an empty account funded on day one', () => {
    const days = [
      { date: '2025-01-02', value: '0' },
      { date: '2025-01-03', value: '1010', flow: '1000' },
    ];
    expect(timeWeightedReturn(days).toString()).toBe('0.01');
  });

  it('rejects unordered dates', () => {
    expect(() =>
      timeWeightedReturn([
        { date: '2025-01-03', value: 1 },
        { date: '2025-01-02', value: 1 },
      ]),
    ).toThrow(expect.objectContaining({ code: 'invalid_argument' }));
  });
});

describe('moneyWeightedReturn (XIRR)', () => {
  // The XIRR example from Microsoft's Excel documentation: Excel shows 0.373362535 (37.34%), found to
  // its documented 0.000001% tolerance; the exact root is 0.3733625335188…
  const excelExample = [
    { date: '2008-01-01', amount: '-10000' },
    { date: '2008-03-01', amount: '2750' },
    { date: '2008-10-30', amount: '4250' },
    { date: '2009-02-15', amount: '3250' },
    { date: '2009-04-01', amount: '2750' },
  ];

  it('matches the spreadsheet value', () => {
    expect(moneyWeightedReturn(excelExample)).toBeCloseTo(0.373362535, 8);
    expect(moneyWeightedReturn(excelExample)).toBeCloseTo(0.3733625335188, 12);
  });

  it('finds the same root from poor guesses and in any flow order', () => {
    // From 5 or 100 Newton's first step lands below −100%, so these go through the bisection fallback.
    for (const guess of [-0.99, 5, 100]) {
      expect(moneyWeightedReturn(excelExample, guess)).toBeCloseTo(0.3733625335188, 12);
    }
    expect(moneyWeightedReturn([...excelExample].reverse())).toBeCloseTo(0.3733625335188, 12);
  });

  it('counts time in days/365', () => {
    const oneYear = [
      { date: '2023-01-01', amount: -1000 },
      { date: '2024-01-01', amount: 1100 },
    ];
    expect(moneyWeightedReturn(oneYear)).toBeCloseTo(0.1, 12);
    const leapYear = [
      { date: '2024-01-01', amount: -1000 },
      { date: '2025-01-01', amount: 1100 },
    ];
    expect(moneyWeightedReturn(leapYear)).toBeCloseTo(1.1 ** (365 / 366) - 1, 12);
  });

  it('handles a loss and refuses flows of a single sign', () => {
    const halved = [
      { date: '2023-01-01', amount: -1000 },
      { date: '2024-01-01', amount: 500 },
    ];
    expect(moneyWeightedReturn(halved)).toBeCloseTo(-0.5, 12);
    expect(() => moneyWeightedReturn([{ date: '2023-01-01', amount: -1 }])).toThrow(
      expect.objectContaining({ code: 'no_solution' }),
    );
  });
});

describe('modifiedDietz', () => {
  it('textbook: 500 → 600 with a 60 inflow on day 25 of a 30-day month is 7.84%', () => {
    // (600 − 500 − 60) / (500 + 60 × 5/30) = 40 / 510
    const r = modifiedDietz({
      startDate: '2024-05-31',
      endDate: '2024-06-30',
      startValue: '500',
      endValue: '600',
      flows: [{ date: '2024-06-25', amount: '60' }],
    });
    expect(r.toFixed(4)).toBe('0.0784');
    expect(
      r.equals(
        modifiedDietz({
          startDate: '2024-05-31',
          endDate: '2024-06-30',
          startValue: 500,
          endValue: 600,
          flows: [{ date: '2024-06-25', amount: 60 }],
        }),
      ),
    ).toBe(true);
    expect(
      r
        .minus(40 / 510)
        .abs()
        .lt(1e-15),
    ).toBe(true);
  });

  it('Wikipedia: 100 → 300 over two years with 50 in at the midpoint is 120%', () => {
    const r = modifiedDietz({
      startDate: '2020-12-31',
      endDate: '2022-12-31',
      startValue: 100,
      endValue: 300,
      flows: [{ date: '2021-12-31', amount: 50 }],
    });
    expect(r.toString()).toBe('1.2');
  });

  it('weighs a flow on the first day fully and one on the last day not at all', () => {
    const base = { startDate: '2025-01-01', endDate: '2025-01-11', startValue: 1000, endValue: 1200 };
    expect(modifiedDietz({ ...base, flows: [{ date: '2025-01-01', amount: 100 }] }).toFixed(12)).toBe(
      '0.090909090909', // 100 / 1100
    );
    expect(modifiedDietz({ ...base, flows: [{ date: '2025-01-11', amount: 100 }] }).toString()).toBe('0.1');
    expect(modifiedDietz(base).toString()).toBe('0.2');
    expect(() => modifiedDietz({ ...base, flows: [{ date: '2025-02-01', amount: 1 }] })).toThrow(
      expect.objectContaining({ code: 'invalid_argument' }),
    );
  });
});

describe('simple and log returns', () => {
  it('are period over period', () => {
    expect(simpleReturns([100, 110, 99])).toEqual([0.10000000000000009, -0.09999999999999998]);
    expect(logReturns([100, 110, 100]).reduce((a, b) => a + b, 0)).toBeCloseTo(0, 15);
  });
});
