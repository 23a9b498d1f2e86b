import { describe, expect, it } from 'vitest';
import { importDailyBarsCsv } from '../src/index.js';
import { fixture } from './fixture-server.js';

const YAHOO_HEADER = 'Date,Open,High,Low,Close,Adj Close,Volume';
const yahoo = (...rows: string[]) =>
  importDailyBarsCsv([YAHOO_HEADER, ...rows].join('\n'), { symbol: 'AAPL' });

describe('importDailyBarsCsv: layouts', () => {
  it('reads a Yahoo download, skipping its null rows with a count', () => {
    const { bars, report } = importDailyBarsCsv(fixture('csv/yahoo-aapl.csv'), { symbol: 'aapl' });
    expect(report).toEqual({ layout: 'yahoo', rows: 7, imported: 6, skipped: 1, errors: [] });
    expect(bars[0]).toEqual({
      symbol: 'AAPL',
      date: '2023-11-01',
      open: '171',
      high: '174.23',
      low: '170.12',
      close: '173.97',
      volume: 56934900,
      adjClose: '173.035607',
    });
    expect(bars.map((b) => b.date)).not.toContain('2023-11-05');
  });

  it('reads Stooq: English (CRLF), Polish, and the bulk <TICKER> layout with YYYYMMDD dates', () => {
    const stooq = importDailyBarsCsv(fixture('csv/stooq-aapl.csv'), { symbol: 'AAPL' });
    expect(stooq.report).toMatchObject({ layout: 'stooq', rows: 6, imported: 6, errors: [] });

    const polish = importDailyBarsCsv(fixture('csv/stooq-pl-aapl.csv'), { symbol: 'AAPL' });
    expect(polish.report).toMatchObject({ layout: 'stooq', imported: 2, errors: [] });

    // The symbol comes from <TICKER> (AAPL.US → AAPL); volumes like 5.69349e+07 become integers.
    const bulk = importDailyBarsCsv(fixture('csv/stooq-bulk-aapl.us.txt'));
    expect(bulk.report).toMatchObject({ layout: 'stooq-bulk', imported: 6, errors: [] });
    expect(bulk.bars[0]).toEqual({
      symbol: 'AAPL',
      date: '2023-11-01',
      open: '171',
      high: '174.23',
      low: '170.12',
      close: '173.97',
      volume: 56934900,
    });
    // The three Stooq layouts and Yahoo agree bar for bar (Yahoo's adjClose aside).
    const yahooBars = importDailyBarsCsv(fixture('csv/yahoo-aapl.csv'), { symbol: 'AAPL' }).bars;
    expect(stooq.bars).toEqual(bulk.bars);
    expect(yahooBars.map(({ adjClose, ...bar }) => bar)).toEqual(stooq.bars);
  });

  it('accepts lower-case headers, a BOM, and a Stooq index file without volume (volume 0)', () => {
    const { bars, report } = importDailyBarsCsv(
      '\uFEFFdate,open,high,low,close\n2024-01-02,4745.2,4754.33,4722.67,4742.83\n',
      {
        symbol: '^SPX',
      },
    );
    expect(report.errors).toEqual([]);
    expect(bars[0]).toMatchObject({ symbol: '^SPX', close: '4742.83', volume: 0 });
  });
});

describe('importDailyBarsCsv: rejects what is not the CSV it claims', () => {
  it.each([
    ['an empty file', '  \n', 'empty_file'],
    ["Yahoo's HTML error page", fixture('csv/yahoo-error.html'), 'html'],
    ['a JSON API error', fixture('csv/yahoo-unauthorized.json'), 'json'],
    ["Stooq's quota message", fixture('csv/stooq-limit.txt'), 'provider_message'],
    ['an unknown header', 'Time,Price\n2024-01-02,1\n', 'unknown_header'],
    ['a header without rows', `${YAHOO_HEADER}\n`, 'no_rows'],
    ['an unclosed quote', `${YAHOO_HEADER}\n2024-01-02,"1,1,1,1,1,1\n`, 'malformed_csv'],
  ])('%s', (_, text, code) => {
    const { bars, report } = importDailyBarsCsv(text, { symbol: 'AAPL' });
    expect(bars).toEqual([]);
    expect(report.errors).toEqual([expect.objectContaining({ code, line: expect.any(Number) })]);
  });

  it('needs a symbol for layouts that do not name one', () => {
    expect(() => importDailyBarsCsv(fixture('csv/yahoo-aapl.csv'))).toThrow(
      expect.objectContaining({ code: 'invalid_argument' }),
    );
  });
});

