/**
 * Which facts a read sees, on the two time axes.
 *
 * - valid time `[valid_at, invalid_at)`: when the fact holds in the world;
 * - transaction time: `created_at` (when the graph learned it) and `expired_at` (when it learned the
 *   fact had ended: contradiction or `invalidate_fact` set `invalid_at` at that moment).
 *
 * `at` asks "true at this instant?", `knownAt` asks "according to what the graph knew then?". A fact
 * is seen when it was created by `knownAt`, had started by `at`, and had not ended by `at` — where its
 * end only counts once it was known, i.e. `invalid_at` is ignored while `expired_at > knownAt`. That is
 * exact because a row's `invalid_at` is written at most once: at insert (expired_at stays null), or
 * by one invalidation of an open-ended row (which sets expired_at in the same write), so before
 * `expired_at` the row was open-ended. With `at = knownAt` ("as of" one instant) this is the graph
 * exactly as it stood then; `at` in the past with `knownAt = now` is today's view of history.
 */
export type TimeView = { kind: 'at'; at: Date; knownAt: Date } | { kind: 'all' };

export function timeView(
  opts: { asOf?: Date; knownAt?: Date; includeHistory?: boolean },
  now: Date,
): TimeView {
  if (opts.includeHistory) return { kind: 'all' };
  const at = opts.asOf ?? now;
  return { kind: 'at', at, knownAt: opts.knownAt ?? at };
}

/** Collects positional parameters while a statement is assembled: `sql.param(v)` → `$n`. */
export class Params {
  readonly values: unknown[] = [];
  constructor(...initial: unknown[]) {
    this.values.push(...initial);
  }
  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

/** The SQL condition for {@link TimeView} on facts aliased `f`. */
export function factTimeCondition(view: TimeView, p: Params, f = 'f'): string {
  if (view.kind === 'all') return 'TRUE';
  const at = p.add(view.at);
  const known = p.add(view.knownAt);
  return `(${f}.created_at <= ${known} AND ${f}.valid_at <= ${at} AND (
    ${f}.invalid_at IS NULL OR ${f}.invalid_at > ${at} OR ${f}.expired_at > ${known}))`;
}
