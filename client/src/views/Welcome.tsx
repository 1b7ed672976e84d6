// What a person who is not logged in sees instead of a page that needs a login: the setup page while
// no admin exists, the login page otherwise.
import { useQuery } from '@tanstack/react-query';
import { api, ok } from '../api/client';
import { ErrorMessage } from '../components/ErrorMessage';
import { Login } from './Login';
import { Setup } from './Setup';

export function Welcome() {
  const setup = useQuery({ queryKey: ['setup'], queryFn: () => ok(api.GET('/api/auth/setup')) });
  if (setup.isPending) return <p className="muted" role="status">Loading…</p>;
  if (setup.data?.needed) return <><h1>Set up the gateway</h1><Setup /></>;
  return <><h1>Welcome</h1><ErrorMessage error={setup.error} /><Login /></>;
}
