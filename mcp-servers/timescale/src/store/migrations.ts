import type { Migration } from '@stockpulse/db';

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
];
