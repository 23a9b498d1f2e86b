import { describe, expect, it } from 'vitest';
import { concentration, contributionToReturn } from '../src/index.js';

describe('contributionToReturn', () => {
  // A 1,000 portfolio: AAPL 400 → 440, MSFT 300 → 285, XOM 200 → 240, cash 100 → 100; it ends at 1,065.
  const positions = [
    { symbol: 'AAPL', sector: 'Information Technology', weight: '0.4', return: '0.10' },
    { symbol: 'MSFT', sector: 'Information Technology', weight: '0.3', return: '-0.05' },
    { symbol: 'XOM', sector: 'Energy', weight: '0.2', return: '0.20' },
    { symbol: 'CASH', weight: '0.1', return: '0' },
  ];

  it('weights × returns by position, summing exactly to the portfolio return', () => {
    const c = contributionToReturn(positions);
    expect(c.byPosition.map((p) => [p.symbol, p.contribution.toString()])).toEqual([
      ['AAPL', '0.04'],
      ['MSFT', '-0.015'],
      ['XOM', '0.04'],
      ['CASH', '0'],
    ]);
    expect(c.portfolioReturn.toString()).toBe('0.065'); // 1065 / 1000 − 1
  });

  it('by sector, with the sector’s own return, summing to the same total', () => {
    const c = contributionToReturn(positions);
    expect(
      c.bySector.map((s) => [s.sector, s.weight.toString(), s.contribution.toString(), s.return?.toFixed(6)]),
    ).toEqual([
      ['Information Technology', '0.7', '0.025', '0.035714'],
      ['Energy', '0.2', '0.04', '0.200000'],
      ['Unclassified', '0.1', '0', '0.000000'],
    ]);
    const total = c.bySector.map((s) => s.contribution).reduce((a, b) => a.plus(b));
    expect(total.equals(c.portfolioReturn)).toBe(true);
  });

  it('is exact: no float residue in the total', () => {
    const c = contributionToReturn([
      { symbol: 'A', weight: '0.333333333333', return: '0.1' },
      { symbol: 'B', weight: '0.333333333333', return: '0.2' },
      { symbol: 'C', weight: '0.333333333334', return: '0.3' },
    ]);
    // 0.0333333333333 + 0.0666666666666 + 0.1000000000002
    expect(c.portfolioReturn.toString()).toBe('0.2000000000001');
    expect(c.bySector[0]!.contribution.equals(c.portfolioReturn)).toBe(true);
  });
});

describe('concentration', () => {
  it('largest weight and Herfindahl index', () => {
    const c = concentration([
      { symbol: 'B', value: '300' },
      { symbol: 'A', value: '500' },
      { symbol: 'C', value: '200' },
    ]);
    expect(c.weights.map((w) => [w.symbol, w.weight.toString()])).toEqual([
      ['A', '0.5'],
      ['B', '0.3'],
      ['C', '0.2'],
    ]);
    expect(c.largest?.symbol).toBe('A');
    expect(c.herfindahl.toString()).toBe('0.38'); // 0.25 + 0.09 + 0.04
    expect(c.effectiveHoldings?.toFixed(4)).toBe('2.6316'); // 1 / 0.38
  });

  it('1/n for n equal holdings, 1 for a single one, and empty is empty', () => {
    const equal = concentration(['A', 'B', 'C', 'D'].map((symbol) => ({ symbol, value: 25 })));
    expect(equal.herfindahl.toString()).toBe('0.25');
    expect(equal.effectiveHoldings?.toString()).toBe('4');
    expect(concentration([{ symbol: 'A', value: '10.5' }]).herfindahl.toString()).toBe('1');
    expect(concentration([])).toEqual({
      weights: [],
      largest: null,
      herfindahl: expect.anything(),
      effectiveHoldings: null,
    });
    expect(() => concentration([{ symbol: 'A', value: -1 }])).toThrow(
      expect.objectContaining({ code: 'invalid_argument' }),
    );
  });
});
