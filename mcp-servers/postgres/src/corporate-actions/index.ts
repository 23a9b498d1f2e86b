import type { Logger } from '@stockpulse/core';
import type { Database, Queryable } from '@stockpulse/db';
import {
  type CorporateAction,
  companyBySymbol,
  corporateActions,
  exchangeInstant,
  exchangeTime,
  MARKET_OPEN_MINUTES,
  type MarketClock,
  type Money,
  money,
  type SplitAction,
} from '@stockpulse/domain';

/**
 * Applies the simulated market's dividends and splits to every account's positions.
 *
 * - Holders of record are the shares held when the ex-date's session opens: fills before that
 *   instant count (in the shares of their day: earlier splits are applied to them), fills from it
 *   on do not. The same convention as `@stockpulse/quant`'s position accounting.
 * - A dividend is booked on its pay date (at that session's open) as a `dividend` cash row of
 *   shares × amount, exact to the ledger's 4 decimals, referencing `dividend:SYMBOL:EX-DATE`.
 * - A split applies at its ex-date's open, when the tape switches to the new basis: the position
 *   gains held × (ratio − 1) shares at the same total cost (average cost ÷ ratio); no cash. Exact
 *   when no fill landed between that open and the pass (which runs at startup and every few
 *   seconds); a fill in that window keeps the quantity exact and the average cost approximate.
 *
 * Each (account, action) is applied once: recorded in `corporate_action_applications` in the same
 * transaction, so concurrent passes on several replicas are safe.
 */

export interface AppliedActions {
  dividends: number;
  splits: number;
}

/** The actions of a symbol with an ex-date up to `through` (default: the simulator's). */
export type ActionSource = (symbol: string, through: string) => readonly CorporateAction[];

export const actionId = (a: CorporateAction) => `${a.kind}:${a.symbol}:${a.exDate}`;

const instants = new WeakMap<CorporateAction, { record: Date; effective: Date }>();
function instantsOf(a: CorporateAction) {
  let hit = instants.get(a);
  if (!hit) {
    hit = {
      record: exchangeInstant(a.exDate, MARKET_OPEN_MINUTES),
      effective: exchangeInstant(a.kind === 'split' ? a.exDate : a.payDate, MARKET_OPEN_MINUTES),
    };
    instants.set(a, hit);
  }
  return hit;
}

/** The instant holders of record are fixed: the ex-date's session open. */
const recordInstant = (a: CorporateAction) => instantsOf(a).record;

/** The instant the ledger applies it: a split at its ex-date's open, a dividend at its pay date's open. */
const effectiveInstant = (a: CorporateAction) => instantsOf(a).effective;

/** The simulator's actions for a symbol, cached per symbol and simulated again only when a day passes. */
export function simulatedActionSource(sim: { seed: number; start: string }): ActionSource {
  const cache = new Map<string, { through: string; actions: CorporateAction[] }>();
  return (symbol, through) => {
    const hit = cache.get(symbol);
    if (hit && hit.through >= through) return hit.actions.filter((a) => a.exDate <= through);
    const company = companyBySymbol(symbol);
    const actions =
      company && through >= sim.start
        ? corporateActions({ seed: sim.seed, start: sim.start, end: through, companies: [company] })
        : [];
    cache.set(symbol, { through, actions });
    return actions;
  };
}

/**
 * The pass: applies every action that has taken effect by `now` to the accounts that held the
 * symbol on its ex-date and have not had it applied yet.
 */
export function corporateActionPass(
  db: Database,
  source: ActionSource,
): (now: Date) => Promise<AppliedActions> {
  // Applications known to be done (loaded once, then kept up to date), so a pass with nothing new
  // costs one query.
  let done: Set<string> | undefined;
  return async (now) => {
    if (!done) {
      const { rows } = await db.query<{ account_id: string; action_id: string }>(
        'SELECT account_id, action_id FROM corporate_action_applications',
      );
      done = new Set(rows.map((r) => `${r.account_id}|${r.action_id}`));
    }
    const { rows: holdings } = await db.query<{ account_id: string; symbol: string; opened_at: Date }>(
      'SELECT account_id, symbol, opened_at FROM positions ORDER BY account_id, symbol',
    );
    const today = exchangeTime(now).date;
    const applied: AppliedActions = { dividends: 0, splits: 0 };
    for (const h of holdings) {
      const actions = source(h.symbol, today);
      const due = actions.filter(
        (a) =>
          effectiveInstant(a) <= now &&
          recordInstant(a) > h.opened_at &&
          !done!.has(`${h.account_id}|${actionId(a)}`),
      );
      for (const action of due) {
        const splits = actions.filter((a): a is SplitAction => a.kind === 'split');
        if (await db.transaction((tx) => applyAction(tx, h.account_id, action, splits))) {
          applied[action.kind === 'split' ? 'splits' : 'dividends']++;
        }
        done.add(`${h.account_id}|${actionId(action)}`);
      }
    }
    return applied;
  };
}

