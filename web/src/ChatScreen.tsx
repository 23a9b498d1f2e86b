import {
  CopilotChat,
  CopilotKitProvider,
  UseAgentUpdate,
  useAgent,
  useConfigureSuggestions,
} from '@copilotkit/react-core/v2';
import { useCallback, useEffect, useMemo } from 'react';
import type { Session } from './auth';
import { BrandMark } from './LoginScreen';

/** The gateway's CopilotRuntime endpoint and the agent it exposes (see gateway/src/routes/copilotkit.ts). */
export const RUNTIME_URL = '/api/copilotkit';
export const AGENT_ID = 'stockpulse';

interface Props {
  session: Session;
  onLogout: (reason?: string) => void;
}

const SESSION_EXPIRED = 'Your session expired. Please sign in again.';

/**
 * True when CopilotKit reports that the gateway (or the agent behind it) refused our token.
 * /info failures carry `runtimeInfoStatus`, run failures an `HTTP 401: …` error with `status`.
 */
function isUnauthorized(error: unknown, context: Record<string, unknown> | undefined): boolean {
  if (context?.runtimeStatus === 401) return true;
  if (!error || typeof error !== 'object') return false;
  const e = error as { status?: unknown; runtimeInfoStatus?: unknown; message?: unknown };
  if (e.status === 401 || e.runtimeInfoStatus === 401) return true;
  return typeof e.message === 'string' && /\b(HTTP 401|401 Unauthorized|status 401)\b/i.test(e.message);
}

export function ChatScreen({ session, onLogout }: Props) {
  // Stable identity so CopilotKit does not re-register headers on every render.
  const headers = useMemo(() => ({ Authorization: `Bearer ${session.accessToken}` }), [session.accessToken]);

  // Drop back to the login form when the access token expires.
  useEffect(() => {
    const ms = session.expiresAt - Date.now();
    const t = setTimeout(() => onLogout(SESSION_EXPIRED), Math.max(0, Math.min(ms, 2_147_483_647)));
    return () => clearTimeout(t);
  }, [session.expiresAt, onLogout]);

  const onError = useCallback(
    ({ error, context }: { error: Error; context: Record<string, unknown> }) => {
      if (isUnauthorized(error, context)) onLogout(SESSION_EXPIRED);
    },
    [onLogout],
  );

  return (
    <div className="app-shell">
      <header className="topbar">
        <div className="brand">
          <BrandMark />
          <span>StockPulse</span>
          <span className="badge" title="Orders are simulated unless a live broker is configured">
            Paper trading
          </span>
        </div>
        <div className="topbar-right">
          <span className="user" title={session.user.email}>
            {session.user.displayName || session.user.email}
          </span>
          <button type="button" className="btn btn--ghost" data-testid="logout" onClick={() => onLogout()}>
            Log out
          </button>
        </div>
      </header>
      <main className="chat-main">
        <CopilotKitProvider
          runtimeUrl={RUNTIME_URL}
          headers={headers}
          agentId={AGENT_ID}
          enableInspector={false}
          onError={onError}
        >
          <Chat />
        </CopilotKitProvider>
      </main>
    </div>
  );
}

const SUGGESTIONS = [
  { title: 'Portfolio summary', message: 'How is my portfolio doing today?' },
  { title: 'Quote', message: 'What is the latest price of AAPL?' },
  { title: 'Risk check', message: 'What is my biggest concentration risk?' },
  { title: 'Paper trade', message: 'Buy 10 shares of MSFT at market' },
];

/** Offered while an order preview waits for the person's decision; they send the reply for them. */
const DECIDE = [
  { title: 'Confirm order', message: 'confirm' },
  { title: 'Cancel order', message: 'cancel' },
];

/** The assistant's last structured answer (AG-UI STATE_SNAPSHOT `answer`). */
interface AnswerState {
  answer?: { kind?: string; confirmation?: unknown } | null;
}

function Chat() {
  const { agent } = useAgent({
    agentId: AGENT_ID,
    updates: [UseAgentUpdate.OnStateChanged, UseAgentUpdate.OnRunStatusChanged],
  });
  const answer = (agent.state as AnswerState | undefined)?.answer;
  // An order preview with a confirmation token is waiting: offer Confirm / Cancel next to the input.
  const deciding = !agent.isRunning && answer?.kind === 'order-preview' && Boolean(answer.confirmation);
  useConfigureSuggestions(
    deciding
      ? { suggestions: DECIDE, available: 'always', consumerAgentId: AGENT_ID }
      : { suggestions: SUGGESTIONS, available: 'before-first-message', consumerAgentId: AGENT_ID },
    [deciding],
  );
  return (
    <CopilotChat
      className="chat"
      labels={{
        modalHeaderTitle: 'StockPulse assistant',
        welcomeMessageText: 'Ask about your portfolio, a ticker, or place a paper trade.',
        chatInputPlaceholder: 'Ask StockPulse…',
        chatDisclaimerText: 'Not investment advice. Trades are only placed after you confirm them.',
      }}
    />
  );
}
