import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** A company of the demo universe (S&P 500 constituents, `data/sp500-constituents.csv`). */
export interface Company {
  symbol: string;
  name: string;
  sector: string;
  subIndustry: string;
  headquarters: string;
  dateAdded: string;
  cik: string;
  founded: string;
}

/** RFC 4180 CSV: quoted fields, doubled quotes, commas and newlines inside quotes. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      if (row.length > 1 || row[0] !== '') rows.push(row);
      row = [];
      field = '';
    } else field += ch;
  }
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

// Resolved through the package (not import.meta.url) so it holds when this code is bundled.
const UNIVERSE_CSV = join(
  dirname(createRequire(import.meta.url).resolve('@stockpulse/domain/package.json')),
  'data',
  'sp500-constituents.csv',
);
let cached: Company[] | undefined;

export function loadUniverse(): Company[] {
  if (cached) return cached;
  const [header, ...rows] = parseCsv(readFileSync(UNIVERSE_CSV, 'utf8'));
  const expected = ['Symbol', 'Security', 'GICS Sector', 'GICS Sub-Industry'];
  if (!header || expected.some((h, i) => header[i] !== h)) throw new Error('Unexpected universe CSV header');
  cached = rows.map((r) => ({
    symbol: r[0]!,
    name: r[1]!,
    sector: r[2]!,
    subIndustry: r[3]!,
    headquarters: r[4] ?? '',
    dateAdded: r[5] ?? '',
    cik: r[6] ?? '',
    founded: r[7] ?? '',
  }));
  return cached;
}

export function companyBySymbol(symbol: string): Company | undefined {
  const s = symbol.trim().toUpperCase();
  return loadUniverse().find((c) => c.symbol === s);
}
