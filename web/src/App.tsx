import { useCallback, useState } from 'react';
import { clearSession, loadSession, type Session } from './auth';
import { ChatScreen } from './ChatScreen';
import { LoginScreen } from './LoginScreen';

export function App() {
  const [session, setSession] = useState<Session | null>(() => loadSession());
  const [notice, setNotice] = useState<string | null>(null);

  const logout = useCallback((reason?: string) => {
    clearSession();
    setSession(null);
    setNotice(reason ?? null);
  }, []);

  if (!session) {
    return (
      <LoginScreen
        notice={notice}
        onLoggedIn={(s) => {
          setNotice(null);
          setSession(s);
        }}
      />
    );
  }
  return <ChatScreen session={session} onLogout={logout} />;
}
