import type { Migration } from '@stockpulse/db';

/**
 * The graph schema, after Graphiti's model: episodes (what was ingested), entities (nodes), facts
 * (entity edges, bi-temporal) and episode_mentions (episodic edges). Every row carries its group_id:
 * `public` for the shared market graph, `user:<id>` for one user's memory.
 */
export const GRAPH_MIGRATIONS: Migration[] = [
  {
    id: '001_graph',
    sql: `
      CREATE TABLE episodes (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        -- Insertion order, for stable cursor pagination (timestamps can tie).
        seq bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
        group_id text NOT NULL,
        name text NOT NULL,
        kind text NOT NULL CHECK (kind IN ('text', 'message', 'json')),
        body text NOT NULL,
        source_description text NOT NULL DEFAULT '',
        reference_time timestamptz NOT NULL,
        created_at timestamptz NOT NULL
      );
      CREATE INDEX episodes_group_seq ON episodes (group_id, seq DESC);

      CREATE TABLE entities (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        group_id text NOT NULL,
        name text NOT NULL,
        normalized_name text NOT NULL,
        labels text[] NOT NULL DEFAULT '{}',
        summary text NOT NULL DEFAULT '',
        attributes jsonb NOT NULL DEFAULT '{}',
        symbol text GENERATED ALWAYS AS (attributes ->> 'symbol') STORED,
        created_at timestamptz NOT NULL,
        search tsvector GENERATED ALWAYS AS (
          setweight(to_tsvector('english', name), 'A') ||
          setweight(to_tsvector('english', coalesce(attributes ->> 'symbol', '')), 'A') ||
          setweight(to_tsvector('english', summary), 'B')
        ) STORED,
        UNIQUE (group_id, normalized_name)
      );
      CREATE INDEX entities_symbol ON entities (symbol) WHERE symbol IS NOT NULL;
      CREATE INDEX entities_search ON entities USING gin (search);

      CREATE TABLE facts (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        group_id text NOT NULL,
        source_id uuid NOT NULL REFERENCES entities (id),
        target_id uuid NOT NULL REFERENCES entities (id),
        relation text NOT NULL CHECK (relation ~ '^[A-Z][A-Z0-9_]*$'),
        fact text NOT NULL,
        attributes jsonb NOT NULL DEFAULT '{}',
        -- Valid time: when the fact holds in the world, [valid_at, invalid_at).
        valid_at timestamptz NOT NULL,
        invalid_at timestamptz,
        -- Transaction time: when the graph learned it, and when it learned the fact had ended.
        created_at timestamptz NOT NULL,
        expired_at timestamptz,
        episode_ids uuid[] NOT NULL DEFAULT '{}',
        search tsvector GENERATED ALWAYS AS (
          to_tsvector('english', fact || ' ' || replace(lower(relation), '_', ' '))
        ) STORED,
        CHECK (source_id <> target_id),
        CHECK (invalid_at IS NULL OR invalid_at >= valid_at)
      );
      -- At most one open-ended belief per triple and group; also what makes the seed idempotent.
      CREATE UNIQUE INDEX facts_live_triple ON facts (group_id, source_id, relation, target_id)
        WHERE invalid_at IS NULL AND expired_at IS NULL;
      CREATE INDEX facts_source ON facts (source_id, relation);
      CREATE INDEX facts_target ON facts (target_id);
      CREATE INDEX facts_search ON facts USING gin (search);

      CREATE TABLE episode_mentions (
        episode_id uuid NOT NULL REFERENCES episodes (id) ON DELETE CASCADE,
        entity_id uuid NOT NULL REFERENCES entities (id),
        group_id text NOT NULL,
        PRIMARY KEY (episode_id, entity_id)
      );
      CREATE INDEX episode_mentions_entity ON episode_mentions (entity_id);
    `,
  },
];
