import { AppError } from '@stockpulse/core';

export const SCOPES = ['read', 'trade', 'admin', 'service'] as const;
export type Scope = (typeof SCOPES)[number];

/** Who a request acts for. Every tool and skill acts only for `userId` (services act for no user). */
export interface Principal {
  kind: 'user' | 'service';
  /** `sub` of the token: a user id, or `service:<name>`. */
  subject: string;
  userId?: string;
  email?: string;
  scopes: Scope[];
  /** How the caller authenticated. */
  via: 'jwt' | 'api_key' | 'stdio';
  /** The raw bearer credential, so an agent can pass the user's delegated token on to the next hop. */
  token?: string;
}

export function hasScope(p: Principal, scope: Scope): boolean {
  return p.scopes.includes(scope) || p.scopes.includes('admin');
}

export function requireScope(p: Principal, scope: Scope): void {
  if (!hasScope(p, scope)) throw new AppError('forbidden', `This action needs the '${scope}' scope`);
}

/** The user a principal acts for; services must name one explicitly, users may only name themselves. */
export function requireUser(p: Principal): string {
  if (!p.userId) throw new AppError('forbidden', 'This action must be made on behalf of a user');
  return p.userId;
}

export const AUTH_ISSUER = 'stockpulse-auth';
export const AUTH_AUDIENCE = 'stockpulse';
