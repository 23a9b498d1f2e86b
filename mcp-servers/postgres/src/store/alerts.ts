import { randomUUID } from 'node:crypto';
import { AppError } from '@stockpulse/core';
import type { Database } from '@stockpulse/db';
import { money } from '@stockpulse/domain';
import { decodeCursor, fromMicros, micros, page } from './cursor.js';

export const ALERT_KINDS = ['price_above', 'price_below', 'change_pct'] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];
export const ALERT_LIMITS = { activePerUser: 200 } as const;

export interface Alert {
  id: string;
  symbol: string;
  kind: AlertKind;
  threshold: string;
  note: string | null;
  status: 'active' | 'triggered';
  createdAt: string;
  triggeredAt: string | null;
  /** The price the alert fired at. */
  triggeredPrice: string | null;
}

interface AlertRow {
  id: string;
  symbol: string;
  kind: AlertKind;
  threshold: string;
  note: string | null;
  status: 'active' | 'triggered';
  created_at: Date;
  triggered_at: Date | null;
  triggered_price: string | null;
  at_us: number;
}

const toAlert = (r: AlertRow): Alert => ({
  id: r.id,
  symbol: r.symbol,
  kind: r.kind,
  threshold: money(r.threshold).toString(),
  note: r.note,
  status: r.status,
  createdAt: r.created_at.toISOString(),
  triggeredAt: r.triggered_at?.toISOString() ?? null,
  triggeredPrice: r.triggered_price === null ? null : money(r.triggered_price).toFixed(2),
});

/** Thresholds an alert kind accepts: a positive price, or a signed, non-zero percentage. */
export function checkThreshold(kind: AlertKind, threshold: string): void {
  const t = money(threshold);
  if (kind === 'change_pct') {
    if (t.isZero() || t.abs().gt(1000))
      throw new AppError(
        'bad_request',
        'A change_pct threshold is a non-zero percentage between -1000 and 1000',
      );
  } else if (!t.isPositive() || t.isZero()) {
    throw new AppError('bad_request', `A ${kind} threshold is a price above zero`);
  }
}

/** A user's price alerts. Another user's alert reads as not found. */
export class Alerts {
  constructor(readonly db: Database) {}

  async list(
    userId: string,
    opts: { symbol?: string; status?: 'active' | 'triggered'; limit: number; cursor?: string },
  ) {
    const after = decodeCursor(opts.cursor);
    const { rows } = await this.db.query<AlertRow>(
      `SELECT id, symbol, kind, threshold, note, status, created_at, triggered_at, triggered_price, ${micros('created_at')} AS at_us
       FROM alerts WHERE user_id = $1
         AND ($2::text IS NULL OR symbol = $2) AND ($3::text IS NULL OR status = $3)
         AND ($4::int8 IS NULL OR (created_at, id) < (${fromMicros('$4')}, $5::uuid))
       ORDER BY created_at DESC, id DESC LIMIT $6`,
      [
        userId,
        opts.symbol ?? null,
        opts.status ?? null,
        after?.atMicros ?? null,
        after?.id ?? null,
        opts.limit + 1,
      ],
    );
    return page(rows, opts.limit, (r) => ({ atMicros: r.at_us, id: r.id }), toAlert);
  }

  async create(
    userId: string,
    a: { symbol: string; kind: AlertKind; threshold: string; note?: string },
  ): Promise<Alert> {
    checkThreshold(a.kind, a.threshold);
    return this.db.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`alerts:${userId}`]);
      const { rows: count } = await tx.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM alerts WHERE user_id = $1 AND status = 'active'`,
        [userId],
      );
      if ((count[0]?.n ?? 0) >= ALERT_LIMITS.activePerUser)
        throw new AppError(
          'conflict',
          `You have ${ALERT_LIMITS.activePerUser} active alerts, the most allowed`,
        );
      const { rows } = await tx.query<AlertRow>(
        `INSERT INTO alerts (id, user_id, symbol, kind, threshold, note) VALUES ($1, $2, $3, $4, $5, $6)
         RETURNING id, symbol, kind, threshold, note, status, created_at, triggered_at, triggered_price, 0::int8 AS at_us`,
        [randomUUID(), userId, a.symbol, a.kind, a.threshold, a.note ?? null],
      );
      return toAlert(rows[0]!);
    });
  }

  async delete(userId: string, id: string): Promise<{ id: string; deleted: true }> {
    const { rows } = await this.db.query('DELETE FROM alerts WHERE user_id = $1 AND id = $2 RETURNING id', [
      userId,
      id,
    ]);
    if (!rows[0]) throw new AppError('not_found', 'No such alert');
    return { id, deleted: true };
  }
}
