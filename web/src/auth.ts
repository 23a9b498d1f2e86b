/** Login against the gateway and keep the session in sessionStorage (survives a reload, not a new tab). */

export interface SessionUser {
  id: string;
  email: string;
  displayName: string;
}

export interface Session {
  accessToken: string;
  /** Epoch milliseconds after which the access token is no longer accepted. */
  expiresAt: number;
  user: SessionUser;
}

interface LoginResponse {
  accessToken: string;
  refreshToken?: string;
  expiresIn: number;
  user: SessionUser;
}

interface ErrorResponse {
  error?: { code?: string; message?: string };
}

const STORAGE_KEY = 'stockpulse.session';
/** Leeway so we do not start a chat run with a token that expires mid-stream. */
const EXPIRY_SKEW_MS = 5_000;

export class LoginError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
    this.name = 'LoginError';
  }
}

export function loadSession(now = Date.now()): Session | null {
  let raw: string | null;
  try {
    raw = sessionStorage.getItem(STORAGE_KEY);
  } catch {
    return null;
  }
  if (!raw) return null;
  try {
    const s = JSON.parse(raw) as Partial<Session>;
    if (typeof s.accessToken !== 'string' || typeof s.expiresAt !== 'number' || !s.user) {
      clearSession();
      return null;
    }
    if (s.expiresAt - EXPIRY_SKEW_MS <= now) {
      clearSession();
      return null;
    }
    return s as Session;
  } catch {
    clearSession();
    return null;
  }
}

export function saveSession(session: Session): void {
  try {
    sessionStorage.setItem(STORAGE_KEY, JSON.stringify(session));
  } catch {
    // Storage disabled (private mode quotas etc.): the session still lives in memory.
  }
}

export function clearSession(): void {
  try {
    sessionStorage.removeItem(STORAGE_KEY);
  } catch {
    // ignore
  }
}

export async function login(email: string, password: string, signal?: AbortSignal): Promise<Session> {
  let res: Response;
  try {
    res = await fetch('/api/v1/auth/login', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify({ email, password }),
      signal,
    });
  } catch (err) {
    if ((err as Error).name === 'AbortError') throw err;
    throw new LoginError('Cannot reach the StockPulse gateway. Is it running?', 'network_error');
  }

  let body: unknown = null;
  try {
    body = await res.json();
  } catch {
    // non-JSON body; handled below
  }

  if (!res.ok) {
    const e = (body as ErrorResponse | null)?.error;
    if (res.status === 401) {
      throw new LoginError(e?.message || 'Invalid email or password.', e?.code || 'invalid_credentials');
    }
    if (res.status === 429) {
      throw new LoginError(
        e?.message || 'Too many attempts. Please wait a moment.',
        e?.code || 'rate_limited',
      );
    }
    if (!e?.message && res.status >= 502 && res.status <= 504) {
      throw new LoginError(
        `The StockPulse gateway is not answering (HTTP ${res.status}). Is it running?`,
        'unavailable',
      );
    }
    throw new LoginError(e?.message || `Sign-in failed (HTTP ${res.status}).`, e?.code || 'login_failed');
  }

  const data = body as LoginResponse | null;
  if (!data || typeof data.accessToken !== 'string' || !data.user) {
    throw new LoginError('Unexpected response from the gateway.', 'bad_response');
  }
  const expiresIn = Number.isFinite(data.expiresIn) && data.expiresIn > 0 ? data.expiresIn : 900;
  const session: Session = {
    accessToken: data.accessToken,
    expiresAt: Date.now() + expiresIn * 1000,
    user: data.user,
  };
  saveSession(session);
  return session;
}
