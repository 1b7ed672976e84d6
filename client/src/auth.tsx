// Who is logged in, for the views: the session (api/session.ts) as React state, and the ways in
// and out. The token itself never reaches React: it stays in the session's memory.
import { createContext, useCallback, useContext, useEffect, useMemo, useSyncExternalStore, type ReactNode } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { api, ok, session } from './api/client';
import type { Notice, SessionState, User } from './api/session';
import { hasRole, type Role } from './roles';

type Credentials = { username: string; password: string };
type Auth = {
  status: SessionState['status'];
  user: User | null;
  notice: Notice; // why the person was logged out without asking
  can: (role: Role) => boolean;
  login: (credentials: Credentials) => Promise<void>;
  setUp: (first: Credentials & { code: string }) => Promise<void>;
  register: (credentials: Credentials) => Promise<void>;
  logout: () => Promise<void>;
};

const AuthContext = createContext<Auth | null>(null);

export function AuthProvider({ children }: { children: ReactNode }) {
  const queries = useQueryClient();
  const state = useSyncExternalStore(session.subscribe, session.snapshot);
  // Whatever was fetched with a session is forgotten when it ends: the next user sees none of it.
  useEffect(() => session.onEnd(() => queries.clear()), [queries]);
  // One refresh on load; StrictMode's second run of this effect joins the first (session.restore).
  useEffect(() => {
    void session.restore();
  }, []);

  const login = useCallback(async (body: Credentials) => {
    session.begin(await ok(api.POST('/api/auth/login', { body })));
  }, []);
  const setUp = useCallback(async (body: Credentials & { code: string }) => {
    session.begin(await ok(api.POST('/api/auth/setup', { body })));
    await queries.invalidateQueries({ queryKey: ['setup'] });
  }, [queries]);
  const register = useCallback(async (body: Credentials) => {
    await ok(api.POST('/api/auth/register', { body }));
    await login(body);
  }, [login]);
  const logout = useCallback(() => session.logout(), []);

  const value = useMemo((): Auth => {
    const user = state.status === 'in' ? state.user : null;
    return { status: state.status, user, notice: state.status === 'out' ? state.notice : null,
      can: (role) => hasRole(user, role), login, setUp, register, logout };
  }, [state, login, setUp, register, logout]);
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): Auth {
  const auth = useContext(AuthContext);
  if (!auth) throw new Error('useAuth outside AuthProvider');
  return auth;
}
