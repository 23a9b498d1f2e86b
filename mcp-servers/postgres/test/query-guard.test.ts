import { randomUUID } from 'node:crypto';
import type { Database } from '@stockpulse/db';
import { migrate } from '@stockpulse/db';
import { testBackends } from '@stockpulse/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LedgerStores, ledgerStores } from '../src/store/index.js';
import { Ledger } from '../src/store/ledger.js';
import { LEDGER_MIGRATIONS } from '../src/store/migrations.js';
import type { QueryResult } from '../src/store/reader.js';
import { precheckReadOnlySql } from '../src/store/sql-precheck.js';

const ALICE = randomUUID();
const BOB = randomUUID();
const ALICE_ACCOUNT = randomUUID();
const BOB_ACCOUNT = randomUUID();

/** Every table the server owns, fingerprinted: a bypass that wrote anything would change one. */
const TABLES = [
  'accounts',
  'cash_ledger',
  'orders',
  'executions',
  'positions',
  'watchlists',
  'watchlist_items',
  'alerts',
  'agent_tasks',
  'agent_checkpoints',
  'audit_log',
  'query_caller',
  'schema_migrations',
];

async function fingerprint(db: Database) {
  const out: Record<string, unknown> = {};
  for (const t of TABLES) {
    const { rows } = await db.query<{ n: number; h: string }>(
      `SELECT count(*)::int AS n, md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), '')) AS h FROM ${t} x`,
    );
    out[t] = rows[0];
  }
  const seq = await db.query('SELECT last_value, is_called FROM cash_ledger_id_seq');
  out.sequence = seq.rows[0];
  const role = await db.query(
    `SELECT rolsuper, rolbypassrls, rolcanlogin FROM pg_roles WHERE rolname = 'stockpulse_reader'`,
  );
  out.role = role.rows[0];
  return out;
}

type Expectation =
  | { refused: 'bad_request' | 'forbidden' | 'timeout'; message?: RegExp }
  | { rows: (r: QueryResult) => void };

