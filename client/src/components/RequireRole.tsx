// A page's gate in the client: the login page for a person not logged in, a plain word for a role
// too low. It only hides; express_api checks every request's role itself.
import type { ReactNode } from 'react';
import { useAuth } from '../auth';
import type { Role } from '../roles';
import { Welcome } from '../views/Welcome';

export function RequireRole({ role, children }: { role: Role; children: ReactNode }) {
  const { status, user, can } = useAuth();
  if (status === 'unknown' || status === 'restoring') return <p className="muted" role="status">Checking your session…</p>;
  if (!user) return <Welcome />;
  if (!can(role)) {
    return <><h1>Not for your role</h1><p>This page needs the {role} role; you are a {user.role}.</p></>;
  }
  return <>{children}</>;
}
