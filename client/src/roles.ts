// The roles, each including the ones before: viewer < trader < admin. The client only hides what a
// role cannot do; the server checks every request.
export type Role = 'viewer' | 'trader' | 'admin';
export const ROLES: Role[] = ['viewer', 'trader', 'admin'];

/** Whether `user` may do what needs `needed`. */
export function hasRole(user: { role: string } | null | undefined, needed: Role): boolean {
  if (!user) return false;
  const rank = ROLES.indexOf(user.role as Role);
  return rank >= 0 && rank >= ROLES.indexOf(needed);
}
