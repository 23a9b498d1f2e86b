import type { RequestContext, ServerCallContext, User } from '@a2a-js/sdk/server';
import { AppError } from '@stockpulse/core';
import type { Principal } from '../auth/principal.js';

/**
 * The SDK's `User` for a verified StockPulse principal. `userName` is the principal's subject, which
 * the SDK's stores and event-bus manager use as the owner scope of every task.
 */
export class PrincipalUser implements User {
  constructor(readonly principal: Principal) {}
  get isAuthenticated(): boolean {
    return true;
  }
  get userName(): string {
    return this.principal.subject;
  }
}

/** Who an A2A call acts for: the principal `mountA2A` verified for this request. */
export function principalOf(ctx: RequestContext | ServerCallContext): Principal {
  const call = 'request' in ctx ? ctx.context : ctx;
  const user = call.user;
  if (user instanceof PrincipalUser) return user.principal;
  throw new AppError('unauthenticated', 'No authenticated principal on this A2A call');
}

/** The owner scope of a call: the verified subject, or '' for a call without one. */
export function ownerOf(call: ServerCallContext): string {
  const user = call.user;
  return user?.isAuthenticated ? user.userName : '';
}
