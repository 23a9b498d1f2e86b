import { AppError } from '@stockpulse/core';

/**
 * The cheap first gate in front of the read-only SQL tools. It is not what keeps a statement from
 * writing or from reading another user's rows (Postgres does that: read-only transaction, the reader
 * role's privileges, row-level security, a SECURITY DEFINER function that pins the role). It turns
 * away what is plainly not one read query with a clear message, and refuses the few functions whose
 * harm would land before Postgres could stop them (see README, "The query guard").
 */
export interface PrecheckOptions {
  /** Longest statement accepted, in characters. */
  maxLength: number;
  /**
   * Whether `WITH RECURSIVE` may run. Off on PGlite: it cannot interrupt a statement (no timers in
   * WASM), and a recursive CTE is the easiest way to write one that never ends.
   */
  allowRecursive: boolean;
}

/** Statements that can only read. Anything else (SET, COMMIT, DELETE, COPY, DO, CALL...) is refused. */
const READ_STARTS = new Set(['select', 'with', 'values', 'table']);

/** Functions refused by name: they act outside the transaction, or hide SQL text from this check. */
const DENIED_FUNCTIONS: ReadonlyArray<[RegExp, string]> = [
  [/^pg_sleep(_for|_until)?$/, 'sleeps hold the connection and are not allowed'],
  [
    /^pg_(try_)?advisory_/,
    'advisory locks outlive the statement (session locks survive a rollback) and are not allowed',
  ],
  [/^pg_logical_emit_message$/, 'it writes to the write-ahead log even in a read-only transaction'],
  [/^dblink/, 'it opens connections to other databases'],
  [
    /^(query|cursor|table|schema|database)_to_xml/,
    'it runs SQL given as a string, out of sight of this check',
  ],
  [/^(ts_stat|ts_rewrite)$/, 'it runs SQL given as a string, out of sight of this check'],
  [/^(reader_query|reader_explain)$/, 'it is the query tool itself'],
];

type TokenKind = 'word' | 'ident' | 'literal' | 'param' | 'semicolon' | 'open' | 'close' | 'other';
interface Token {
  kind: TokenKind;
  /** Lower-cased for words, verbatim content for quoted identifiers. */
  text: string;
  pos: number;
}

const IDENT_START = /[A-Za-z_\u0080-\uffff]/;
const IDENT_PART = /[A-Za-z0-9_$\u0080-\uffff]/;

function refuse(message: string, code: 'bad_request' | 'forbidden' = 'bad_request'): never {
  throw new AppError(code, message);
}

