// Who is logged in. The token is kept in memory only: never in localStorage or a cookie the
// page can read, so a script injected into the page cannot carry it off later, and a reload
// logs the user out (the documented trade-off). It is dropped when it expires.
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { api, ok, setToken } from './api/client';

type User = { id: number; username: string };
type Session = { user: User; expiresAt: number };
const MAX_TIMER_MS = 2 ** 31 - 1; // setTimeout fires at once past this
type Credentials = { username: string; password: string };
type Auth = {
  user: User | null;
  ended: boolean; // the server stopped accepting the token before its expiry
  login: (credentials: Credentials) => Promise<void>;
  register: (credentials: Credentials) => Promise<void>;
  logout: () => void;
};

const AuthContext = createContext<Auth | null>(null);

export function AuthProvider({ children }: { children: ReactNode }) {
  const queries = useQueryClient();
  const [session, setSession] = useState<Session | null>(null);
  const [ended, setEnded] = useState(false);

  // Logging out forgets every answer fetched with the token: the next user sees none of them.
  const logout = useCallback(() => {
    setToken(null);
    setSession(null);
    queries.clear();
  }, [queries]);

  const login = useCallback(async (body: Credentials) => {
    const answer = await ok(api.POST('/api/auth/login', { body }));
    const user = answer.user as User; // the document types it as an object
    const expiresAt = Date.parse(answer.expires_at);
    setToken(answer.token, () => {
      logout();
      setEnded(true);
    });
    setEnded(false);
    setSession({ user, expiresAt: Number.isNaN(expiresAt) ? Date.now() + answer.expires_in * 1000 : expiresAt });
  }, [logout]);

  const register = useCallback(async (body: Credentials) => {
    await ok(api.POST('/api/auth/register', { body }));
    await login(body);
  }, [login]);

  useEffect(() => {
    if (!session) return undefined;
    const timer = setTimeout(logout, Math.min(MAX_TIMER_MS, Math.max(0, session.expiresAt - Date.now())));
    return () => clearTimeout(timer);
  }, [session, logout]);

  const value = useMemo(() => ({ user: session?.user ?? null, ended, login, register, logout }),
    [session, ended, login, register, logout]);
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): Auth {
  const auth = useContext(AuthContext);
  if (!auth) throw new Error('useAuth outside AuthProvider');
  return auth;
}
