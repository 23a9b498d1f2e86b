import { describe, expect, it } from 'vitest';
import { type AccountEvent, computePositions, type Position } from '../src/index.js';

const only = (events: AccountEvent[], options: Parameters<typeof computePositions>[1]): Position => {
  const { positions } = computePositions(events, options);
  expect(positions).toHaveLength(1);
  return positions[0]!;
};

describe('average cost vs FIFO on the same trades', () => {
  // Buy 100 @ 10 + $1 fee → lot A costs 1001.      Buy 100 @ 12 + $1 fee → lot B costs 1201.
  // Sell 150 @ 15 − $1.50 fee → proceeds 2250 − 1.5 = 2248.5.
  //   FIFO:    basis = A 1001 + half of B 600.5 = 1601.5 → realized 2248.5 − 1601.5 = 647;
  //            left 50 sh of B, basis 600.5 (12.01/sh); at 16: value 800 → unrealized 199.5.
  //   Average: pool 200 sh for 2202 = 11.01/sh; basis of 150 = 1651.5 → realized 597;
  //            left 50 sh × 11.01 = 550.5; at 16 → unrealized 249.5.
  // Realized + unrealized is 846.5 either way: the method only moves P&L between the two.
  const trades: AccountEvent[] = [
    { type: 'buy', date: '2024-01-02', symbol: 'ACME', quantity: 100, price: '10', commission: '1' },
    { type: 'buy', date: '2024-02-01', symbol: 'ACME', quantity: 100, price: '12', commission: '1' },
    { type: 'sell', date: '2024-03-01', symbol: 'ACME', quantity: 150, price: '15', commission: '1.5' },
  ];

  it('FIFO closes the oldest lot first', () => {
    const p = only(trades, { method: 'fifo', prices: { ACME: 16 } });
    expect(p).toMatchObject({
      quantity: '50',
      costBasis: '600.5',
      averageCost: '12.01',
      realizedPnl: '647',
      unrealizedPnl: '199.5',
      marketValue: '800',
      commissions: '3.5',
      openLots: [{ openedOn: '2024-02-01', quantity: '50', costBasis: '600.5', costPerShare: '12.01' }],
    });
    // The sale's fee is shared by quantity: 100/150 of 1.5 = 1 against lot A, 0.5 against lot B.
    expect(p.closures).toEqual([
      {
        date: '2024-03-01',
        openedOn: '2024-01-02',
        quantity: '100',
        proceeds: '1499',
        costBasis: '1001',
        realizedPnl: '498',
      },
      {
        date: '2024-03-01',
        openedOn: '2024-02-01',
        quantity: '50',
        proceeds: '749.5',
        costBasis: '600.5',
        realizedPnl: '149',
      },
    ]);
  });

  it('average cost releases basis at the pooled cost per share', () => {
    const p = only(trades, { method: 'average', prices: { ACME: 16 } });
    expect(p).toMatchObject({
      quantity: '50',
      costBasis: '550.5',
      averageCost: '11.01',
      realizedPnl: '597',
      unrealizedPnl: '249.5',
      openLots: [{ openedOn: '2024-01-02', quantity: '50', costBasis: '550.5' }],
    });
  });

  it('leaves no unrealized P&L without a price, and a flat position with no average', () => {
    const p = only(
      [...trades, { type: 'sell', date: '2024-03-02', symbol: 'ACME', quantity: 50, price: 15 }],
      {
        method: 'fifo',
      },
    );
    expect(p).toMatchObject({
      quantity: '0',
      costBasis: '0',
      averageCost: null,
      openLots: [],
      unrealizedPnl: null,
    });
    // 647 + (50 × 15 − 600.5) = 647 + 149.5
    expect(p.realizedPnl).toBe('796.5');
  });
});

