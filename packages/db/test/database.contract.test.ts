import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Database, migrate, openDatabase } from '../src/index.js';

/** The same behavioural suite for every backend of the database port. */
export const TEST_PG_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const schema = `contract_${process.pid}_${Date.now()}`;
const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'sp-db-'));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const backends: Array<[string, () => Promise<Database>]> = [
  ['pglite', () => openDatabase({ dir: join(tempDir(), 'pg'), schema })],
  ['postgres', () => openDatabase({ url: TEST_PG_URL, schema })],
];

describe.each(backends)('database port on %s', (kind, open) => {
  let db: Database;
  beforeAll(async () => {
    db = await open();
    await db.exec('DROP TABLE IF EXISTS items; DROP TABLE IF EXISTS schema_migrations;');
  });
  afterAll(async () => {
    if (kind === 'postgres') await db.exec(`DROP SCHEMA "${schema}" CASCADE`);
    await db.close();
  });

  it('reports its kind and schema', () => {
    expect(db.kind).toBe(kind);
    expect(db.schema).toBe(schema);
  });

  it('runs migrations once, idempotently', async () => {
    const migrations = [
      {
        id: '001_items',
        sql: 'CREATE TABLE items (id serial PRIMARY KEY, name text NOT NULL UNIQUE, price numeric(18,4), day date, at timestamptz, n bigint, meta jsonb);',
      },
      { id: '002_index', sql: 'CREATE INDEX items_day ON items (day); COMMENT ON TABLE items IS $$test$$;' },
    ];
    expect(await migrate(db, migrations)).toEqual(['001_items', '002_index']);
    expect(await migrate(db, migrations)).toEqual([]);
  });

  it('normalizes values the same way on every backend', async () => {
    await db.query('INSERT INTO items (name, price, day, at, n, meta) VALUES ($1, $2, $3, $4, $5, $6)', [
      'a',
      '12345678901234.1234',
      '2026-03-09',
      new Date('2026-03-09T14:30:00Z'),
      9007199254740991,
      JSON.stringify({ k: [1, 2] }),
    ]);
    const { rows } = await db.query<{
      price: string;
      day: string;
      at: Date;
      n: number;
      meta: unknown;
      total: string;
    }>("SELECT price, day, at, n, meta, price * 3 AS total FROM items WHERE name = 'a'");
    expect(rows[0]).toEqual({
      price: '12345678901234.1234',
      day: '2026-03-09',
      at: new Date('2026-03-09T14:30:00Z'),
      n: 9007199254740991,
      meta: { k: [1, 2] },
      total: '37037036703702.3702',
    });
  });

  it('commits a transaction that resolves and rolls back one that throws', async () => {
    await db.transaction(async (tx) => {
      await tx.query("INSERT INTO items (name) VALUES ('committed')");
    });
    await expect(
      db.transaction(async (tx) => {
        await tx.query("INSERT INTO items (name) VALUES ('rolled-back')");
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    const { rows } = await db.query<{ name: string }>(
      "SELECT name FROM items WHERE name IN ('committed', 'rolled-back')",
    );
    expect(rows.map((r) => r.name)).toEqual(['committed']);
  });

  it('surfaces constraint violations as errors with the Postgres code', async () => {
    await expect(db.query("INSERT INTO items (name) VALUES ('a')")).rejects.toMatchObject({ code: '23505' });
  });
});

describe('PGlite durability', () => {
  it('keeps committed rows after the owning process is killed with SIGKILL', async () => {
    const dir = join(tempDir(), 'pg');
    const script = `
      import { openDatabase } from ${JSON.stringify(new URL('../src/index.ts', import.meta.url).pathname)};
      const db = await openDatabase({ dir: ${JSON.stringify(dir)}, schema: 'durable' });
      await db.exec('CREATE TABLE IF NOT EXISTS t (v int)');
      for (let i = 0; i < 50; i++) await db.query('INSERT INTO t VALUES ($1)', [i]);
      process.stdout.write('written\\n');
      setInterval(() => {}, 1000);
    `;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => d.toString().includes('written') && resolve());
      child.on('exit', (code) => reject(new Error(`child exited early (${code})`)));
    });
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    const db = await openDatabase({ dir, schema: 'durable' });
    const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM t');
    expect(rows[0]?.n).toBe(50);
    await db.close();
  }, 60_000);
});

describe('PGlite data directory lock', () => {
  it('refuses a second opener of the same directory while the first holds it', async () => {
    const dir = join(tempDir(), 'locked');
    const first = await openDatabase({ dir, schema: 'a' });
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        '--input-type=module',
        '-e',
        `import { openDatabase } from ${JSON.stringify(new URL('../src/index.ts', import.meta.url).pathname)};
         try { await openDatabase({ dir: ${JSON.stringify(dir)}, schema: 'a' }); console.log('opened'); }
         catch (e) { console.log(e.name); }`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    await new Promise((r) => child.once('exit', r));
    expect(out.trim()).toBe('DataDirLockedError');
    await first.close();
  }, 30_000);
});
