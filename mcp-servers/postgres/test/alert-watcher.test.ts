import { type Database, migrate } from '@stockpulse/db';
import { testBackends } from '@stockpulse/db/testing';
import { money, SimulatedFeed } from '@stockpulse/domain';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AlertEvent, AlertWatcher } from '../src/alerts/watcher.js';
import { Alerts } from '../src/store/alerts.js';
import { LEDGER_MIGRATIONS } from '../src/store/migrations.js';

const USER = '33333333-3333-4333-8333-333333333333';
const AT = new Date('2025-07-09T15:00:00Z');
const feed = new SimulatedFeed({ seed: 2024, start: '2024-01-02', clock: { now: () => AT } });

describe.each(testBackends('alert_watch'))('alert watcher (%s)', (_kind, backend) => {
  let db: Database;
  beforeAll(async () => {
    db = await backend.open();
    await migrate(db, LEDGER_MIGRATIONS);
  });
  afterAll(async () => {
    await db?.close();
    await backend.cleanup();
  });

  it('fires the alerts the live price crosses, once, and publishes each at least once', async () => {
    const alerts = new Alerts(db);
    const q = feed.quote('AAPL', AT);
    const price = money(q.price);
    const change = price.minus(q.previousClose!).div(q.previousClose!).times(100);
    const above = await alerts.create(USER, {
      symbol: 'AAPL',
      kind: 'price_above',
      threshold: price.minus(1).toFixed(2),
    });
    const notYet = await alerts.create(USER, {
      symbol: 'AAPL',
      kind: 'price_above',
      threshold: price.plus(50).toFixed(2),
    });
    const below = await alerts.create(USER, {
      symbol: 'AAPL',
      kind: 'price_below',
      threshold: price.plus(1).toFixed(2),
    });
    // A day-move alert on the side the stock moved, at half the move: it fires.
    const move = await alerts.create(USER, {
      symbol: 'AAPL',
      kind: 'change_pct',
      threshold: change.div(2).toFixed(2) === '0.00' ? '0.01' : change.div(2).toFixed(2),
    });

    const published: AlertEvent[] = [];
    let failNext = true;
    const watcher = new AlertWatcher(db, feed, async (userId, event) => {
      expect(userId).toBe(USER);
      if (failNext) {
        failNext = false;
        throw new Error('redis down');
      }
      published.push(event);
    });
    const fired = await watcher.check(AT);
    expect(fired).toBe(change.abs().gte('0.02') ? 3 : 2);
    const list = (await alerts.list(USER, { limit: 10 })).items;
    const status = Object.fromEntries(list.map((a) => [a.id, a.status]));
    expect(status[above.id]).toBe('triggered');
    expect(status[below.id]).toBe('triggered');
    expect(status[notYet.id]).toBe('active');
    expect(list.find((a) => a.id === above.id)!.triggeredPrice).toBe(price.toFixed(2));
    if (change.abs().gte('0.02')) expect(status[move.id]).toBe('triggered');

    // The first publish failed: nothing was lost, the next pass delivers it; a third pass adds nothing.
    await watcher.check(AT);
    await watcher.check(AT);
    expect(published.map((e) => e.alertId).sort()).toEqual(
      list
        .filter((a) => a.status === 'triggered')
        .map((a) => a.id)
        .sort(),
    );
    expect(published.find((e) => e.alertId === above.id)!.message).toBe(
      `AAPL rose above $${price.minus(1).toFixed(2)}: now $${price.toFixed(2)}.`,
    );
  });
});