describe('splits', () => {
  // Buy 10 @ 400 and 5 @ 420 (no fees); 4-for-1 split on 2024-06-10 → lots of 40 @ 100 and 20 @ 105,
  // costs unchanged (4000 and 2100). Sell 50 @ 110 on 2024-07-01 (post-split shares):
  //   FIFO: basis 4000 + 10 × 105 = 5050, proceeds 5500 → realized 450; left 10 @ 105.
  //   Average: pool 60 sh for 6100 → basis 6100 × 50/60 = 5083.33…; left 10 sh for 1016.66…
  const events: AccountEvent[] = [
    { type: 'buy', date: '2024-01-02', symbol: 'NVDX', quantity: 10, price: 400 },
    { type: 'buy', date: '2024-03-01', symbol: 'NVDX', quantity: 5, price: 420 },
    { type: 'split', date: '2024-06-10', symbol: 'NVDX', from: 1, to: 4 },
    { type: 'sell', date: '2024-07-01', symbol: 'NVDX', quantity: 50, price: 110 },
  ];

  it('scales lot quantities and per-share costs exactly, with no cash effect', () => {
    const beforeSale = only(events.slice(0, 3), { method: 'fifo' });
    expect(beforeSale.quantity).toBe('60');
    expect(beforeSale.costBasis).toBe('6100');
    expect(beforeSale.realizedPnl).toBe('0');
    expect(beforeSale.openLots.map((l) => [l.quantity, l.costPerShare])).toEqual([
      ['40', '100'],
      ['20', '105'],
    ]);

    const fifo = only(events, { method: 'fifo' });
    expect(fifo).toMatchObject({ quantity: '10', costBasis: '1050', realizedPnl: '450' });

    const average = only(events, { method: 'average' });
    expect(Number(average.realizedPnl).toFixed(2)).toBe('416.67'); // 5500 − 5083.33…
    expect(Number(average.costBasis).toFixed(2)).toBe('1016.67');
    expect(average.averageCost).toBe('101.6666666666666666666666666666666666667');
  });

  // 105 sh @ 10 = 1050; 1-for-10 reverse split → 10.5 sh at 100/sh.
  const reverse: AccountEvent[] = [
    { type: 'buy', date: '2024-01-02', symbol: 'PENY', quantity: 105, price: 10 },
    { type: 'split', date: '2024-05-01', symbol: 'PENY', from: 10, to: 1 },
  ];

  it('keeps the fractional share of a reverse split by default', () => {
    expect(only(reverse, { method: 'average' })).toMatchObject({
      quantity: '10.5',
      costBasis: '1050',
      averageCost: '100',
      realizedPnl: '0',
    });
  });

  it('pays cash in lieu of the fraction as a sale at the given price', () => {
    // 0.5 sh × 98 = 49 cash against 0.5 × 100 = 50 basis → realized −1; 10 sh left for 1000.
    const [split] = reverse.slice(1) as [AccountEvent];
    const p = only([reverse[0]!, { ...split, cashInLieuPrice: 98 } as AccountEvent], { method: 'fifo' });
    expect(p).toMatchObject({ quantity: '10', costBasis: '1000', realizedPnl: '-1', commissions: '0' });
    expect(p.closures).toEqual([
      {
        date: '2024-05-01',
        openedOn: '2024-01-02',
        quantity: '0.5',
        proceeds: '49',
        costBasis: '50',
        realizedPnl: '-1',
      },
    ]);
  });
});

describe('cash dividends', () => {
  // $0.25/share, ex-date 2024-02-09, paid 2024-02-15. Entitled: the 100 shares held when the ex-date
  // opens. The 40 bought on the ex-date are not; selling on the ex-date keeps the dividend.
  const events: AccountEvent[] = [
    { type: 'buy', date: '2024-01-02', symbol: 'DIVY', quantity: 100, price: 50 },
    { type: 'dividend', symbol: 'DIVY', exDate: '2024-02-09', payDate: '2024-02-15', amountPerShare: '0.25' },
    { type: 'sell', date: '2024-02-09', symbol: 'DIVY', quantity: 100, price: 51 },
    { type: 'buy', date: '2024-02-09', symbol: 'DIVY', quantity: 40, price: 51 },
  ];

  it('is earned on the ex-date and counted as income on the pay date', () => {
    const beforePay = only(events, { method: 'fifo', asOf: '2024-02-12' });
    expect(beforePay).toMatchObject({ dividendIncome: '0', dividendsReceivable: '25', quantity: '40' });

    const afterPay = only(events, { method: 'fifo', asOf: '2024-02-20' });
    expect(afterPay).toMatchObject({ dividendIncome: '25', dividendsReceivable: '0' });
    // Dividends are income, not a basis adjustment: realized is only the trade, 100 × (51 − 50).
    expect(afterPay.realizedPnl).toBe('100');
    expect(afterPay.costBasis).toBe('2040');
  });

  it('applies the ex-date rule even when a same-day trade is listed first', () => {
    const boughtOnExDate: AccountEvent[] = [
      { type: 'buy', date: '2024-02-09', symbol: 'DIVY', quantity: 40, price: 51 },
      {
        type: 'dividend',
        symbol: 'DIVY',
        exDate: '2024-02-09',
        payDate: '2024-02-15',
        amountPerShare: '0.25',
      },
    ];
    expect(only(boughtOnExDate, { method: 'average' }).dividendIncome).toBe('0');
    const boughtDayBefore = [
      { ...boughtOnExDate[0]!, date: '2024-02-08' } as AccountEvent,
      boughtOnExDate[1]!,
    ];
    expect(only(boughtDayBefore, { method: 'average' }).dividendIncome).toBe('10');
  });

  it('defaults asOf to the latest date in the events, pay dates included', () => {
    const report = computePositions(events, { method: 'average' });
    expect(report.asOf).toBe('2024-02-15');
    expect(report.positions[0]!.dividendIncome).toBe('25');
  });

  it('lists no position for a corporate action on a symbol never traded', () => {
    const report = computePositions(
      [
        { type: 'split', date: '2024-01-02', symbol: 'NOPE', from: 1, to: 2 },
        { type: 'dividend', symbol: 'NOPE', exDate: '2024-01-03', payDate: '2024-01-04', amountPerShare: 1 },
      ],
      { method: 'fifo' },
    );
    expect(report.positions).toEqual([]);
  });

  it('ignores events after asOf', () => {
    expect(only(events, { method: 'fifo', asOf: '2024-02-08' })).toMatchObject({
      quantity: '100',
      dividendIncome: '0',
      dividendsReceivable: '0',
    });
  });
});

