import { type FormEvent, useEffect, useRef, useState } from 'react';
import { LoginError, login, type Session } from './auth';

export const DEMO_EMAIL = 'demo@stockpulse.local';
export const DEMO_PASSWORD = 'stockpulse-demo';

interface Props {
  onLoggedIn: (session: Session) => void;
  /** Shown above the form, e.g. "Your session expired". */
  notice?: string | null;
}

export function LoginScreen({ onLoggedIn, notice }: Props) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const abortRef = useRef<AbortController | null>(null);

  useEffect(() => () => abortRef.current?.abort(), []);

  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    if (busy) return;
    setError(null);
    setBusy(true);
    const ctrl = new AbortController();
    abortRef.current = ctrl;
    try {
      const session = await login(email.trim(), password, ctrl.signal);
      onLoggedIn(session);
    } catch (err) {
      if ((err as Error).name === 'AbortError') return;
      setError(err instanceof LoginError ? err.message : 'Sign-in failed. Please try again.');
      setBusy(false);
    }
  }

  function fillDemo() {
    setEmail(DEMO_EMAIL);
    setPassword(DEMO_PASSWORD);
    setError(null);
  }

  return (
    <main className="login-page">
      <section className="login-card" aria-labelledby="login-title">
        <div className="brand brand--large">
          <BrandMark />
          <span>StockPulse</span>
        </div>
        <h1 id="login-title">Sign in</h1>
        <p className="login-sub">Chat with your portfolio and the market. Paper trading by default.</p>

        {notice ? (
          <p className="login-notice" data-testid="login-notice" role="status">
            {notice}
          </p>
        ) : null}

        <form onSubmit={submit} noValidate={false} aria-busy={busy}>
          <label htmlFor="login-email">Email</label>
          <input
            id="login-email"
            data-testid="login-email"
            type="email"
            name="email"
            autoComplete="username"
            required
            value={email}
            onChange={(e) => setEmail(e.target.value)}
          />
          <label htmlFor="login-password">Password</label>
          <input
            id="login-password"
            data-testid="login-password"
            type="password"
            name="password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
          {error ? (
            <p className="login-error" data-testid="login-error" role="alert">
              {error}
            </p>
          ) : null}
          <button type="submit" className="btn btn--primary" data-testid="login-submit" disabled={busy}>
            {busy ? 'Signing in…' : 'Sign in'}
          </button>
        </form>

        <div className="login-hint">
          <span>
            Demo account: <code>{DEMO_EMAIL}</code> / <code>{DEMO_PASSWORD}</code>
          </span>
          <button type="button" className="btn btn--link" onClick={fillDemo}>
            Use demo account
          </button>
        </div>
      </section>
    </main>
  );
}

export function BrandMark() {
  return (
    <svg className="brand-mark" viewBox="0 0 32 32" aria-hidden="true" focusable="false">
      <rect width="32" height="32" rx="7" />
      <path d="M5 19h6l3-8 4 13 3-7h6" />
    </svg>
  );
}
