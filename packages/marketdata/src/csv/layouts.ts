/**
 * The daily OHLCV CSV layouts we accept, recognised by their header alone:
 * - `yahoo`: Yahoo Finance history download, `Date,Open,High,Low,Close,Adj Close,Volume`.
 * - `stooq`: stooq.com `/q/d/l/?s=…&i=d`, `Date,Open,High,Low,Close,Volume` (no Volume for
 *   indices and FX), or stooq.pl's Polish header `Data,Otwarcie,Najwyzszy,Najnizszy,Zamkniecie,Wolumen`.
 * - `stooq-bulk`: Stooq's bulk database files,
 *   `<TICKER>,<PER>,<DATE>,<TIME>,<OPEN>,<HIGH>,<LOW>,<CLOSE>,<VOL>,<OPENINT>`, dates YYYYMMDD.
 * Header names are matched case-insensitively, with `<…>` brackets ignored.
 */
export type CsvLayout = 'yahoo' | 'stooq' | 'stooq-bulk';

export interface LayoutSpec {
  layout: CsvLayout;
  /** Column index of each field; `volume` absent when the layout has none (volume is then 0). */
  columns: { date: number; open: number; high: number; low: number; close: number; volume?: number };
  adjClose?: number;
  ticker?: number;
  period?: number;
  /** 'iso' = YYYY-MM-DD, 'compact' = YYYYMMDD. */
  dateFormat: 'iso' | 'compact';
}

const OHLC = { date: 0, open: 1, high: 2, low: 3, close: 4 };

const LAYOUTS: Record<string, LayoutSpec> = {
  'date,open,high,low,close,adj close,volume': {
    layout: 'yahoo',
    columns: { ...OHLC, volume: 6 },
    adjClose: 5,
    dateFormat: 'iso',
  },
  'date,open,high,low,close,volume': { layout: 'stooq', columns: { ...OHLC, volume: 5 }, dateFormat: 'iso' },
  'date,open,high,low,close': { layout: 'stooq', columns: OHLC, dateFormat: 'iso' },
  'data,otwarcie,najwyzszy,najnizszy,zamkniecie,wolumen': {
    layout: 'stooq',
    columns: { ...OHLC, volume: 5 },
    dateFormat: 'iso',
  },
  'data,otwarcie,najwyzszy,najnizszy,zamkniecie': { layout: 'stooq', columns: OHLC, dateFormat: 'iso' },
  'ticker,per,date,time,open,high,low,close,vol,openint': {
    layout: 'stooq-bulk',
    columns: { date: 2, open: 4, high: 5, low: 6, close: 7, volume: 8 },
    ticker: 0,
    period: 1,
    dateFormat: 'compact',
  },
};

export function detectLayout(header: readonly string[]): LayoutSpec | undefined {
  const key = header
    .map((h) =>
      h
        .trim()
        .toLowerCase()
        .replace(/^<(.*)>$/, '$1'),
    )
    .join(',');
  return LAYOUTS[key];
}

/** The date text as 'YYYY-MM-DD' ('' when it is not in the layout's format). */
export function isoDateIn(spec: LayoutSpec, text: string): string {
  if (spec.dateFormat === 'iso') return text;
  return /^\d{8}$/.test(text) ? `${text.slice(0, 4)}-${text.slice(4, 6)}-${text.slice(6)}` : '';
}
