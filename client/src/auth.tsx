// Who is logged in. The token is kept in memory only: never in localStorage or a cookie the
// page can read, so a script injected into the page cannot carry it off later, and a reload
// logs the user out (the documented trade-off). It is dropped when it expires.
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { api, ok, setToken } from './api/client';

type User = { id: number; username: string };
type Session = { token: string; user: User; expiresAt: number };
type Credentials = { username: string; password: string };
type Auth = {
  user: User | null;
  login: (credentials: Credentials) => Promise<void>;
  register: (credentials: Credentials) => Promise<void>;
  logout: () => void;
};

const AuthContext = createContext<Auth | null>(null);

export function AuthProvider({ children }: { children: ReactNode }) {
  const [session, setSession] = useState<Session | null>(null);

  const logout = useCallback(() => {
    setToken(null);
    setSession(null);
  }, []);

  const login = useCallback(async (body: Credentials) => {
    const answer = await ok(api.POST('/api/auth/login', { body }));
    const user = answer.user as User; // the document types it as an object
    setToken(answer.token);
    setSession({ token: answer.token, user, expiresAt: Date.parse(answer.expires_at) });
  }, []);

  const register = useCallback(async (body: Credentials) => {
    await ok(api.POST('/api/auth/register', { body }));
    await login(body);
  }, [login]);

  useEffect(() => {
    if (!session) return undefined;
    const timer = setTimeout(logout, Math.max(0, session.expiresAt - Date.now()));
    return () => clearTimeout(timer);
  }, [session, logout]);

  const value = useMemo(() => ({ user: session?.user ?? null, login, register, logout }), [session, login, register, logout]);
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): Auth {
  const auth = useContext(AuthContext);
  if (!auth) throw new Error('useAuth outside AuthProvider');
  return auth;
}