describe('importDailyBarsCsv: row validation, all or nothing', () => {
  it('lists every bad row with its line number and imports nothing', () => {
    const { bars, report } = yahoo(
      '2024-01-02,10,11,9,10.5,10.5,100', // line 2: fine
      '2024-02-30,10,11,9,10.5,10.5,100', // line 3: no such day
      '01/04/2024,10,11,9,10.5,10.5,100', // line 4: not ISO
      '2024-01-05,10,abc,9,10.5,10.5,100', // line 5
      '2024-01-08,-10,11,9,10.5,10.5,100', // line 6: negative
      '2024-01-09,10,10.4,9,10.5,10.5,100', // line 7: high < close
      '2024-01-10,10,11,10.2,10.5,10.5,100', // line 8: low > open
      '2024-01-11,10,11,9,10.5,10.5,-5', // line 9: negative volume
      '2024-01-12,10,11,9,10.5', // line 10: short row
      '2024-01-02,10,11,9,10.5,10.5,100', // line 11: repeats line 2
    );
    expect(bars).toEqual([]);
    expect(report).toMatchObject({ layout: 'yahoo', rows: 10, imported: 0, skipped: 0 });
    expect(report.errors.map((e) => [e.line, e.code])).toEqual([
      [3, 'bad_date'],
      [4, 'bad_date'],
      [5, 'bad_number'],
      [6, 'non_positive_price'],
      [7, 'inconsistent_range'],
      [8, 'inconsistent_range'],
      [9, 'bad_volume'],
      [10, 'column_count'],
      [11, 'duplicate_date'],
    ]);
    expect(report.errors.at(-1)!.message).toContain('line 2');
  });

  it('counts lines past blank ones, and sorts rows given newest first', () => {
    const { bars, report } = yahoo(
      '2024-01-03,10,11,9,10.5,10.5,100',
      '',
      '2024-01-02,10,11,9,10.5,10.5,100',
      'x',
    );
    expect(report.errors).toEqual([{ line: 5, code: 'column_count', message: expect.any(String) }]);
    const ok = yahoo('2024-01-03,10,11,9,10.5,10.5,100', '2024-01-02,10,11,9,10.5,10.5,100');
    expect(ok.bars.map((b) => b.date)).toEqual(['2024-01-02', '2024-01-03']);
    expect(bars).toEqual([]);
  });

  it('checks a bulk file: daily period only, one ticker, matching the symbol asked for', () => {
    const header = '<TICKER>,<PER>,<DATE>,<TIME>,<OPEN>,<HIGH>,<LOW>,<CLOSE>,<VOL>,<OPENINT>';
    const text = [
      header,
      'AAPL.US,D,20240102,000000,10,11,9,10.5,100,0',
      'AAPL.US,5,20240103,153000,10,11,9,10.5,100,0',
      'MSFT.US,D,20240104,000000,10,11,9,10.5,100,0',
      'AAPL.US,D,2024-01-05,000000,10,11,9,10.5,100,0',
    ].join('\n');
    expect(importDailyBarsCsv(text).report.errors.map((e) => [e.line, e.code])).toEqual([
      [3, 'bad_period'],
      [4, 'symbol_mismatch'],
      [5, 'bad_date'],
    ]);
    const asked = importDailyBarsCsv(`${header}\nAAPL.US,D,20240102,000000,10,11,9,10.5,100,0\n`, {
      symbol: 'MSFT',
    });
    expect(asked.report.errors).toEqual([expect.objectContaining({ line: 2, code: 'symbol_mismatch' })]);
  });
});
