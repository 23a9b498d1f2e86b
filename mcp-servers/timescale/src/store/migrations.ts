import type { Migration } from '@stockpulse/db';

/** 1-minute bars older than this are dropped (a TimescaleDB retention policy, or the server's own upkeep). */
export const MINUTE_BARS_RETENTION_DAYS = 30;

export const MARKET_MIGRATIONS: Migration[] = [
  {
    id: '001_market',
    sql: `
      CREATE TABLE symbols (
        symbol text PRIMARY KEY,
        name text NOT NULL,
        sector text NOT NULL,
        sub_industry text NOT NULL,
        headquarters text,
        search_text text NOT NULL
      );
      CREATE INDEX symbols_sector ON symbols (sector);

      CREATE TABLE daily_bars (
        symbol text NOT NULL,
        day date NOT NULL,
        open numeric(18, 4) NOT NULL,
        high numeric(18, 4) NOT NULL,
        low numeric(18, 4) NOT NULL,
        close numeric(18, 4) NOT NULL,
        volume bigint NOT NULL,
        PRIMARY KEY (symbol, day)
      );
      CREATE INDEX daily_bars_day_brin ON daily_bars USING brin (day);
      -- On TimescaleDB the table becomes a hypertable; plain Postgres keeps the B-tree + BRIN layout.
      DO $$
      BEGIN
        IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'timescaledb') THEN
          PERFORM create_hypertable('daily_bars', 'day', chunk_time_interval => interval '1 year', migrate_data => true);
        END IF;
      END $$;
    `,
  },
  {
    // Intraday bars. With TimescaleDB: a hypertable of one-day chunks; with its community licence
    // also an hourly continuous aggregate and a retention policy (the Apache-only build has neither:
    // the server then drops old chunks itself). Plain Postgres: the B-tree primary key for lookups
    // by symbol and a BRIN index on time for range scans and retention deletes.
    id: '002_minute_bars',
    sql: `
      CREATE TABLE minute_bars (
        symbol text NOT NULL,
        ts timestamptz NOT NULL,
        open numeric(18, 4) NOT NULL,
        high numeric(18, 4) NOT NULL,
        low numeric(18, 4) NOT NULL,
        close numeric(18, 4) NOT NULL,
        volume bigint NOT NULL,
        PRIMARY KEY (symbol, ts),
        CONSTRAINT minute_bars_ohlc CHECK (
          low > 0 AND low <= open AND low <= close AND high >= open AND high >= close AND volume >= 0)
      );
      DO $$
      BEGIN
        IF NOT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'timescaledb') THEN
          CREATE INDEX minute_bars_ts_brin ON minute_bars USING brin (ts);
          RETURN;
        END IF;
        PERFORM create_hypertable('minute_bars', 'ts', chunk_time_interval => interval '1 day');
        IF current_setting('timescaledb.license', true) IS DISTINCT FROM 'timescale' THEN
          RETURN;
        END IF;
        -- Community-licence features; never fatal (unverified here: the CI build is Apache-only).
        BEGIN
          PERFORM add_retention_policy('minute_bars', drop_after => interval '${MINUTE_BARS_RETENTION_DAYS} days');
          EXECUTE $cagg$
            CREATE MATERIALIZED VIEW minute_bars_1h WITH (timescaledb.continuous, timescaledb.materialized_only = false) AS
            SELECT symbol, time_bucket(interval '1 hour', ts, timestamptz '2000-01-03 14:30:00+00') AS bucket,
              first(open, ts) AS open, max(high) AS high, min(low) AS low, last(close, ts) AS close,
              sum(volume)::bigint AS volume
            FROM minute_bars GROUP BY symbol, bucket
            WITH NO DATA
          $cagg$;
          PERFORM add_continuous_aggregate_policy('minute_bars_1h', start_offset => interval '${MINUTE_BARS_RETENTION_DAYS} days',
            end_offset => interval '1 hour', schedule_interval => interval '15 minutes');
        EXCEPTION WHEN OTHERS THEN
          RAISE WARNING 'retention policy / hourly continuous aggregate not created: %', SQLERRM;
        END;
      END $$;
    `,
  },
];
