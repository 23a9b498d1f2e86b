import { describe, expect, it } from 'vitest';
import { equalWeightIndex } from '../src/index.js';

const bar = (symbol: string, date: string, close: string) => ({
  symbol,
  date,
  open: close,
  high: close,
  low: close,
  close,
  volume: 1,
});

describe('equalWeightIndex', () => {
  it('averages each symbol’s growth on the dates all share, from 100', () => {
    // A: 10 → 11 (+10%), B: 200 → 180 (−10%) → index 100 → 100; then A 12 (+20%), B 220 (+10%) → 115.
    const idx = equalWeightIndex(
      new Map([
        ['A', [bar('A', '2024-01-02', '10'), bar('A', '2024-01-03', '11'), bar('A', '2024-01-04', '12')]],
        [
          'B',
          [
            bar('B', '2024-01-01', '1'),
            bar('B', '2024-01-02', '200'),
            bar('B', '2024-01-03', '180'),
            bar('B', '2024-01-04', '220'),
          ],
        ],
      ]),
    );
    expect(idx.bars).toEqual([
      { date: '2024-01-02', close: '100.0000' },
      { date: '2024-01-03', close: '100.0000' },
      { date: '2024-01-04', close: '115.0000' },
    ]);
  });
});
