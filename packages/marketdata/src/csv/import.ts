import { CsvError, parse } from 'csv-parse/sync';
import { barIssue, type DailyBar, decimalString, isIsoDate, volumeInteger } from '../bars.js';
import { MarketDataError } from '../errors.js';
import { type CsvLayout, detectLayout, isoDateIn, type LayoutSpec } from './layouts.js';

export type CsvIssueCode =
  | 'empty_file'
  | 'html'
  | 'json'
  | 'provider_message'
  | 'malformed_csv'
  | 'unknown_header'
  | 'no_rows'
  | 'column_count'
  | 'bad_date'
  | 'bad_number'
  | 'non_positive_price'
  | 'inconsistent_range'
  | 'bad_volume'
  | 'bad_period'
  | 'symbol_mismatch'
  | 'duplicate_date';

/** A problem and the 1-based line it is on (1 = the header, or the whole file). */
export interface CsvIssue {
  line: number;
  code: CsvIssueCode;
  message: string;
}

export interface CsvImportReport {
  layout: CsvLayout | null;
  /** Data rows read (header and blank lines not counted). */
  rows: number;
  /** Bars returned: rows − skipped, or 0 when there are errors. */
  imported: number;
  /** Yahoo's all-'null' rows (days it has no prices for), left out without error. */
  skipped: number;
  errors: CsvIssue[];
}

export interface CsvImport {
  bars: DailyBar[];
  report: CsvImportReport;
}

export interface CsvImportOptions {
  /** Required for Yahoo and Stooq files (they name no symbol); checked against a bulk file's <TICKER>. */
  symbol?: string;
}

const HTML = /^<(?:!doctype|html|head|body|\?xml|!--|meta|title|script|div|p[\s>])/i;
const BULK_SUFFIX = /\.US$/; // Stooq's US listings: AAPL.US is our AAPL

/**
 * Daily bars from a Yahoo or Stooq CSV, layout detected from the header. All or nothing: a file
 * with any bad row yields no bars and every problem in `report.errors`, so a person can fix it.
 * Rows may come in any order (Stooq and Yahoo send oldest first; others newest first): bars are
 * returned oldest first. A date given twice is an error, since neither row can be preferred.
 */
export function importDailyBarsCsv(text: string, options: CsvImportOptions = {}): CsvImport {
  const body = text.replace(/^\uFEFF/, '').trimStart();
  const fileIssue = (code: CsvIssueCode, message: string, line = 1): CsvImport => ({
    bars: [],
    report: { layout: null, rows: 0, imported: 0, skipped: 0, errors: [{ line, code, message }] },
  });
  if (!body.trim()) return fileIssue('empty_file', 'The file is empty');
  if (HTML.test(body))
    return fileIssue('html', 'The file is an HTML page (an error or login page?), not CSV');
  if (/^[{[]/.test(body)) return fileIssue('json', 'The file is JSON (an API error?), not CSV');

  let records: { info: { lines: number }; record: string[] }[];
  try {
    records = parse(body, {
      info: true,
      relax_column_count: true,
      skip_empty_lines: true,
      trim: true,
    }) as never;
  } catch (err) {
    const line = err instanceof CsvError && typeof err.lines === 'number' ? err.lines : 1;
    return fileIssue('malformed_csv', `Not valid CSV: ${(err as Error).message}`, line);
  }
  const header = records[0]!.record;
  const spec = detectLayout(header);
  if (!spec) {
    return records.length === 1 && header.length === 1
      ? fileIssue('provider_message', `The file holds a message, not data: "${header[0]}"`)
      : fileIssue('unknown_header', `Not a Yahoo or Stooq daily header: ${header.join(',')}`);
  }
  const symbol = options.symbol?.trim().toUpperCase();
  if (!symbol && spec.layout !== 'stooq-bulk') {
    throw new MarketDataError(
      'invalid_argument',
      `A ${spec.layout} CSV names no symbol: pass options.symbol`,
      'csv',
    );
  }
  return importRows(spec, header.length, records.slice(1), symbol);
}

function importRows(
  spec: LayoutSpec,
  width: number,
  records: { info: { lines: number }; record: string[] }[],
  givenSymbol: string | undefined,
): CsvImport {
  const errors: CsvIssue[] = [];
  const bars: DailyBar[] = [];
  const lineOfDate = new Map<string, number>();
  let symbol = givenSymbol;
  let skipped = 0;

  for (const { info, record } of records) {
    const line = info.lines;
    const fail = (code: CsvIssueCode, message: string) => void errors.push({ line, code, message });
    if (record.length !== width) {
      fail('column_count', `Expected ${width} fields, found ${record.length}`);
      continue;
    }
    if (spec.layout === 'yahoo' && record.slice(1).some((f) => f === 'null')) {
      skipped++;
      continue;
    }
    if (spec.ticker !== undefined) {
      const ticker = record[spec.ticker]!.toUpperCase().replace(BULK_SUFFIX, '');
      if (record[spec.period!]!.toUpperCase() !== 'D') {
        fail('bad_period', `Period ${record[spec.period!]} is not daily (D)`);
        continue;
      }
      symbol ??= ticker;
      if (ticker !== symbol) {
        fail('symbol_mismatch', `Ticker ${record[spec.ticker]} is not ${symbol}`);
        continue;
      }
    }
    const date = isoDateIn(spec, record[spec.columns.date]!);
    if (!isIsoDate(date)) {
      fail('bad_date', `Not a date: ${record[spec.columns.date]}`);
      continue;
    }
    const { open, high, low, close, volume } = spec.columns;
    const [o, h, l, c] = [open, high, low, close].map((i) => decimalString(record[i]));
    const adj = spec.adjClose === undefined ? undefined : decimalString(record[spec.adjClose]);
    if (!o || !h || !l || !c || adj === null) {
      fail('bad_number', `Prices must be numbers: ${record.join(',')}`);
      continue;
    }
    const bar: DailyBar = { symbol: symbol!, date, open: o, high: h, low: l, close: c, volume: 0 };
    const issue = barIssue(bar) ?? (adj === undefined || Number(adj) > 0 ? null : 'non_positive_price');
    if (issue) {
      fail(
        issue,
        issue === 'non_positive_price' ? 'Prices must be > 0' : 'High/low do not contain open and close',
      );
      continue;
    }
    const shares = volume === undefined ? 0 : volumeInteger(record[volume]);
    if (shares === null) {
      fail('bad_volume', `Volume must be a number ≥ 0: ${record[volume!]}`);
      continue;
    }
    const firstLine = lineOfDate.get(date);
    if (firstLine !== undefined) {
      fail('duplicate_date', `${date} is also on line ${firstLine}`);
      continue;
    }
    lineOfDate.set(date, line);
    bars.push({ ...bar, volume: shares, ...(adj === undefined ? {} : { adjClose: adj }) });
  }

  const rows = records.length;
  if (rows - skipped === 0 && errors.length === 0) {
    errors.push({ line: 1, code: 'no_rows', message: 'The file has a header but no bars' });
  }
  const ok = errors.length === 0;
  return {
    bars: ok ? bars.sort((a, b) => a.date.localeCompare(b.date)) : [],
    report: { layout: spec.layout, rows, imported: ok ? bars.length : 0, skipped, errors },
  };
}