describe.each(testBackends('ledger_guard'))('query guard on %s', (kind, backend) => {
  let db: Database;
  let s: LedgerStores;
  let before: Record<string, unknown>;

  beforeAll(async () => {
    db = await backend.open();
    await migrate(db, LEDGER_MIGRATIONS);
    s = ledgerStores(db);
    for (const [user, account, deposit] of [
      [ALICE, ALICE_ACCOUNT, '10000'],
      [BOB, BOB_ACCOUNT, '777777'],
    ] as const) {
      await db.query('INSERT INTO accounts (id, user_id, name) VALUES ($1, $2, $3)', [account, user, 'Main']);
      await db.query(`INSERT INTO cash_ledger (account_id, kind, amount) VALUES ($1, 'deposit', $2)`, [
        account,
        deposit,
      ]);
      await db.transaction((tx) =>
        Ledger.recordExecution(tx, {
          id: randomUUID(),
          accountId: account,
          symbol: user === ALICE ? 'AAPL' : 'TSLA',
          side: 'buy',
          quantity: '2',
          price: '100.00',
          at: new Date(),
        }),
      );
      await s.watchlists.create(user, 'Mine', [user === ALICE ? 'AAPL' : 'TSLA']);
      await s.alerts.create(user, { symbol: 'AAPL', kind: 'price_above', threshold: '250' });
      await s.agentState.saveTask(user, { id: 't1', contextId: 'c1', status: { state: 'working' } });
    }
    await db.query(
      `INSERT INTO audit_log (principal, user_id, tool, args_digest, outcome, duration_ms)
       VALUES ($1, $2, 'query', 'x', 'ok', 1)`,
      [BOB, BOB],
    );
    before = await fingerprint(db);
  });

  afterAll(async () => {
    await db?.close();
    await backend.cleanup();
  });

  const onlyAlice = (r: QueryResult) => {
    expect(r.rowCount).toBeGreaterThan(0);
    expect(JSON.stringify(r.rows)).not.toContain(BOB);
    expect(JSON.stringify(r.rows)).not.toContain(BOB_ACCOUNT);
    expect(JSON.stringify(r.rows)).not.toContain('777777');
  };
  const none = (r: QueryResult) => expect(r.rows).toEqual([]);

  const attacks: Array<[string, string, Expectation]> = [
    // More than one statement.
    [
      'stacked DELETE',
      'SELECT 1; DELETE FROM accounts',
      { refused: 'bad_request', message: /one statement/ },
    ],
    [
      'COMMIT then DELETE',
      'COMMIT; DELETE FROM accounts',
      { refused: 'bad_request', message: /one statement/ },
    ],
    [
      'breaking out of the wrapper',
      'SELECT 1) AS q LIMIT 1) AS t; DELETE FROM accounts; SELECT (1',
      { refused: 'bad_request' },
    ],
    [
      'unbalanced parenthesis',
      'SELECT 1) AS q, (SELECT 2',
      { refused: 'bad_request', message: /Unbalanced/ },
    ],
    [
      'semicolon hidden after a comment',
      'SELECT 1 /* x */; DELETE FROM accounts',
      { refused: 'bad_request' },
    ],
    [
      'E-string escaping a quote',
      "SELECT E'a\\'; DELETE FROM accounts; --' AS s",
      { rows: (r) => expect(r.rows).toEqual([["a'; DELETE FROM accounts; --"]]) },
    ],
    // Not a query at all.
    ['SET ROLE', 'SET ROLE postgres', { refused: 'forbidden', message: /Only a read-only query/ }],
    ['RESET ROLE', 'RESET ROLE', { refused: 'forbidden' }],
    ['SET SESSION AUTHORIZATION', 'SET SESSION AUTHORIZATION postgres', { refused: 'forbidden' }],
    ['DELETE', 'DELETE FROM accounts', { refused: 'forbidden' }],
    [
      'INSERT',
      `INSERT INTO accounts (id, user_id, name) VALUES (gen_random_uuid(), '${ALICE}', 'x')`,
      { refused: 'forbidden' },
    ],
    ['COPY TO PROGRAM', "COPY accounts TO PROGRAM 'touch /tmp/pwned'", { refused: 'forbidden' }],
    ['DO block', 'DO $$ BEGIN DELETE FROM accounts; END $$', { refused: 'forbidden' }],
    // Writes disguised as reads: Postgres refuses them.
    [
      'writable CTE',
      'WITH d AS (DELETE FROM accounts RETURNING *) SELECT * FROM d',
      { refused: 'bad_request', message: /data-modifying statement must be at the top level/ },
    ],
    ['SELECT FOR UPDATE', 'SELECT * FROM accounts FOR UPDATE', { refused: 'forbidden' }],
    [
      'nextval',
      "SELECT nextval('cash_ledger_id_seq')",
      { refused: 'forbidden', message: /permission denied/ },
    ],
    [
      'switch back to superuser with set_config(role)',
      "SELECT set_config('role', 'postgres', true)",
      { refused: 'forbidden', message: /cannot set parameter "role" within security-definer function/ },
    ],
    [
      'set_config(session_authorization)',
      "SELECT set_config('session_authorization', 'postgres', false)",
      { refused: 'forbidden', message: /security-definer/ },
    ],
    [
      'turn the transaction read-write',
      "SELECT set_config('transaction_read_only', 'off', true)",
      { refused: 'forbidden' },
    ],
    [
      'call the query function from inside',
      'SELECT * FROM "reader_query"(\'SELECT 1\', 1, 100)',
      { refused: 'forbidden' },
    ],
    // Side-effecting functions.
    ['pg_sleep beyond the timeout', 'SELECT pg_sleep(5)', { refused: 'forbidden', message: /sleep/ }],
    ['pg_sleep qualified and quoted', 'SELECT pg_catalog."pg_sleep"(5)', { refused: 'forbidden' }],
    ['session advisory lock', 'SELECT pg_advisory_lock(42)', { refused: 'forbidden', message: /advisory/ }],
    ['lo_import', "SELECT lo_import('/etc/passwd')", { refused: 'forbidden', message: /permission denied/ }],
    ['pg_read_file', "SELECT pg_read_file('/etc/passwd')", { refused: 'forbidden' }],
    [
      'dblink',
      "SELECT * FROM dblink('dbname=test', 'DELETE FROM accounts') AS t(x int)",
      { refused: 'forbidden' },
    ],
    [
      'SQL hidden in a string',
      "SELECT query_to_xml('SELECT pg_sleep(10)', true, false, '')",
      { refused: 'forbidden' },
    ],
    ['WAL write', "SELECT pg_logical_emit_message(false, 'x', 'y')", { refused: 'forbidden' }],
    ['terminate a backend', 'SELECT pg_terminate_backend(pg_backend_pid())', { refused: 'forbidden' }],
    ['unicode-escaped name', 'SELECT U&"pg_sl\\0065ep"(1)', { refused: 'bad_request' }],
    ['parameter placeholder', 'SELECT * FROM accounts WHERE id = $1', { refused: 'bad_request' }],
    // Tables outside the reader's grant.
    [
      'audit log',
      'SELECT * FROM audit_log',
      { refused: 'forbidden', message: /permission denied for table audit_log/ },
    ],
    ['agent tasks', 'SELECT * FROM agent_tasks', { refused: 'forbidden' }],
    ['roles catalog', 'SELECT rolpassword FROM pg_authid', { refused: 'forbidden' }],
    // Another user's rows: invisible, however they are asked for.
    ['all accounts', 'SELECT * FROM accounts', { rows: onlyAlice }],
    ['another user by id', `SELECT * FROM accounts WHERE user_id = '${BOB}'`, { rows: none }],
    [
      'another account by id',
      `SELECT * FROM cash_ledger WHERE account_id = '${BOB_ACCOUNT}'`,
      { rows: none },
    ],
    [
      'every user-owned table at once',
      `SELECT (SELECT count(*) FROM accounts) AS a, (SELECT count(*) FROM cash_ledger) AS c,
              (SELECT count(*) FROM executions) AS e, (SELECT count(*) FROM positions) AS p,
              (SELECT count(*) FROM watchlists) AS w, (SELECT count(*) FROM watchlist_items) AS wi,
              (SELECT count(*) FROM alerts) AS al, (SELECT count(*) FROM orders) AS o`,
      { rows: (r) => expect(r.rows).toEqual([['1', '2', '1', '1', '1', '1', '1', '0']]) },
    ],
    [
      "set_config('stockpulse.user_id') inside the query",
      `SELECT length(set_config('stockpulse.user_id', '${BOB}', false)) AS s, a.* FROM accounts a`,
      { rows: onlyAlice },
    ],
    [
      'identity switched before the scan (materialized CTE)',
      `WITH s AS MATERIALIZED (SELECT set_config('stockpulse.user_id', '${BOB}', true) AS v)
       SELECT c.* FROM s, cash_ledger c`,
      { rows: onlyAlice },
    ],
    [
      'the caller row',
      'SELECT user_id FROM query_caller',
      { rows: (r) => expect(r.rows).toEqual([[ALICE]]) },
    ],
    // Harmless read-only shapes that must keep working.
    [
      'trailing semicolon and comment',
      'SELECT 1 AS one; -- done',
      { rows: (r) => expect(r.rows).toEqual([['1']]) },
    ],
    [
      "a ';' inside a string",
      "SELECT ';' AS s, $x$;$x$ AS t",
      { rows: (r) => expect(r.rows).toEqual([[';', ';']]) },
    ],
    [
      'nested comments',
      '/* outer /* inner ; */ still ; */ SELECT 2 AS two',
      { rows: (r) => expect(r.rows).toEqual([['2']]) },
    ],
  ];

  it.each(attacks)('%s', async (_label, sql, expected) => {
    const run = s.reader.query(ALICE, sql);
    if ('refused' in expected) {
      const err = await run.then(
        (r) => {
          throw new Error(`not refused: ${JSON.stringify(r)}`);
        },
        (e: unknown) => e,
      );
      expect(err).toMatchObject({ code: expected.refused });
      if (expected.message) expect((err as Error).message).toMatch(expected.message);
    } else {
      expected.rows(await run);
    }
  });

  it('stops a runaway statement: the timeout on Postgres, refused up front on PGlite', async () => {
    const forever = 'WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT count(*) FROM r';
    const t0 = Date.now();
    if (kind === 'postgres') {
      await expect(s.reader.query(ALICE, forever)).rejects.toMatchObject({ code: 'timeout' });
      // Turning the timeout off from inside does not disarm it.
      const sneaky = `WITH RECURSIVE off AS MATERIALIZED (SELECT set_config('statement_timeout', '0', true)),
        r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT count(*) FROM off, r`;
      await expect(s.reader.query(ALICE, sneaky)).rejects.toMatchObject({ code: 'timeout' });
      expect(Date.now() - t0).toBeLessThan(15_000);
    } else {
      await expect(s.reader.query(ALICE, forever)).rejects.toMatchObject({
        code: 'forbidden',
        message: expect.stringMatching(/WITH RECURSIVE/),
      });
    }
  });

  it('refuses statements the planner expects to be expensive before running them', async () => {
    await expect(
      s.reader.query(ALICE, 'SELECT count(*) FROM generate_series(1, 100000000) g'),
    ).rejects.toMatchObject({ code: 'bad_request', message: expect.stringMatching(/cost/) });
  });

  it('caps rows and bytes, and says so', async () => {
    const many = await s.reader.query(ALICE, 'SELECT g FROM generate_series(1, 500) g');
    expect(many).toMatchObject({ rowCount: 200, truncated: 'rows', columns: ['g'] });
    expect(many.rows.at(-1)).toEqual(['200']);
    const wide = await s.reader.query(ALICE, "SELECT repeat('x', 1000) AS x FROM generate_series(1, 150)");
    expect(wide.truncated).toBe('bytes');
    expect(JSON.stringify(wide.rows).length).toBeLessThanOrEqual(s.reader.limits.maxBytes);
    expect(wide.rowCount).toBeGreaterThan(50);
    const huge = await s.reader.query(ALICE, "SELECT repeat('x', 100000) AS x");
    expect(huge).toMatchObject({ rowCount: 0, rows: [], truncated: 'bytes', columns: ['x'] });
    const exact = await s.reader.query(
      ALICE,
      'SELECT 12345678901234567890.123456789::numeric AS n, true AS b, NULL AS z, \'{"k":[1]}\'::jsonb AS j',
    );
    expect(exact.rows).toEqual([['12345678901234567890.123456789', true, null, { k: [1] }]]);
    expect(exact.truncated).toBeNull();
  });

  it('explains under the same guards, and analyzes only reads', async () => {
    const plain = await s.reader.explain(ALICE, 'SELECT * FROM positions', { analyze: false });
    expect(plain.plan).toHaveProperty('Plan');
    expect(plain.totalCost).toBeGreaterThan(0);
    expect(plain.executionTimeMs).toBeNull();
    const analyzed = await s.reader.explain(ALICE, 'SELECT * FROM accounts', { analyze: true });
    expect(analyzed.executionTimeMs).toBeGreaterThanOrEqual(0);
    expect(JSON.stringify(analyzed.plan)).toContain('Actual Rows');
    for (const sql of [
      'DELETE FROM accounts',
      'WITH d AS (DELETE FROM accounts RETURNING *) SELECT * FROM d',
      'SELECT 1; DELETE FROM accounts',
      "SELECT set_config('role', 'postgres', true)",
    ]) {
      await expect(s.reader.explain(ALICE, sql, { analyze: true }), sql).rejects.toMatchObject({
        code: expect.stringMatching(/bad_request|forbidden/),
      });
    }
  });

  it('leaves nothing behind: no writes, no locks, no caller rows, the app still itself', async () => {
    expect(await fingerprint(db)).toEqual(before);
    const locks = await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory'`,
    );
    expect(locks.rows[0]!.n).toBe(0);
    // Every pooled connection is back to the server's own role and a read-write transaction mode.
    const sessions = await Promise.all(
      Array.from({ length: 4 }, () =>
        db.query<{ who: string; ro: string }>(
          `SELECT current_user AS who, current_setting('transaction_read_only') AS ro`,
        ),
      ),
    );
    for (const r of sessions) expect(r.rows[0]).toMatchObject({ ro: 'off' });
    expect(new Set(sessions.map((r) => r.rows[0]!.who)).has('stockpulse_reader')).toBe(false);
    // And the ledger still works normally.
    expect((await s.ledger.account(ALICE)).cash).toBe('9800.00');
  });
});

