import { describe, expect, it } from 'vitest';
import { backcastValues, equalWeights, exposureByGroup, rebalancePlan } from '../src/index.js';

describe('exposureByGroup', () => {
  it('weights groups of holdings against the whole account, cash included', () => {
    // Total = 600 + 300 + 100 + 1000 cash = 2000; chips = NVDA 600 + AMD 300 = 900 → 45%.
    const sectors: Record<string, string> = { NVDA: 'Semis', AMD: 'Semis', KO: 'Drinks' };
    const out = exposureByGroup(
      [
        { symbol: 'NVDA', value: '600' },
        { symbol: 'KO', value: '100' },
        { symbol: 'AMD', value: '300' },
      ],
      (s) => sectors[s],
      '1000',
    );
    expect(out.map((g) => [g.group, g.value.toString(), g.weight.toString(), g.symbols])).toEqual([
      ['Semis', '900', '0.45', ['NVDA', 'AMD']],
      ['Drinks', '100', '0.05', ['KO']],
    ]);
  });

  it('leaves unclassified holdings out of the groups but in the total', () => {
    const out = exposureByGroup(
      [
        { symbol: 'X', value: '50' },
        { symbol: 'Y', value: '50' },
      ],
      (s) => (s === 'X' ? 'g' : undefined),
    );
    expect(out).toHaveLength(1);
    expect(out[0]!.weight.toString()).toBe('0.5');
  });

  it('refuses negative values', () => {
    expect(() => exposureByGroup([{ symbol: 'X', value: '-1' }], () => 'g')).toThrow(/non-negative/);
  });
});

describe('backcastValues', () => {
  it('values today’s quantities on every date all symbols share', () => {
    const out = backcastValues(
      [
        { symbol: 'A', quantity: '2' },
        { symbol: 'B', quantity: '10' },
      ],
      [
        {
          symbol: 'A',
          bars: [
            { date: '2024-01-03', close: '10.50' },
            { date: '2024-01-02', close: '10' },
          ],
        },
        {
          symbol: 'B',
          bars: [
            { date: '2024-01-03', close: '1.01' },
            { date: '2024-01-04', close: '2' },
          ],
        },
      ],
      '5',
    );
    // Only 2024-01-03 has both: 2 × 10.50 + 10 × 1.01 + 5 = 36.1
    expect(out.map((p) => [p.date, p.value.toString()])).toEqual([['2024-01-03', '36.1']]);
  });

  it('needs a history for every holding', () => {
    expect(() => backcastValues([{ symbol: 'A', quantity: 1 }], [])).toThrow(/No price history for A/);
  });
});

describe('rebalancePlan', () => {
  it('moves a two-stock portfolio to equal weight with whole shares, sells first', () => {
    // A: 30 × $10 = 300, B: 10 × $10 = 100, cash 100 → total 500. Equal weight, no buffer: 250 each.
    // A sells 5 (→ 250), B buys 15 (→ 250); cash 100 + 50 − 150 = 0.
    const plan = rebalancePlan({
      holdings: [
        { symbol: 'A', quantity: '30', price: '10' },
        { symbol: 'B', quantity: '10', price: '10' },
      ],
      cash: '100',
      targets: equalWeights(['A', 'B']),
    });
    expect(plan.totalValue).toBe('500.00');
    expect(plan.trades).toEqual([
      { symbol: 'A', side: 'sell', quantity: '5', price: '10.00', estimatedValue: '50.00' },
      { symbol: 'B', side: 'buy', quantity: '15', price: '10.00', estimatedValue: '150.00' },
    ]);
    expect(plan.cashAfter).toBe('0.00');
    expect(plan.weightsAfter.map((w) => w.afterPercent)).toEqual(['50.00', '50.00']);
  });

  it('keeps a cash buffer, truncates toward the target and sells what has no target', () => {
    // Total = 3 × 100 + 1000 = 1300; buffer 10% → 1170 investable, all in C at $7:
    // C buys trunc(1170 / 7) = 167 (1169), X (no target) sells all 3.
    const plan = rebalancePlan({
      holdings: [{ symbol: 'X', quantity: '3', price: '100' }],
      cash: '1000',
      targets: { C: 1 },
      prices: { C: '7' },
      cashBuffer: 0.1,
    });
    expect(plan.trades.map((t) => `${t.side} ${t.quantity} ${t.symbol}`)).toEqual(['sell 3 X', 'buy 167 C']);
    expect(plan.cashAfter).toBe('131.00');
  });

  it('never plans more buying than the cash there will be', () => {
    // Sells truncate toward zero (A sells 0 of a $300 share), so B's buy must shrink to fit the cash.
    const plan = rebalancePlan({
      holdings: [{ symbol: 'A', quantity: '1', price: '300' }],
      cash: '100',
      targets: { A: 0.5, B: 0.5 },
      prices: { B: '30' },
    });
    expect(plan.trades).toEqual([
      { symbol: 'B', side: 'buy', quantity: '3', price: '30.00', estimatedValue: '90.00' },
    ]);
    expect(Number(plan.cashAfter)).toBeGreaterThanOrEqual(0);
  });

  it('refuses weights above 100% and missing prices', () => {
    expect(() =>
      rebalancePlan({ holdings: [], cash: 1, targets: { A: 0.6, B: 0.6 }, prices: { A: 1, B: 1 } }),
    ).toThrow(/at most 1/);
    expect(() => rebalancePlan({ holdings: [], cash: 1, targets: { A: 1 } })).toThrow(
      /No positive price for A/,
    );
  });
});