describe('errors', () => {
  it('refuses to sell more than is held unless short selling is allowed', () => {
    const events: AccountEvent[] = [
      { type: 'buy', date: '2024-01-02', symbol: 'ACME', quantity: 10, price: 10 },
      { type: 'sell', date: '2024-01-03', symbol: 'ACME', quantity: 11, price: 10 },
    ];
    expect(() => computePositions(events, { method: 'fifo' })).toThrow(
      expect.objectContaining({
        code: 'insufficient_quantity',
        details: expect.objectContaining({ held: '10', quantity: '11', eventIndex: 1 }),
      }),
    );
  });

  it('rejects unordered events and malformed ones', () => {
    expect(() =>
      computePositions(
        [
          { type: 'buy', date: '2024-01-03', symbol: 'A', quantity: 1, price: 1 },
          { type: 'buy', date: '2024-01-02', symbol: 'A', quantity: 1, price: 1 },
        ],
        { method: 'fifo' },
      ),
    ).toThrow(expect.objectContaining({ code: 'unordered_events' }));
    const bad: AccountEvent[] = [
      { type: 'buy', date: '2024-02-30', symbol: 'A', quantity: 1, price: 1 },
      { type: 'buy', date: '2024-01-02', symbol: 'A', quantity: 0, price: 1 },
      { type: 'buy', date: '2024-01-02', symbol: 'A', quantity: 1, price: 'abc' },
      { type: 'sell', date: '2024-01-02', symbol: 'A', quantity: 1, price: 1, commission: -1 },
      { type: 'split', date: '2024-01-02', symbol: 'A', from: 0, to: 1 },
      { type: 'dividend', symbol: 'A', exDate: '2024-01-05', payDate: '2024-01-04', amountPerShare: 1 },
    ];
    for (const event of bad) {
      expect(() => computePositions([event], { method: 'fifo' })).toThrow(
        expect.objectContaining({ code: 'invalid_event' }),
      );
    }
  });
});

describe('short selling when allowed', () => {
  it('opens a short lot and realizes proceeds less cover cost, fees included', () => {
    // Sell short 10 @ 50 − $1 → receive 499; buy 10 @ 45 + $1 → pay 451; realized 48.
    const events: AccountEvent[] = [
      { type: 'sell', date: '2024-01-02', symbol: 'SHRT', quantity: 10, price: 50, commission: 1 },
      { type: 'buy', date: '2024-01-10', symbol: 'SHRT', quantity: 4, price: 45 },
    ];
    const open = only(events.slice(0, 1), { method: 'fifo', allowShort: true, prices: { SHRT: 48 } });
    // Short 10 valued −480 against −499 received → unrealized +19.
    expect(open).toMatchObject({
      quantity: '-10',
      costBasis: '-499',
      averageCost: '49.9',
      unrealizedPnl: '19',
    });

    const covered = only(
      [
        ...events.slice(0, 1),
        { type: 'buy', date: '2024-01-10', symbol: 'SHRT', quantity: 10, price: 45, commission: 1 },
      ],
      { method: 'average', allowShort: true },
    );
    expect(covered).toMatchObject({ quantity: '0', realizedPnl: '48' });
  });

  it('splits a trade that crosses zero into a closing and an opening part, sharing the fee', () => {
    // Long 10 @ 20 (200). Sell 15 @ 30 − $3: 10 close (fee 2) → 298 − 200 = 98; 5 open short (fee 1) → basis −149.
    const p = only(
      [
        { type: 'buy', date: '2024-01-02', symbol: 'FLIP', quantity: 10, price: 20 },
        { type: 'sell', date: '2024-01-03', symbol: 'FLIP', quantity: 15, price: 30, commission: 3 },
      ],
      { method: 'fifo', allowShort: true },
    );
    expect(p).toMatchObject({ quantity: '-5', costBasis: '-149', realizedPnl: '98' });
  });
});