/** Split SQL into tokens the way Postgres' lexer does for what matters here: quotes and comments. */
export function tokenize(sql: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const n = sql.length;
  const quoted = (start: number, quote: string, backslashEscapes: boolean): number => {
    // Returns the index just past the closing quote; a doubled quote is an escaped one.
    let j = start + 1;
    for (;;) {
      if (j >= n) refuse(`Unterminated ${quote === '"' ? 'quoted identifier' : 'string'} at ${start + 1}`);
      const c = sql[j]!;
      if (backslashEscapes && c === '\\') j += 2;
      else if (c === quote && sql[j + 1] === quote) j += 2;
      else if (c === quote) return j + 1;
      else j++;
    }
  };
  while (i < n) {
    const c = sql[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (c === '-' && sql[i + 1] === '-') {
      const end = sql.indexOf('\n', i);
      i = end < 0 ? n : end + 1;
    } else if (c === '/' && sql[i + 1] === '*') {
      let depth = 1;
      let j = i + 2;
      while (depth > 0) {
        if (j >= n) refuse(`Unterminated comment at ${i + 1}`);
        const pair = sql.slice(j, j + 2);
        if (pair === '/*' || pair === '*/') {
          depth += pair === '/*' ? 1 : -1;
          j += 2;
        } else {
          j++;
        }
      }
      i = j;
    } else if (c === "'") {
      const end = quoted(i, "'", false);
      tokens.push({ kind: 'literal', text: sql.slice(i, end), pos: i });
      i = end;
    } else if (c === '"') {
      const end = quoted(i, '"', false);
      tokens.push({ kind: 'ident', text: sql.slice(i + 1, end - 1).replaceAll('""', '"'), pos: i });
      i = end;
    } else if (c === '$') {
      const param = /^\$\d+/.exec(sql.slice(i));
      const tag = /^\$([A-Za-z_\u0080-\uffff][A-Za-z0-9_\u0080-\uffff]*)?\$/.exec(sql.slice(i));
      if (param) {
        tokens.push({ kind: 'param', text: param[0], pos: i });
        i += param[0].length;
      } else if (tag) {
        const close = sql.indexOf(tag[0], i + tag[0].length);
        if (close < 0) refuse(`Unterminated dollar-quoted string at ${i + 1}`);
        tokens.push({ kind: 'literal', text: sql.slice(i, close + tag[0].length), pos: i });
        i = close + tag[0].length;
      } else {
        tokens.push({ kind: 'other', text: c, pos: i++ });
      }
    } else if (IDENT_START.test(c)) {
      let j = i + 1;
      while (j < n && IDENT_PART.test(sql[j]!)) j++;
      const word = sql.slice(i, j).toLowerCase();
      if (word === 'u' && sql[j] === '&' && (sql[j + 1] === "'" || sql[j + 1] === '"')) {
        // U&"..." can spell any name with escapes; nothing a ledger query needs.
        if (sql[j + 1] === '"') refuse('Unicode-escaped identifiers (U&"...") are not allowed');
        const end = quoted(j + 1, "'", false);
        tokens.push({ kind: 'literal', text: sql.slice(i, end), pos: i });
        i = end;
      } else if ((word === 'e' || word === 'b' || word === 'x' || word === 'n') && sql[j] === "'") {
        const end = quoted(j, "'", word === 'e');
        tokens.push({ kind: 'literal', text: sql.slice(i, end), pos: i });
        i = end;
      } else {
        tokens.push({ kind: 'word', text: word, pos: i });
        i = j;
      }
    } else if (c === ';') {
      tokens.push({ kind: 'semicolon', text: c, pos: i++ });
    } else if (c === '(') {
      tokens.push({ kind: 'open', text: c, pos: i++ });
    } else if (c === ')') {
      tokens.push({ kind: 'close', text: c, pos: i++ });
    } else {
      tokens.push({ kind: 'other', text: c, pos: i++ });
    }
  }
  return tokens;
}

/**
 * Check that `sql` is one read-only query and return it without trailing semicolons. Throws
 * `bad_request` for malformed input and `forbidden` for statements or functions that are refused.
 */
export function precheckReadOnlySql(sql: string, opts: PrecheckOptions): string {
  if (sql.length > opts.maxLength)
    refuse(`The statement is ${sql.length} characters long; the limit is ${opts.maxLength}`);
  const tokens = tokenize(sql);
  let end = tokens.length;
  while (end > 0 && tokens[end - 1]!.kind === 'semicolon') end--;
  if (end === 0) refuse('The statement is empty');
  const body = tokens.slice(0, end);
  if (body.some((t) => t.kind === 'semicolon'))
    refuse('Only one statement is allowed: remove the ";" between statements');

  const first = body.find((t) => t.kind !== 'open');
  if (first?.kind !== 'word' || !READ_STARTS.has(first.text))
    refuse(
      `Only a read-only query is allowed (SELECT, WITH ... SELECT, VALUES or TABLE), not ${first ? `'${first.text.toUpperCase()}'` : 'this'}`,
      'forbidden',
    );

  let depth = 0;
  for (const [k, t] of body.entries()) {
    if (t.kind === 'open') depth++;
    if (t.kind === 'close' && --depth < 0) refuse(`Unbalanced ")" at ${t.pos + 1}`);
    if (t.kind === 'param')
      refuse(`Parameters such as ${t.text} are not supported: write the values into the statement`);
    if (t.kind === 'word' || t.kind === 'ident') {
      const denied = DENIED_FUNCTIONS.find(([pattern]) => pattern.test(t.text));
      if (denied) refuse(`${t.text}() is not allowed here: ${denied[1]}`, 'forbidden');
      if (!opts.allowRecursive && t.text === 'recursive' && body[k - 1]?.text === 'with')
        refuse(
          'WITH RECURSIVE is not allowed on the embedded database, which cannot stop a runaway statement',
          'forbidden',
        );
    }
  }
  if (depth !== 0) refuse('Unbalanced "(": a closing parenthesis is missing');
  return sql.slice(0, tokens[end]?.pos ?? sql.length).trimEnd();
}