/**
 * Catch up at startup (the simulator's actions up to the market clock's now), then hand back the
 * pass to run periodically. Takes the service's config and feed as they are in `main.ts`.
 */
export async function catchUpCorporateActions(
  db: Database,
  config: { simulator: { seed: number; start: string } },
  feed: { clock: MarketClock },
  logger: Logger,
): Promise<() => Promise<AppliedActions>> {
  const pass = corporateActionPass(db, simulatedActionSource(config.simulator));
  const run = async () => {
    const applied = await pass(feed.clock.now());
    if (applied.dividends + applied.splits > 0) logger.info(applied, 'corporate actions applied');
    return applied;
  };
  await run().catch((err) => logger.warn({ err }, 'corporate-action catch-up failed'));
  return run;
}

/** Shares of `symbol` held in the account when `action`'s ex-date opened, in that day's shares. */
async function sharesOfRecord(
  tx: Queryable,
  accountId: string,
  action: CorporateAction,
  splits: readonly SplitAction[],
): Promise<Money> {
  const record = recordInstant(action);
  const { rows } = await tx.query<{ side: 'buy' | 'sell'; quantity: string; executed_at: Date }>(
    'SELECT side, quantity, executed_at FROM executions WHERE account_id = $1 AND symbol = $2 AND executed_at < $3',
    [accountId, action.symbol, record],
  );
  // A split on the same ex-date comes first for a dividend (the tape is on the new basis), never for itself.
  const before = splits.filter((s) => {
    const at = recordInstant(s);
    return action.kind === 'split' ? at < record : at <= record;
  });
  let held = money(0);
  for (const e of rows) {
    const factor = before
      .filter((s) => recordInstant(s) > e.executed_at)
      .reduce((f, s) => f.times(s.ratio), money(1));
    const shares = money(e.quantity).times(factor);
    held = e.side === 'buy' ? held.plus(shares) : held.minus(shares);
  }
  return held;
}

/** Apply one action to one account; false when it was already applied (by another pass). */
async function applyAction(
  tx: Queryable,
  accountId: string,
  action: CorporateAction,
  splits: readonly SplitAction[],
): Promise<boolean> {
  const held = await sharesOfRecord(tx, accountId, action, splits);
  const id = actionId(action);
  const cash = action.kind === 'dividend' ? held.times(action.amount).toDecimalPlaces(4) : null;
  const { rows } = await tx.query(
    `INSERT INTO corporate_action_applications
       (account_id, action_id, symbol, kind, ex_date, pay_date, quantity, amount, ratio, cash)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
     ON CONFLICT (account_id, action_id) DO NOTHING RETURNING action_id`,
    [
      accountId,
      id,
      action.symbol,
      action.kind,
      action.exDate,
      action.kind === 'dividend' ? action.payDate : null,
      held.toString(),
      action.kind === 'dividend' ? action.amount : null,
      action.kind === 'split' ? String(action.ratio) : null,
      cash?.toFixed(4) ?? null,
    ],
  );
  if (rows.length === 0 || held.isZero()) return rows.length > 0;

  if (action.kind === 'dividend') {
    await tx.query(
      `INSERT INTO cash_ledger (account_id, at, kind, amount, reference, memo) VALUES ($1, $2, 'dividend', $3, $4, $5)`,
      [
        accountId,
        effectiveInstant(action),
        cash!.toFixed(4),
        id,
        `${action.symbol} dividend ${action.amount} × ${held.toString()} (ex ${action.exDate})`,
      ],
    );
    return true;
  }

  const { rows: position } = await tx.query<{ quantity: string; average_cost: string }>(
    'SELECT quantity, average_cost FROM positions WHERE account_id = $1 AND symbol = $2 FOR UPDATE',
    [accountId, action.symbol],
  );
  const current = money(position[0]?.quantity ?? '0');
  const averageCost = money(position[0]?.average_cost ?? '0');
  const next = current.plus(held.times(action.ratio - 1));
  // The same total cost over more shares; if fills since the open flipped the position, the old basis ÷ ratio.
  const average = next.isZero()
    ? money(0)
    : !current.isZero() && current.isNegative() === next.isNegative()
      ? current.times(averageCost).div(next)
      : averageCost.div(action.ratio);
  await tx.query(
    'UPDATE positions SET quantity = $3, average_cost = $4, updated_at = $5 WHERE account_id = $1 AND symbol = $2',
    [accountId, action.symbol, next.toString(), average.toDecimalPlaces(6).toString(), recordInstant(action)],
  );
  return true;
}
