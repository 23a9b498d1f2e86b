import { type Principal, requireUser } from '@stockpulse/protocols/auth';
import type { ReadScope } from '../store/graph.js';
import { PUBLIC_GROUP, userGroup } from '../store/groups.js';

/**
 * The one permission rule of the graph: everyone reads the public market graph; a user also reads
 * their own memory (`user:<id>`) and nobody else's; a user writes only their own memory. A service
 * acting for no user reads the public graph only.
 */
export function readScope(principal: Principal): ReadScope {
  return { groups: principal.userId ? [PUBLIC_GROUP, userGroup(principal.userId)] : [PUBLIC_GROUP] };
}

/** The group a principal may write: their own memory; `forbidden` without a user. */
export function writableGroup(principal: Principal): string {
  return userGroup(requireUser(principal));
}
