import { AppError } from '@stockpulse/core';
import { type Principal, requireUser } from '@stockpulse/protocols/auth';
import { PUBLIC_TENANT } from './store/port.js';

/**
 * Who may see and change which documents, in one place. Every document belongs to one tenant: a user
 * id, or `public` (the shared news corpus). A user reads the public corpus and their own documents and
 * writes only their own; a service acting for no user reads the public corpus only; nobody writes the
 * public corpus through the tools (it is seeded by the server itself).
 */

/** Tenants `p` may read, own first (so their document shadows a public one with the same id). */
export function readableTenants(p: Principal): string[] {
  return p.userId && p.userId !== PUBLIC_TENANT ? [p.userId, PUBLIC_TENANT] : [PUBLIC_TENANT];
}

/** The only tenant `p` may write: their own. */
export function writableTenant(p: Principal): string {
  const userId = requireUser(p);
  if (userId === PUBLIC_TENANT) throw new AppError('forbidden', 'The public corpus is read-only');
  return userId;
}
