import type { Logger } from '@stockpulse/core';
import type { Database } from '@stockpulse/db';
import { money, type SimulatedFeed } from '@stockpulse/domain';

/** What a triggered alert tells the person, as published to their `risk-alerts` stream. */
export interface AlertEvent {
  type: 'alert-triggered';
  alertId: string;
  symbol: string;
  kind: 'price_above' | 'price_below' | 'change_pct';
  threshold: string;
  price: string;
  changePercent: string | null;
  triggeredAt: string;
  message: string;
}

/** Delivers an event to one user's `risk-alerts` stream (the redis MCP server in the mesh). */
export type AlertPublisher = (userId: string, event: AlertEvent) => Promise<void>;

interface AlertRow {
  id: string;
  user_id: string;
  symbol: string;
  kind: AlertEvent['kind'];
  threshold: string;
}

function message(a: AlertRow, price: string, changePercent: string | null): string {
  const usd = (v: string) => `$${money(v).toFixed(2)}`;
  if (a.kind === 'price_above') return `${a.symbol} rose above ${usd(a.threshold)}: now ${usd(price)}.`;
  if (a.kind === 'price_below') return `${a.symbol} fell below ${usd(a.threshold)}: now ${usd(price)}.`;
  return `${a.symbol} moved ${changePercent}% today (alert at ${a.threshold}%): now ${usd(price)}.`;
}

/**
 * Checks every active alert against the simulated exchange's live price and marks the ones whose
 * condition holds as triggered (with the price), in the ledger first; then publishes each triggered,
 * unpublished alert (an outbox: a failed publish is retried next pass, so delivery is at least once).
 */
export class AlertWatcher {
  constructor(
    private readonly db: Database,
    private readonly feed: SimulatedFeed,
    private readonly publish?: AlertPublisher,
    private readonly logger?: Logger,
  ) {}

  async check(now: Date = this.feed.clock.now()): Promise<number> {
    const { rows } = await this.db.query<AlertRow>(
      `SELECT id, user_id, symbol, kind, threshold FROM alerts WHERE status = 'active' ORDER BY created_at LIMIT 5000`,
    );
    let triggered = 0;
    const quotes = new Map<string, ReturnType<SimulatedFeed['quote']> | null>();
    for (const a of rows) {
      if (!quotes.has(a.symbol))
        quotes.set(a.symbol, this.feed.lists(a.symbol) ? this.feed.quote(a.symbol, now) : null);
      const q = quotes.get(a.symbol);
      if (!q) continue;
      const price = money(q.price);
      const change = q.previousClose ? price.minus(q.previousClose).div(q.previousClose).times(100) : null;
      const threshold = money(a.threshold);
      const hit =
        a.kind === 'price_above'
          ? price.gte(threshold)
          : a.kind === 'price_below'
            ? price.lte(threshold)
            : change !== null && (threshold.isNegative() ? change.lte(threshold) : change.gte(threshold));
      if (!hit) continue;
      const { rows: updated } = await this.db.query(
        `UPDATE alerts SET status = 'triggered', triggered_at = now(), triggered_price = $2,
           triggered_change_pct = $3 WHERE id = $1 AND status = 'active' RETURNING id`,
        [a.id, q.price, change?.toFixed(2) ?? null],
      );
      triggered += updated.length;
    }
    if (this.publish) await this.publishPending();
    return triggered;
  }

  /** Publish triggered alerts not yet delivered to the stream, oldest first. */
  async publishPending(): Promise<number> {
    const { rows } = await this.db.query<
      AlertRow & { triggered_price: string; triggered_change_pct: string | null; triggered_at: Date }
    >(
      `SELECT id, user_id, symbol, kind, threshold, triggered_price, triggered_change_pct, triggered_at FROM alerts
       WHERE status = 'triggered' AND published_at IS NULL AND triggered_price IS NOT NULL
       ORDER BY triggered_at LIMIT 200`,
    );
    let published = 0;
    for (const r of rows) {
      const event: AlertEvent = {
        type: 'alert-triggered',
        alertId: r.id,
        symbol: r.symbol,
        kind: r.kind,
        threshold: money(r.threshold).toString(),
        price: money(r.triggered_price).toFixed(2),
        changePercent: r.triggered_change_pct === null ? null : money(r.triggered_change_pct).toFixed(2),
        triggeredAt: r.triggered_at.toISOString(),
        message: message(
          r,
          r.triggered_price,
          r.triggered_change_pct === null ? null : money(r.triggered_change_pct).toFixed(2),
        ),
      };
      try {
        await this.publish!(r.user_id, event);
        await this.db.query('UPDATE alerts SET published_at = now() WHERE id = $1', [r.id]);
        published++;
      } catch (err) {
        this.logger?.warn({ err, alertId: r.id }, 'publishing a triggered alert failed; will retry');
        break;
      }
    }
    return published;
  }
}
