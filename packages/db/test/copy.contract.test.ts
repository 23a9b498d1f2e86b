import { type TestBackend, testBackends } from '@stockpulse/db/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { csvField } from '../src/copy.js';
import type { CopyValue, Database } from '../src/index.js';

/** `copyFrom` behaves the same on every backend: COPY FROM STDIN (pg) and COPY FROM '/dev/blob' (PGlite). */
describe.each(testBackends('copy'))('copyFrom on %s', (_kind, backend: TestBackend) => {
  let db: Database;
  beforeAll(async () => {
    db = await backend.open();
    await db.exec(`CREATE TABLE things (
      id int PRIMARY KEY,
      label text,
      price numeric(18, 4),
      big bigint,
      ok boolean,
      at timestamptz,
      day date,
      meta jsonb,
      raw bytea,
      CONSTRAINT things_price CHECK (price IS NULL OR price >= 0))`);
  }, 60_000);
  afterAll(async () => {
    await db?.close();
    await backend.cleanup();
  });
  beforeEach(async () => {
    await db.exec('TRUNCATE things');
  });

  const COLUMNS = ['id', 'label', 'price', 'big', 'ok', 'at', 'day', 'meta', 'raw'];
  const count = async () =>
    (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM things')).rows[0]!.n;

  it('round-trips awkward text, NULL vs empty string, and every value type exactly', async () => {
    const labels = [
      'plain',
      'comma, inside',
      'a "quoted" word',
      'two\nlines',
      'carriage\r\nreturn',
      'back\\slash',
      '\\.',
      '\\N',
      'NULL',
      '',
      '  padded  ',
      'ünïcødé ✓ 📈',
      '"',
      ',',
    ];
    const rows: CopyValue[][] = labels.map((label, i) => [
      i,
      label,
      '12345678901234.1234',
      9007199254740991,
      i % 2 === 0,
      new Date('2026-03-09T14:30:00.123Z'),
      '2026-03-09',
      { k: [1, 2], s: 'x,"y"\n' },
      new Uint8Array([0, 1, 254, 255]),
    ]);
    rows.push([100, null, null, null, null, null, null, null, undefined]);
    expect(await db.copyFrom('things', COLUMNS, rows)).toBe(rows.length);

    const { rows: got } = await db.query<Record<string, unknown>>(
      "SELECT id, label, price, big, ok, at, day, meta, encode(raw, 'hex') AS raw FROM things ORDER BY id",
    );
    expect(got.map((r) => r.label)).toEqual([...labels, null]);
    expect(got[0]).toEqual({
      id: 0,
      label: 'plain',
      price: '12345678901234.1234',
      big: 9007199254740991,
      ok: true,
      at: new Date('2026-03-09T14:30:00.123Z'),
      day: '2026-03-09',
      meta: { k: [1, 2], s: 'x,"y"\n' },
      raw: '0001feff',
    });
    expect(got.at(-1)).toEqual({
      id: 100,
      label: null,
      price: null,
      big: null,
      ok: null,
      at: null,
      day: null,
      meta: null,
      raw: null,
    });
  });

  it('copies nothing and answers 0 for no rows', async () => {
    expect(await db.copyFrom('things', ['id'], [])).toBe(0);
  });

  it('streams an async source of many rows', async () => {
    async function* generate() {
      for (let i = 0; i < 30_000; i++) yield [i, `row ${i}`, (i / 100).toFixed(2)];
    }
    expect(await db.copyFrom('things', ['id', 'label', 'price'], generate())).toBe(30_000);
    const { rows } = await db.query<{ n: number; total: string }>(
      'SELECT count(*)::int AS n, sum(price)::text AS total FROM things',
    );
    expect(rows[0]).toEqual({ n: 30_000, total: '4499850.0000' });
  });

  it('is all or nothing: a bad row fails with the Postgres code and nothing is written', async () => {
    const rows = [
      [1, 'ok', '1.00'],
      [2, 'negative', '-1.00'],
    ];
    await expect(db.copyFrom('things', ['id', 'label', 'price'], rows)).rejects.toMatchObject({
      code: '23514',
    });
    await expect(db.copyFrom('things', ['id', 'price'], [[3, 'not a number']])).rejects.toMatchObject({
      code: '22P02',
    });
    expect(await count()).toBe(0);
    // The backend is usable afterwards (the pg connection was not left mid-COPY).
    expect(await db.copyFrom('things', ['id'], [[7]])).toBe(1);
  });

  it('fails cleanly when the row source throws part-way, writing nothing', async () => {
    async function* broken() {
      for (let i = 0; i < 5000; i++) yield [i];
      throw new Error('source broke');
    }
    await expect(db.copyFrom('things', ['id'], broken())).rejects.toThrow('source broke');
    expect(await count()).toBe(0);
    expect(await db.copyFrom('things', ['id'], [[1]])).toBe(1);
  });

  it('checks names and row widths before sending anything', async () => {
    await expect(db.copyFrom('things; DROP TABLE things', ['id'], [[1]])).rejects.toThrow(TypeError);
    await expect(db.copyFrom('things', ['id) FROM PROGRAM (x'], [[1]])).rejects.toThrow(TypeError);
    await expect(db.copyFrom('things', ['id', 'label'], [[1, 'a'], [2]])).rejects.toThrow(
      'row 1 has 1 values, expected 2',
    );
    expect(await count()).toBe(0);
  });

  it('can fail inside a transaction and carry on from a savepoint on the same connection', async () => {
    await db.copyFrom('things', ['id', 'label'], [[1, 'existing']]);
    const written = await db.transaction(async (tx) => {
      await tx.exec('SAVEPOINT optimistic');
      await expect(
        tx.copyFrom(
          'things',
          ['id', 'label'],
          [
            [2, 'new'],
            [1, 'clash'],
          ],
        ),
      ).rejects.toMatchObject({ code: '23505' });
      await tx.exec('ROLLBACK TO SAVEPOINT optimistic');
      return tx.copyFrom('things', ['id', 'label'], [[2, 'new']]);
    });
    expect(written).toBe(1);
    expect(await count()).toBe(2);
  });

  it('loads a temp table inside a transaction for an idempotent upsert, rolled back on error', async () => {
    await db.copyFrom('things', ['id', 'label'], [[1, 'old']]);
    const upsert = (rows: CopyValue[][], fail = false) =>
      db.transaction(async (tx) => {
        await tx.exec('CREATE TEMP TABLE things_in (LIKE things) ON COMMIT DROP');
        await tx.copyFrom('things_in', ['id', 'label'], rows);
        const r = await tx.query(
          'INSERT INTO things (id, label) SELECT id, label FROM things_in ON CONFLICT (id) DO NOTHING',
        );
        if (fail) throw new Error('abort');
        return r.rowCount;
      });
    expect(
      await upsert([
        [1, 'new'],
        [2, 'two'],
      ]),
    ).toBe(1);
    await expect(upsert([[3, 'three']], true)).rejects.toThrow('abort');
    const { rows } = await db.query<{ id: number; label: string }>(
      'SELECT id, label FROM things ORDER BY id',
    );
    expect(rows).toEqual([
      { id: 1, label: 'old' },
      { id: 2, label: 'two' },
    ]);
  });
});

describe('csvField', () => {
  it('quotes only what needs quoting and keeps NULL distinct from the empty string', () => {
    expect(csvField('abc')).toBe('abc');
    expect(csvField('')).toBe('""');
    expect(csvField(null)).toBe('');
    expect(csvField(undefined)).toBe('');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('\\.')).toBe('"\\."');
    expect(csvField(1.5)).toBe('1.5');
    expect(csvField(10n ** 20n)).toBe('100000000000000000000');
    expect(csvField(false)).toBe('f');
    expect(csvField([0.5, 1])).toBe('"[0.5,1]"');
    expect(() => csvField(new Date(Number.NaN))).toThrow(TypeError);
  });
});
