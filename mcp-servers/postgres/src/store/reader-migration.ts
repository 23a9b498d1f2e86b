import type { Migration } from '@stockpulse/db';

/** The role every `query` / `explain_query` statement runs as (see README, "The query guard"). */
export const READER_ROLE = 'stockpulse_reader';

/** Tables the reader may SELECT, each behind a row-level security policy scoped to the caller. */
export const READER_TABLES = [
  'accounts',
  'cash_ledger',
  'orders',
  'executions',
  'positions',
  'watchlists',
  'watchlist_items',
  'alerts',
  'query_caller',
] as const;

/** The caller's row: one per query transaction, written before it turns read-only, never committed. */
const CALLER = '(SELECT c.user_id FROM query_caller c)';
const OWN_ACCOUNTS = `(SELECT a.id FROM accounts a WHERE a.user_id = ${CALLER})`;

/** Every user-owned table, and how a row is tied to its owner. */
const OWNERSHIP: Record<string, string> = {
  accounts: `user_id = ${CALLER}`,
  cash_ledger: `account_id IN ${OWN_ACCOUNTS}`,
  orders: `account_id IN ${OWN_ACCOUNTS}`,
  executions: `account_id IN ${OWN_ACCOUNTS}`,
  positions: `account_id IN ${OWN_ACCOUNTS}`,
  watchlists: `user_id = ${CALLER}`,
  watchlist_items: `watchlist_id IN (SELECT w.id FROM watchlists w WHERE w.user_id = ${CALLER})`,
  alerts: `user_id = ${CALLER}`,
  // Not granted to the reader (agent internals and the audit trail), but fenced all the same.
  agent_tasks: `user_id = ${CALLER}`,
  agent_checkpoints: `user_id = ${CALLER}`,
  audit_log: `user_id = ${CALLER}`,
};

const policies = Object.entries(OWNERSHIP)
  .map(
    ([table, using]) => `
      ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY;
      CREATE POLICY ${table}_caller ON ${table} FOR SELECT TO ${READER_ROLE} USING (${using});`,
  )
  .join('');

const COMMENTS = `
  COMMENT ON TABLE accounts IS 'Brokerage accounts of the caller. Cash is not stored here: it is sum(cash_ledger.amount).';
  COMMENT ON COLUMN accounts.cost_basis_method IS 'average or fifo';
  COMMENT ON COLUMN accounts.allow_short IS 'Whether short positions are allowed';
  COMMENT ON TABLE cash_ledger IS 'Every cash movement of an account, one row each; the balance is the sum of amount.';
  COMMENT ON COLUMN cash_ledger.kind IS 'deposit, withdrawal, trade, fee, dividend or adjustment';
  COMMENT ON COLUMN cash_ledger.amount IS 'Signed: positive adds cash, negative removes it';
  COMMENT ON COLUMN cash_ledger.reference IS 'For trade and fee rows: the execution id';
  COMMENT ON TABLE orders IS 'Orders placed in an account, whatever their status';
  COMMENT ON COLUMN orders.status IS 'new, accepted, partially_filled, filled, canceled, rejected or expired';
  COMMENT ON COLUMN orders.type IS 'market, limit, stop, stop_limit, ...';
  COMMENT ON COLUMN orders.time_in_force IS 'day, gtc, ioc or fok';
  COMMENT ON TABLE executions IS 'Fills (trades): one row per execution, possibly several per order';
  COMMENT ON COLUMN executions.commission IS 'Fee charged for this fill, also booked as a fee row in cash_ledger';
  COMMENT ON TABLE positions IS 'Current holdings per account and symbol, maintained with each execution';
  COMMENT ON COLUMN positions.average_cost IS 'Average cost per share including fees';
  COMMENT ON TABLE watchlists IS 'Named lists of symbols the caller follows';
  COMMENT ON TABLE watchlist_items IS 'Symbols on a watchlist';
  COMMENT ON TABLE alerts IS 'Price and change alerts of the caller';
  COMMENT ON COLUMN alerts.kind IS 'price_above, price_below (threshold is a price) or change_pct (threshold in percent, signed)';
  COMMENT ON TABLE query_caller IS 'The user the current query runs for (one row, visible only inside a query)';
`;

/**
 * The read-only SQL surface: a NOLOGIN role with SELECT on the ledger tables, row-level security on
 * every user-owned table keyed to the caller, and two SECURITY DEFINER functions owned by that role
 * through which every caller statement runs.
 */
