import { afterEach, describe, expect, it, vi } from 'vitest';
import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { App } from './App';
import { json, mockFetch, renderWithApp, sessionAnswer, signedIn, USERS, type Handler, type RoleName } from './test/fakes';

const quiet: Record<string, Handler> = {
  '/api/status': () => json(200, { service: 'binance-gateway', version: '0', uptime_s: 1, upstream: { state: 'ok' },
    markets: { spot: { state: 'ok' }, futures: { state: 'ok' } }, cache: {}, weight: {} }),
  '/direct-api/binance/open-orders': () => json(200, { orders: [], count: 0 }),
  '/direct-api/binance/orders': () => json(200, { orders: [], count: 0 }),
  '/direct-api/binance/risk': () => json(200, { in_force: LIMITS, ceilings: LIMITS, admin: null }),
  '/direct-api/binance/portfolio': () => json(503, { error: { code: 'keys_not_configured', message: 'No keys' } }),
  '/direct-api/binance/demo-balance': () => json(200, { assets: [], total_usdt: '0', source: 'live',
    as_of: '2026-12-06T11:18:48Z', prices_are_current: true, note: null }),
  '/api/auth/users': () => json(200, { users: Object.values(USERS) }),
};
const LIMITS = { max_order_notional: '100', max_orders_per_min: null, allowed_symbols: null, max_leverage: null,
  trading_halted: false };

function open(path: string, role: RoleName | null, routes: Record<string, Handler> = {}) {
  const calls = mockFetch({ ...quiet, ...(role ? signedIn(role) : {}), ...routes });
  renderWithApp(<App />, path);
  return calls;
}
const nav = () => within(screen.getByRole('navigation', { name: 'Main' }));

describe('what each role is shown', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('a viewer on Trade — the orders and the limits, no order form; no admin links', async () => {
    open('/trade', 'viewer');
    expect(await screen.findByTestId('no-trading')).toHaveTextContent('You are a viewer');
    expect(screen.queryByRole('heading', { name: 'Place an order' })).not.toBeInTheDocument();
    expect(screen.getByRole('heading', { name: 'Open orders of the account' })).toBeInTheDocument();
    expect(await screen.findByTestId('limits-in-force')).toHaveTextContent('largest order value 100 USDT');
    expect(nav().queryByRole('link', { name: 'Users' })).not.toBeInTheDocument();
    expect(screen.getByTestId('role')).toHaveTextContent('viewer');
  });

  it('a trader on Trade — the order form; an admin page answers "not for your role"', async () => {
    open('/trade', 'trader');
    expect(await screen.findByRole('heading', { name: 'Place an order' })).toBeInTheDocument();
    expect(nav().queryByRole('link', { name: 'Risk limits' })).not.toBeInTheDocument();
  });

  it('a trader who opens an admin page by its address — told it needs the admin role, and nothing is asked', async () => {
    const calls = open('/admin/users', 'trader');
    expect(await screen.findByText('This page needs the admin role; you are a trader.')).toBeInTheDocument();
    expect(calls.some((c) => c.path === '/api/auth/users')).toBe(false);
  });

  it('an admin — the admin links, and the users page', async () => {
    open('/admin/users', 'admin');
    expect(await screen.findByRole('combobox', { name: 'Role of alice' })).toHaveValue('trader');
    expect(nav().getByRole('link', { name: 'Risk limits' })).toBeInTheDocument();
    expect(nav().getByRole('link', { name: 'Audit log' })).toBeInTheDocument();
  });

  it('nobody logged in, a page that needs a login — the login page in its place; no account links', async () => {
    open('/trade', null, { '/api/auth/setup': () => json(200, { needed: false }) });
    expect(await screen.findByRole('heading', { name: 'Log in' })).toBeInTheDocument();
    expect(nav().queryByRole('link', { name: 'Trade' })).not.toBeInTheDocument();
    expect(nav().getByRole('link', { name: 'Markets' })).toBeInTheDocument();
  });

  it('logging in from there — the page asked for, with what the role allows', async () => {
    open('/trade', null, { '/api/auth/setup': () => json(200, { needed: false }),
      'POST /api/auth/login': () => json(200, sessionAnswer(USERS.viewer, 'token-v')) });
    await userEvent.type(await screen.findByLabelText('Username'), 'vic');
    await userEvent.type(screen.getByLabelText('Password'), 'vic the viewer 1{Enter}');
    expect(await screen.findByTestId('no-trading')).toBeInTheDocument();
  });
});

describe('the first page', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('no admin yet — the setup page; the code, username and password make the first admin, logged in', async () => {
    let needed = true;
    const calls = open('/', null, {
      '/api/auth/setup': () => json(200, { needed }),
      'POST /api/auth/setup': () => {
        needed = false;
        return json(201, sessionAnswer(USERS.admin, 'token-admin'));
      },
    });
    expect(await screen.findByRole('heading', { name: 'Create the first admin' })).toBeInTheDocument();
    await userEvent.type(screen.getByLabelText('Setup code'), 'z3fb-pq5p-mw4j');
    await userEvent.type(screen.getByLabelText('Admin username'), 'root');
    await userEvent.type(screen.getByLabelText('Admin password'), 'a long admin password');
    await userEvent.click(screen.getByRole('button', { name: 'Create the admin' }));

    expect(await screen.findByTestId('who')).toHaveTextContent('root');
    expect(nav().getByRole('link', { name: 'Users' })).toBeInTheDocument();
    const setUp = calls.find((c) => c.method === 'POST' && c.path === '/api/auth/setup');
    expect(JSON.parse(setUp!.body)).toEqual({ code: 'z3fb-pq5p-mw4j', username: 'root', password: 'a long admin password' });
    expect(await screen.findByTestId('demo-note')).toBeInTheDocument(); // the home page: no keys here, so the demo
  });

  it('a wrong or used code (403 invalid_setup_code) — the server\'s words; still the setup page', async () => {
    open('/', null, {
      '/api/auth/setup': () => json(200, { needed: true }),
      'POST /api/auth/setup': () => json(403, { error: { code: 'invalid_setup_code',
        message: "Wrong, used or expired setup code (the current one is in express_api's log; a restart logs a new one)" } }),
    });
    await userEvent.type(await screen.findByLabelText('Setup code'), 'nope');
    await userEvent.type(screen.getByLabelText('Admin username'), 'root');
    await userEvent.type(screen.getByLabelText('Admin password'), 'a long admin password{Enter}');
    expect(await screen.findByRole('alert')).toHaveTextContent('Wrong, used or expired setup code');
    expect(screen.getByRole('heading', { name: 'Create the first admin' })).toBeInTheDocument();
  });

  it('an admin exists — the login page, with no setup form', async () => {
    open('/', null, { '/api/auth/setup': () => json(200, { needed: false }) });
    expect(await screen.findByRole('heading', { name: 'Log in' })).toBeInTheDocument();
    expect(screen.queryByLabelText('Setup code')).not.toBeInTheDocument();
  });
});
