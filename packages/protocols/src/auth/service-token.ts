import { AppError, tracedFetch } from '@stockpulse/core';

/**
 * A service's own access token, from the auth server's OAuth 2.0 client-credentials grant.
 * Cached until a minute before expiry. Services use it only for their own work (registration,
 * login on behalf of an anonymous caller); for a user's work they pass the user's token.
 */
export class ServiceTokenSource {
  private cached?: { token: string; expiresAt: number };
  private pending?: Promise<string>;

  constructor(private readonly opts: { authUrl: string; clientId: string; clientSecret: string }) {}

  async getToken(): Promise<string> {
    if (this.cached && this.cached.expiresAt - 60_000 > Date.now()) return this.cached.token;
    this.pending ??= this.fetchToken().finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  async authorization(): Promise<string> {
    return `Bearer ${await this.getToken()}`;
  }

  private async fetchToken(): Promise<string> {
    const res = await tracedFetch(new URL('/oauth/token', this.opts.authUrl), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: this.opts.clientId,
        client_secret: this.opts.clientSecret,
      }),
    }).catch(() => {
      throw new AppError('unavailable', 'Auth server unreachable');
    });
    if (!res.ok) throw new AppError('unauthenticated', `Service token refused (${res.status})`);
    const body = (await res.json()) as { access_token: string; expires_in: number };
    this.cached = { token: body.access_token, expiresAt: Date.now() + body.expires_in * 1000 };
    return body.access_token;
  }
}