export const READER_MIGRATION: Migration = {
  id: '003_reader_role_and_row_security',
  sql: `
    -- Roles are cluster-wide on a real server: create once, tolerate a concurrent creator.
    DO $$
    BEGIN
      CREATE ROLE ${READER_ROLE} NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE NOINHERIT;
    EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
    END $$;
    DO $$
    BEGIN
      IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${READER_ROLE}'
                 AND (rolsuper OR rolbypassrls OR rolcanlogin))
         OR EXISTS (SELECT 1 FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.member
                    WHERE r.rolname = '${READER_ROLE}') THEN
        RAISE EXCEPTION '${READER_ROLE} must be NOLOGIN, not superuser, not BYPASSRLS and a member of no role';
      END IF;
      EXECUTE format('GRANT USAGE ON SCHEMA %I TO ${READER_ROLE}', current_schema());
    END $$;

    -- Functions created below resolve names in this schema only (SET search_path FROM CURRENT).
    SELECT set_config('search_path', quote_ident(current_schema()), true);

    -- Who a query runs for. Written by the server in the query's own transaction before it turns
    -- read-only; the reader can see it but never change it (no privilege, read-only transaction),
    -- unlike a setting, which set_config() can change halfway through a statement.
    CREATE UNLOGGED TABLE query_caller (user_id uuid NOT NULL);
    CREATE FUNCTION query_caller_never_commits() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      RAISE EXCEPTION 'query_caller rows live only inside a query transaction';
    END $$;
    REVOKE ALL ON FUNCTION query_caller_never_commits() FROM PUBLIC;
    CREATE CONSTRAINT TRIGGER query_caller_is_never_committed AFTER INSERT ON query_caller
      DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION query_caller_never_commits();

    GRANT SELECT ON ${READER_TABLES.join(', ')} TO ${READER_ROLE};
    ${policies}
    ${COMMENTS}

    -- Caller statements run inside these functions, as ${READER_ROLE}. Inside a SECURITY DEFINER
    -- function Postgres refuses to change role or session_authorization, even through set_config(),
    -- which SET LOCAL ROLE alone does not prevent (the session user, a superuser, may switch back).
    -- The owner's own EXECUTE is revoked, so a statement cannot call them again from inside.
    CREATE FUNCTION reader_query(statement text, max_rows integer, max_row_bytes integer)
    RETURNS TABLE (cells json, columns json, bytes integer)
    LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $fn$
    DECLARE
      r record;
    BEGIN
      -- FOR .. IN EXECUTE runs through a cursor, and Postgres refuses to open a cursor on a string
      -- holding more than one statement. Numbers come back as strings: exact decimals survive JSON.
      FOR r IN EXECUTE format(
        $q$SELECT CASE WHEN octet_length(t.r::text) > %2$s THEN NULL ELSE
                 (SELECT coalesce(json_agg(CASE json_typeof(e.value) WHEN 'number'
                                           THEN to_json(e.value #>> '{}') ELSE e.value END ORDER BY e.n), '[]')
                    FROM json_each(t.r) WITH ORDINALITY AS e(key, value, n)) END AS cells,
                 (SELECT coalesce(json_agg(e.key ORDER BY e.n), '[]')
                    FROM json_each(t.r) WITH ORDINALITY AS e(key, value, n)) AS columns,
                 octet_length(t.r::text) AS bytes
             FROM (SELECT row_to_json(q) AS r FROM (%1$s
             ) AS q LIMIT %3$s) AS t$q$,
        statement, max_row_bytes, max_rows)
      LOOP
        cells := r.cells;
        columns := r.columns;
        bytes := r.bytes;
        RETURN NEXT;
      END LOOP;
    END $fn$;

    CREATE FUNCTION reader_explain(statement text, row_limit integer, run boolean)
    RETURNS SETOF json
    LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $fn$
    DECLARE
      plan json;
    BEGIN
      FOR plan IN EXECUTE format(
        'EXPLAIN (FORMAT JSON, ANALYZE %s) SELECT * FROM (%s
        ) AS q%s',
        CASE WHEN run THEN 'true' ELSE 'false' END, statement,
        CASE WHEN row_limit IS NULL THEN '' ELSE ' LIMIT ' || row_limit END)
      LOOP
        RETURN NEXT plan;
      END LOOP;
    END $fn$;

    ALTER FUNCTION reader_query(text, integer, integer) OWNER TO ${READER_ROLE};
    ALTER FUNCTION reader_explain(text, integer, boolean) OWNER TO ${READER_ROLE};
    REVOKE ALL ON FUNCTION reader_query(text, integer, integer) FROM PUBLIC, ${READER_ROLE};
    REVOKE ALL ON FUNCTION reader_explain(text, integer, boolean) FROM PUBLIC, ${READER_ROLE};
    DO $$
    BEGIN
      -- The server's own role (a superuser needs no grant; an owning role does).
      EXECUTE format('GRANT EXECUTE ON FUNCTION reader_query(text, integer, integer), '
                     'reader_explain(text, integer, boolean) TO %I', current_user);
    END $$;
  `,
};