describe('SQL pre-check', () => {
  const opts = { maxLength: 10_000, allowRecursive: true };
  it('returns the statement without trailing semicolons', () => {
    expect(precheckReadOnlySql('SELECT 1 ;; ', opts)).toBe('SELECT 1');
    expect(precheckReadOnlySql('(SELECT 1) UNION (SELECT 2)', opts)).toBe('(SELECT 1) UNION (SELECT 2)');
    expect(precheckReadOnlySql('table accounts', opts)).toBe('table accounts');
  });
  it('refuses empty, overlong and unterminated input', () => {
    for (const sql of [
      '',
      ' ;; ',
      '-- only a comment',
      "SELECT 'open",
      'SELECT "open',
      'SELECT $a$ open',
      '/* open',
    ])
      expect(() => precheckReadOnlySql(sql, opts), sql).toThrow(
        expect.objectContaining({ code: 'bad_request' }),
      );
    expect(() => precheckReadOnlySql(`SELECT ${'1,'.repeat(6000)}1`, opts)).toThrow(/limit is 10000/);
  });
  it('treats WITH RECURSIVE by option', () => {
    const sql = 'WITH RECURSIVE r(n) AS (SELECT 1) SELECT * FROM r';
    expect(precheckReadOnlySql(sql, opts)).toBe(sql);
    expect(() => precheckReadOnlySql(sql, { ...opts, allowRecursive: false })).toThrow(/RECURSIVE/);
  });
});
