import type { Migration } from '@stockpulse/db';
import { READER_MIGRATION, READER_ROLE, READER_TABLES } from './reader-migration.js';

/**
 * The portfolio ledger. Cash balances are never stored: they are the sum of `cash_ledger` rows.
 * Append only: a migration that has shipped is never edited.
 */
/** Every table the read-only `query` tool may read: those of the reader migration and those granted since. */
export const READABLE_TABLES = [...READER_TABLES, 'order_events'] as const;

export const LEDGER_MIGRATIONS: Migration[] = [
  {
    id: '001_ledger',
    sql: `
      CREATE TABLE accounts (
        id uuid PRIMARY KEY,
        user_id uuid NOT NULL,
        name text NOT NULL,
        base_currency text NOT NULL DEFAULT 'USD',
        cost_basis_method text NOT NULL DEFAULT 'average' CHECK (cost_basis_method IN ('average', 'fifo')),
        allow_short boolean NOT NULL DEFAULT false,
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX accounts_user ON accounts (user_id);

      CREATE TABLE cash_ledger (
        id bigserial PRIMARY KEY,
        account_id uuid NOT NULL REFERENCES accounts(id),
        at timestamptz NOT NULL DEFAULT now(),
        kind text NOT NULL CHECK (kind IN ('deposit', 'withdrawal', 'trade', 'fee', 'dividend', 'adjustment')),
        amount numeric(20, 4) NOT NULL,
        reference text,
        memo text
      );
      CREATE INDEX cash_ledger_account ON cash_ledger (account_id, at);

      CREATE TABLE orders (
        id uuid PRIMARY KEY,
        account_id uuid NOT NULL REFERENCES accounts(id),
        client_order_id text NOT NULL,
        symbol text NOT NULL,
        side text NOT NULL CHECK (side IN ('buy', 'sell')),
        type text NOT NULL,
        quantity numeric(24, 8) NOT NULL CHECK (quantity > 0),
        limit_price numeric(20, 4),
        stop_price numeric(20, 4),
        time_in_force text NOT NULL DEFAULT 'day',
        status text NOT NULL,
        filled_quantity numeric(24, 8) NOT NULL DEFAULT 0,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (account_id, client_order_id)
      );

      CREATE TABLE executions (
        id uuid PRIMARY KEY,
        order_id uuid REFERENCES orders(id),
        account_id uuid NOT NULL REFERENCES accounts(id),
        symbol text NOT NULL,
        side text NOT NULL CHECK (side IN ('buy', 'sell')),
        quantity numeric(24, 8) NOT NULL CHECK (quantity > 0),
        price numeric(20, 4) NOT NULL CHECK (price > 0),
        commission numeric(20, 4) NOT NULL DEFAULT 0,
        executed_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX executions_account ON executions (account_id, executed_at);

      -- Current holdings, maintained in the same transaction as each execution.
      CREATE TABLE positions (
        account_id uuid NOT NULL REFERENCES accounts(id),
        symbol text NOT NULL,
        quantity numeric(24, 8) NOT NULL,
        average_cost numeric(20, 6) NOT NULL,
        opened_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (account_id, symbol)
      );

      CREATE TABLE audit_log (
        id bigserial PRIMARY KEY,
        at timestamptz NOT NULL DEFAULT now(),
        principal text NOT NULL,
        user_id uuid,
        tool text NOT NULL,
        args_digest text NOT NULL,
        outcome text NOT NULL,
        duration_ms numeric(12, 3) NOT NULL
      );
    `,
  },
  {
    id: '002_watchlists_alerts_agent_state',
    sql: `
      CREATE INDEX orders_account_created ON orders (account_id, created_at DESC, id DESC);
      CREATE INDEX executions_order ON executions (order_id);

      CREATE TABLE watchlists (
        id uuid PRIMARY KEY,
        user_id uuid NOT NULL,
        name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (user_id, name)
      );

      CREATE TABLE watchlist_items (
        watchlist_id uuid NOT NULL REFERENCES watchlists(id) ON DELETE CASCADE,
        symbol text NOT NULL CHECK (symbol ~ '^[A-Z][A-Z0-9.-]{0,9}$'),
        added_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (watchlist_id, symbol)
      );

      CREATE TABLE alerts (
        id uuid PRIMARY KEY,
        user_id uuid NOT NULL,
        symbol text NOT NULL CHECK (symbol ~ '^[A-Z][A-Z0-9.-]{0,9}$'),
        kind text NOT NULL CHECK (kind IN ('price_above', 'price_below', 'change_pct')),
        threshold numeric(20, 4) NOT NULL,
        note text CHECK (length(note) <= 500),
        status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'triggered')),
        created_at timestamptz NOT NULL DEFAULT now(),
        triggered_at timestamptz,
        CHECK (kind = 'change_pct' OR threshold > 0)
      );
      CREATE INDEX alerts_user ON alerts (user_id, created_at DESC, id DESC);

      -- A2A tasks as the agents' task store keeps them: the whole Task JSON, per owner.
      CREATE TABLE agent_tasks (
        user_id uuid NOT NULL,
        task_id text NOT NULL,
        context_id text NOT NULL,
        state text NOT NULL,
        task jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (user_id, task_id)
      );
      CREATE INDEX agent_tasks_recent ON agent_tasks (user_id, updated_at DESC, task_id DESC);
      CREATE INDEX agent_tasks_context ON agent_tasks (user_id, context_id, updated_at DESC);

      -- Conversation checkpoints (LangGraph style): a short history per thread, newest = highest seq.
      CREATE TABLE agent_checkpoints (
        seq bigserial,
        user_id uuid NOT NULL,
        thread_id text NOT NULL,
        checkpoint_id text NOT NULL,
        parent_id text,
        checkpoint jsonb NOT NULL,
        metadata jsonb NOT NULL DEFAULT '{}',
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (user_id, thread_id, checkpoint_id)
      );
      CREATE INDEX agent_checkpoints_latest ON agent_checkpoints (user_id, thread_id, seq DESC);
    `,
  },
  READER_MIGRATION,
  {
    id: '004_agent_push_configs',
    sql: `
      -- A2A push-notification configs (webhooks) of the agents' tasks, per owner: durable, so any
      -- replica of an agent delivers a task's notifications whichever replica registered them.
      CREATE TABLE agent_push_configs (
        user_id uuid NOT NULL,
        task_id text NOT NULL,
        config_id text NOT NULL,
        config jsonb NOT NULL,
        wire_version text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (user_id, task_id, config_id)
      );
      -- Not granted to the reader, but fenced like every user-owned table.
      ALTER TABLE agent_push_configs ENABLE ROW LEVEL SECURITY;

      -- When a task's status last changed (its status.timestamp): the order A2A lists tasks in.
      ALTER TABLE agent_tasks ADD COLUMN status_at timestamptz;
      UPDATE agent_tasks SET status_at = updated_at;
      ALTER TABLE agent_tasks ALTER COLUMN status_at SET NOT NULL, ALTER COLUMN status_at SET DEFAULT now();
      CREATE INDEX agent_tasks_by_status_time ON agent_tasks (user_id, status_at DESC, task_id DESC);
      CREATE POLICY agent_push_configs_caller ON agent_push_configs FOR SELECT TO ${READER_ROLE}
        USING (user_id = (SELECT c.user_id FROM query_caller c));
    `,
  },
  {
    id: '005_paper_broker',
    sql: `
      -- The paper broker: the whole order (its state machine and fills so far) as JSON next to the
      -- columns queries filter on; every status transition as a row; used confirmation tokens.
      ALTER TABLE orders ALTER COLUMN quantity DROP NOT NULL;
      ALTER TABLE orders ADD COLUMN notional numeric(20, 2) CHECK (notional > 0);
      ALTER TABLE orders ADD CONSTRAINT orders_quantity_or_notional CHECK ((quantity IS NULL) <> (notional IS NULL));
      ALTER TABLE orders ADD COLUMN expires_at timestamptz;
      ALTER TABLE orders ADD COLUMN state jsonb;
      -- Market time up to which the matcher has replayed the feed for this order.
      ALTER TABLE orders ADD COLUMN processed_at timestamptz;
      CREATE INDEX orders_working ON orders (created_at) WHERE status IN ('new', 'accepted', 'partially_filled');

      CREATE TABLE order_events (
        order_id uuid NOT NULL REFERENCES orders(id),
        seq int NOT NULL,
        from_status text NOT NULL,
        to_status text NOT NULL,
        at timestamptz NOT NULL,
        reason text NOT NULL,
        PRIMARY KEY (order_id, seq)
      );
      ALTER TABLE order_events ENABLE ROW LEVEL SECURITY;
      GRANT SELECT ON order_events TO ${READER_ROLE};
      CREATE POLICY order_events_caller ON order_events FOR SELECT TO ${READER_ROLE}
        USING (order_id IN (SELECT o.id FROM orders o));
      COMMENT ON TABLE order_events IS 'Every status transition of an order (new, accepted, partially_filled, filled, canceled, rejected, expired) with its reason';

      CREATE TABLE used_confirmations (
        jti text PRIMARY KEY,
        account_id uuid NOT NULL REFERENCES accounts(id),
        used_at timestamptz NOT NULL DEFAULT now()
      );
      ALTER TABLE used_confirmations ENABLE ROW LEVEL SECURITY;
    `,
  },
  {
    id: '006_alert_triggers',
    sql: `
      -- What the market did when an alert fired, and when it was handed to the person's risk-alerts
      -- stream (NULL: not yet, retried: an outbox).
      ALTER TABLE alerts ADD COLUMN triggered_price numeric(20, 4);
      ALTER TABLE alerts ADD COLUMN triggered_change_pct numeric(12, 4);
      ALTER TABLE alerts ADD COLUMN published_at timestamptz;
      CREATE INDEX alerts_active ON alerts (symbol) WHERE status = 'active';
    `,
  },
  {
    id: '007_backtests',
    sql: `
      -- Stored backtest results, per user; a result is deterministic in its inputs (input_hash).
      CREATE TABLE backtests (
        id uuid PRIMARY KEY,
        user_id uuid NOT NULL,
        input_hash text NOT NULL,
        strategy jsonb NOT NULL,
        symbols text[] NOT NULL,
        summary jsonb NOT NULL,
        result jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (user_id, input_hash)
      );
      CREATE INDEX backtests_user ON backtests (user_id, created_at DESC, id DESC);
      ALTER TABLE backtests ENABLE ROW LEVEL SECURITY;
    `,
  },
  {
    id: '008_corporate_actions',
    sql: `
      -- Dividends and splits the ledger has applied, one row per account and action, written in the
      -- transaction that books the dividend or adjusts the position (so each applies once, whichever
      -- replica runs the pass). quantity: the shares held when the ex-date's session opened.
      CREATE TABLE corporate_action_applications (
        account_id uuid NOT NULL REFERENCES accounts(id),
        action_id text NOT NULL,
        symbol text NOT NULL,
        kind text NOT NULL CHECK (kind IN ('dividend', 'split')),
        ex_date date NOT NULL,
        pay_date date,
        quantity numeric(24, 8) NOT NULL,
        amount numeric(20, 6),
        ratio numeric(12, 6),
        cash numeric(20, 4),
        applied_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (account_id, action_id),
        CHECK ((kind = 'dividend') = (amount IS NOT NULL AND pay_date IS NOT NULL AND cash IS NOT NULL)),
        CHECK ((kind = 'split') = (ratio IS NOT NULL))
      );
      ALTER TABLE corporate_action_applications ENABLE ROW LEVEL SECURITY;
      COMMENT ON COLUMN cash_ledger.reference IS 'For trade and fee rows: the execution id; for dividend rows: the corporate action (dividend:SYMBOL:EX-DATE)';
    `,
  },
];
