/**
 * COPY … FROM in CSV, shared by both adapters: the statement and the CSV text. The `pg` adapter
 * streams the text through `pg-copy-streams`; PGlite reads it from a Blob as `/dev/blob`.
 */

/** A value COPY can load: text as given; numbers, booleans, dates and JSON encoded as Postgres reads them. */
export type CopyValue =
  | string
  | number
  | bigint
  | boolean
  | Date
  | Uint8Array
  | null
  | undefined
  | readonly unknown[]
  | { readonly [key: string]: unknown };

/** Rows for `copyFrom`, each listing its values in column order; an async source is streamed. */
export type CopyRows = Iterable<readonly CopyValue[]> | AsyncIterable<readonly CopyValue[]>;

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_$]*$/;

/** `"name"` or `"schema"."name"`. Names are taken verbatim (case-sensitive, like quoted identifiers). */
export function quoteIdentifier(name: string): string {
  const parts = name.split('.');
  if (parts.length > 2 || !parts.every((p) => IDENTIFIER.test(p)))
    throw new TypeError(`Not a plain table or column name: ${JSON.stringify(name)}`);
  return parts.map((p) => `"${p}"`).join('.');
}

/** `COPY "t" ("a", "b") FROM <source> WITH (FORMAT csv)`: NULL is an unquoted empty field. */
export function copyStatement(table: string, columns: readonly string[], source: string): string {
  if (columns.length === 0) throw new TypeError('copyFrom needs at least one column');
  const cols = columns.map(quoteIdentifier).join(', ');
  return `COPY ${quoteIdentifier(table)} (${cols}) FROM ${source} WITH (FORMAT csv)`;
}

// A field is quoted when it holds the delimiter, a quote, a line break, or a backslash (so a lone
// `\.` can never read as an end-of-data marker).
const NEEDS_QUOTES = /[",\n\r\\]/;

function quoted(s: string): string {
  return `"${s.replace(/"/g, '""')}"`;
}

/** One CSV field. An empty string is `""`, so it stays distinct from NULL (an empty unquoted field). */
export function csvField(v: CopyValue): string {
  switch (typeof v) {
    case 'string':
      return v === '' ? '""' : NEEDS_QUOTES.test(v) ? quoted(v) : v;
    case 'number':
    case 'bigint':
      return String(v); // NaN and ±Infinity are spelled the way numeric and float columns read them
    case 'boolean':
      return v ? 't' : 'f';
    case 'undefined':
      return '';
    default:
      break;
  }
  if (v === null) return '';
  if (v instanceof Date) {
    if (Number.isNaN(v.getTime())) throw new TypeError('copyFrom: invalid Date');
    return v.toISOString();
  }
  if (v instanceof Uint8Array)
    return quoted(`\\x${Buffer.from(v.buffer, v.byteOffset, v.length).toString('hex')}`);
  // Arrays and objects as JSON: what json/jsonb read, and pgvector's '[1,2,3]' too.
  const json = JSON.stringify(v);
  return NEEDS_QUOTES.test(json) ? quoted(json) : json;
}

/**
 * The CSV text of `rows` in chunks of roughly `chunkChars` characters, each ending on a row boundary.
 * Every row must have exactly `width` values.
 */
export async function* csvChunks(
  rows: CopyRows,
  width: number,
  chunkChars = 256 * 1024,
): AsyncGenerator<string> {
  let chunk = '';
  let index = 0;
  for await (const row of rows) {
    if (row.length !== width)
      throw new TypeError(`copyFrom: row ${index} has ${row.length} values, expected ${width}`);
    let line = csvField(row[0]);
    for (let i = 1; i < width; i++) line += `,${csvField(row[i])}`;
    chunk += `${line}\n`;
    index++;
    if (chunk.length >= chunkChars) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk.length > 0) yield chunk;
}
