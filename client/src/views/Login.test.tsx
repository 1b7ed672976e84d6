import { afterEach, describe, expect, it, vi } from 'vitest';
import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { Login } from './Login';
import { ConnectionTest } from './ConnectionTest';
import { useAuth } from '../auth';
import { json, mockFetch, renderWithApp } from '../test/fakes';

function Who() {
  const { user } = useAuth();
  return <p>{user ? `in as ${user.username}` : 'out'}</p>;
}

const TOKEN = 'eyJhbGciOiJIUzI1NiJ9.e30.sig';

describe('logging in', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    localStorage.clear();
  });

  it('wrong password — the server\'s message shown; still logged out', async () => {
    mockFetch({ 'POST /api/auth/login': () => json(401, { error: { code: 'invalid_credentials', message: 'Unknown username or wrong password' } }) });
    renderWithApp(<><Login /><Who /></>);
    await userEvent.type(screen.getByLabelText('Username'), 'alice');
    await userEvent.type(screen.getByLabelText('Password'), 'wrong password{Enter}');
    expect(await screen.findByRole('alert')).toHaveTextContent('Unknown username or wrong password');
    expect(screen.getByText('out')).toBeInTheDocument();
  });

  it('logged in — the token is sent as Bearer and kept in memory only, never in storage', async () => {
    const calls = mockFetch({
      'POST /api/auth/login': () => json(200, { token: TOKEN, token_type: 'Bearer', expires_in: 3600,
        expires_at: new Date(Date.now() + 3_600_000).toISOString(), user: { id: 1, username: 'alice', role: 'trader' } }),
      '/direct-api/binance/connection-test': () => json(200, { ok: false, reachable: true, restricted: true,
        authenticated: true, keys_configured: true, latency_ms: null, permissions: ['SPOT'],
        error: 'Binance refuses this location (HTTP 451)' }),
    });
    renderWithApp(<><Login /><Who /><ConnectionTest /></>);
    await userEvent.type(screen.getByLabelText('Username'), 'alice');
    await userEvent.type(screen.getByLabelText('Password'), 'correct horse battery');
    await userEvent.click(screen.getByRole('button', { name: 'Log in' }));
    await waitFor(() => expect(screen.getByText('in as alice')).toBeInTheDocument());

    await userEvent.click(screen.getByRole('button', { name: 'Test the connection' }));
    expect(await screen.findByText('not working')).toBeInTheDocument();
    expect(screen.getByRole('alert')).toHaveTextContent('HTTP 451');
    const test = calls.find((call) => call.path === '/direct-api/binance/connection-test');
    expect(test?.headers.get('authorization')).toBe(`Bearer ${TOKEN}`);
    const stored = [...Object.values(localStorage), ...Object.values(sessionStorage), document.cookie].join(' ');
    expect(stored).not.toContain(TOKEN);
  });

  it('the server refuses the token later (401) and the refresh too — logged out, told to log in again, nothing of the session kept', async () => {
    mockFetch({
      'POST /api/auth/login': () => json(200, { token: TOKEN, token_type: 'Bearer', expires_in: 3600,
        expires_at: new Date(Date.now() + 3_600_000).toISOString(), user: { id: 1, username: 'alice', role: 'trader' } }),
      'POST /api/auth/refresh': () => json(401, { error: { code: 'invalid_refresh', message: 'The session has ended' } }),
      '/direct-api/binance/connection-test': () => json(401, { error: { code: 'unauthorized', message: 'A valid Bearer token is required' } }),
    });
    const { queries } = renderWithApp(<><Login /><Who /><ConnectionTest /></>);
    await userEvent.type(screen.getByLabelText('Username'), 'alice');
    await userEvent.type(screen.getByLabelText('Password'), 'correct horse battery{Enter}');
    await waitFor(() => expect(screen.getByText('in as alice')).toBeInTheDocument());
    queries.setQueryData(['orders', 'open'], { orders: [{ clientOrderId: 'mine' }], count: 1 });

    await userEvent.click(screen.getByRole('button', { name: 'Test the connection' }));

    expect(await screen.findByText('out')).toBeInTheDocument();
    expect(screen.getByText('Your session has ended: log in again.')).toBeInTheDocument();
    expect(queries.getQueryData(['orders', 'open'])).toBeUndefined();
  });
});

describe('registering', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('registration closed (403 registration_closed) — said in words, and Register is offered no more', async () => {
    mockFetch({ 'POST /api/auth/register': () => json(403, { error: { code: 'registration_closed',
      message: 'Registration is closed: an admin creates accounts' } }) });
    renderWithApp(<Login />);
    await userEvent.type(screen.getByLabelText('Username'), 'alice');
    await userEvent.type(screen.getByLabelText('Password'), 'correct horse battery');
    await userEvent.click(screen.getByRole('button', { name: 'Register as a viewer' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('Registration is closed: an admin creates accounts');
    expect(screen.getByText('An admin creates the accounts here: ask one for yours.')).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: /Register/ })).not.toBeInTheDocument();
  });

  it('registration open — a viewer made, then logged in', async () => {
    const calls = mockFetch({
      'POST /api/auth/register': () => json(201, { user: { id: 4, username: 'alice', role: 'viewer' } }),
      'POST /api/auth/login': () => json(200, { token: TOKEN, token_type: 'Bearer', expires_in: 900,
        expires_at: new Date(Date.now() + 900_000).toISOString(), user: { id: 4, username: 'alice', role: 'viewer' } }),
    });
    renderWithApp(<><Login /><Who /></>);
    await userEvent.type(screen.getByLabelText('Username'), 'alice');
    await userEvent.type(screen.getByLabelText('Password'), 'correct horse battery');
    await userEvent.click(screen.getByRole('button', { name: 'Register as a viewer' }));
    expect(await screen.findByText('in as alice')).toBeInTheDocument();
    expect(calls.filter((c) => c.method === 'POST').map((c) => c.path)).toEqual(
      ['/api/auth/refresh', '/api/auth/register', '/api/auth/login']);
  });
});
