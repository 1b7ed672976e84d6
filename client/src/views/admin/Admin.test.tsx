import { afterEach, describe, expect, it, vi } from 'vitest';
import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { Users } from './Users';
import { RiskLimits } from './Risk';
import { AuditLog } from './Audit';
import { json, mockFetch, renderWithApp, signedIn, USERS, type Call } from '../../test/fakes';

const bodies = (calls: Call[], method: string, path: string) =>
  calls.filter((c) => c.method === method && c.path === path).map((c) => JSON.parse(c.body));

describe('Users', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('creating a trader — POST with the role chosen; the list asked again', async () => {
    let users: object[] = [USERS.admin];
    const calls = mockFetch({ ...signedIn('admin'),
      'GET /api/auth/users': () => json(200, { users }),
      'POST /api/auth/users': () => {
        users = [USERS.admin, USERS.trader];
        return json(201, { user: USERS.trader });
      } });
    renderWithApp(<Users />);
    await userEvent.type(screen.getByLabelText('Username'), 'alice');
    await userEvent.type(screen.getByLabelText('Password'), 'a long trading password');
    await userEvent.selectOptions(screen.getByLabelText('Role'), 'trader');
    await userEvent.click(screen.getByRole('button', { name: 'Create user' }));
    expect(await screen.findByText('Created alice, a trader.')).toBeInTheDocument();
    expect(await screen.findByRole('combobox', { name: 'Role of alice' })).toHaveValue('trader');
    expect(bodies(calls, 'POST', '/api/auth/users')).toEqual([{ username: 'alice', password: 'a long trading password', role: 'trader' }]);
  });

  it('demoting the last admin (409 last_admin) — the server\'s words beside that user; the role shown unchanged', async () => {
    const calls = mockFetch({ ...signedIn('admin'),
      'GET /api/auth/users': () => json(200, { users: [USERS.admin, USERS.trader] }),
      'PATCH /api/auth/users/root': () => json(409, { error: { code: 'last_admin',
        message: 'That would leave no enabled admin: make another user an admin first' } }) });
    renderWithApp(<Users />);
    await userEvent.selectOptions(await screen.findByRole('combobox', { name: 'Role of root' }), 'viewer');
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'Nothing changed for root: That would leave no enabled admin: make another user an admin first');
    expect(screen.getByRole('combobox', { name: 'Role of root' })).toHaveValue('admin');
    expect(bodies(calls, 'PATCH', '/api/auth/users/root')).toEqual([{ role: 'viewer' }]);
  });

  it('disable, new password, unlock, delete — each its own call, delete only once confirmed', async () => {
    const calls = mockFetch({ ...signedIn('admin'),
      'GET /api/auth/users': () => json(200, { users: [USERS.admin, USERS.trader] }),
      'PATCH /api/auth/users/alice': () => json(200, { user: { ...USERS.trader, disabled: true } }),
      'POST /api/auth/users/alice/unlock': () => new Response(null, { status: 204 }),
      'DELETE /api/auth/users/alice': () => new Response(null, { status: 204 }) });
    renderWithApp(<Users />);
    const alice = within((await screen.findByText('alice')).closest('tr')!);
    await userEvent.click(alice.getByRole('button', { name: 'Disable' }));
    expect(await screen.findByText('alice is disabled; their sessions are ended.')).toBeInTheDocument();
    await userEvent.click(alice.getByRole('button', { name: 'New password' }));
    await userEvent.type(screen.getByLabelText('New password for alice'), 'another long password');
    await userEvent.click(screen.getByRole('button', { name: 'Set the password' }));
    expect(await screen.findByText('alice has a new password; their sessions are ended.')).toBeInTheDocument();
    await userEvent.click(alice.getByRole('button', { name: 'Unlock alice' }));
    expect(await screen.findByText(/alice's failed logins are forgotten/)).toBeInTheDocument();
    await userEvent.click(alice.getByRole('button', { name: 'Delete alice' }));
    expect(calls.some((c) => c.method === 'DELETE')).toBe(false);
    await userEvent.click(screen.getByRole('button', { name: 'Delete alice for good' }));
    await vi.waitFor(() => expect(calls.filter((c) => c.method === 'DELETE').map((c) => c.path)).toEqual(['/api/auth/users/alice']));
    expect(bodies(calls, 'PATCH', '/api/auth/users/alice')).toEqual([{ disabled: true }, { password: 'another long password' }]);
  });
});

const NONE = { max_order_notional: null, max_orders_per_min: null, allowed_symbols: null, max_leverage: null, trading_halted: false };

describe('Risk limits', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('in force, ceilings and the admin\'s own, side by side', async () => {
    mockFetch({ ...signedIn('admin'), 'GET /direct-api/binance/risk': () => json(200, {
      in_force: { ...NONE, max_order_notional: '50', max_leverage: 5 }, ceilings: { ...NONE, max_order_notional: '100', max_leverage: 5 },
      admin: { ...NONE, max_order_notional: '50' }, updated_at: 1796555928.74, updated_by: 'user:root' }) });
    renderWithApp(<RiskLimits />);
    const notional = await screen.findByRole('row', { name: /largest order value/ });
    expect([...notional.querySelectorAll('td')].map((td) => td.textContent)).toEqual(['50 USDT', '100 USDT', '50 USDT']);
    expect([...screen.getByRole('row', { name: /highest leverage/ }).querySelectorAll('td')].map((td) => td.textContent))
      .toEqual(['5x', '5x', 'no limit']);
    expect(screen.getByText(/Last changed by root at 2026-12-06T11:18:48Z/)).toBeInTheDocument();
    expect(screen.getByLabelText('Largest order value (USDT)')).toHaveValue('50');
  });

  it('a limit looser than the settings (400 looser_than_ceiling) — which one, and the ceiling, in words', async () => {
    const calls = mockFetch({ ...signedIn('admin'),
      'GET /direct-api/binance/risk': () => json(200, { in_force: { ...NONE, max_leverage: 5 }, ceilings: { ...NONE, max_leverage: 5 },
        admin: null }),
      'PUT /direct-api/binance/risk': () => json(400, { error: { code: 'looser_than_ceiling',
        message: 'the settings allow no more than this for max_leverage; an admin may only tighten them',
        limits: ['max_leverage'], ceilings: { ...NONE, max_leverage: 5 } } }) });
    renderWithApp(<RiskLimits />);
    await userEvent.type(await screen.findByLabelText('Highest leverage'), '20');
    await userEvent.type(screen.getByLabelText('Allowed symbols (comma-separated)'), 'btcusdt, ethusdt');
    await userEvent.click(screen.getByRole('button', { name: 'Save the limits' }));
    expect(await screen.findByRole('alert')).toHaveTextContent(
      "Not saved: Looser than the gateway's settings allow: highest leverage at most 5x. An admin may only tighten the limits.");
    expect(bodies(calls, 'PUT', '/direct-api/binance/risk')).toEqual([{ ...NONE, max_leverage: 20,
      allowed_symbols: ['BTCUSDT', 'ETHUSDT'] }]);
  });

  it('a number that is not whole — said before anything is sent', async () => {
    const calls = mockFetch({ ...signedIn('admin'),
      'GET /direct-api/binance/risk': () => json(200, { in_force: NONE, ceilings: NONE, admin: null }) });
    renderWithApp(<RiskLimits />);
    await userEvent.type(await screen.findByLabelText('Orders per minute'), 'ten');
    await userEvent.click(screen.getByRole('button', { name: 'Save the limits' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('Orders per minute must be a whole number');
    expect(calls.some((c) => c.method === 'PUT')).toBe(false);
  });

  it('Halt trading — the admin\'s own limits kept, trading_halted set; then Resume', async () => {
    let kept = { ...NONE, max_order_notional: '50' };
    const calls = mockFetch({ ...signedIn('admin'),
      'GET /direct-api/binance/risk': () => json(200, { in_force: kept, ceilings: NONE, admin: kept }),
      'PUT /direct-api/binance/risk': async (request) => {
        kept = await request.json();
        return json(200, { in_force: kept, ceilings: NONE, admin: kept, updated_at: Date.now() / 1000, updated_by: 'user:root' });
      } });
    renderWithApp(<RiskLimits />);
    await userEvent.click(await screen.findByRole('button', { name: 'Halt trading' }));
    expect(await screen.findByTestId('trading-state')).toHaveTextContent('Halted');
    await userEvent.click(screen.getByRole('button', { name: 'Resume trading' }));
    await vi.waitFor(() => expect(screen.getByTestId('trading-state')).toHaveTextContent('Running'));
    expect(bodies(calls, 'PUT', '/direct-api/binance/risk')).toEqual([
      { ...NONE, max_order_notional: '50', trading_halted: true }, { ...NONE, max_order_notional: '50', trading_halted: false }]);
  });
});

describe('Audit log', () => {
  afterEach(() => vi.unstubAllGlobals());

  const entry = (id: number, action: string, extra: object = {}) => ({ id, at: 1796555928 + id, actor: 'user:alice', action,
    market: 'spot', symbol: 'BTCUSDT', decision: 'allowed', outcome: null, attempt_id: null, detail: {}, source: 'python_service',
    ...extra });

  it('a page of entries, newest first; Older asks with next_before, Newer goes back', async () => {
    const calls = mockFetch({ ...signedIn('admin'), 'GET /direct-api/binance/audit': (request) => {
      const before = new URL(request.url).searchParams.get('before');
      return before === '5.5'
        ? json(200, { entries: [entry(4, 'risk.set', { market: null, symbol: null })], count: 1, next_before: null, errors: {} })
        : json(200, { entries: [entry(6, 'order.place', { decision: 'refused: max_order_notional' })], count: 1,
          next_before: '5.5', errors: {} });
    } });
    renderWithApp(<AuditLog />);
    const first = await screen.findByRole('row', { name: /order\.place/ });
    expect([...first.querySelectorAll('td')].slice(0, 7).map((td) => td.textContent)).toEqual(
      ['2026-12-06T11:18:54Z', 'user:alice', 'order.place', 'spot', 'BTCUSDT', 'refused: max_order_notional', '']);
    await userEvent.click(screen.getByRole('button', { name: 'Older' }));
    expect(await screen.findByRole('row', { name: /risk\.set/ })).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Older' })).toBeDisabled();
    await userEvent.click(screen.getByRole('button', { name: 'Newer' }));
    expect(await screen.findByRole('row', { name: /order\.place/ })).toBeInTheDocument();
    expect(calls.filter((c) => c.path === '/direct-api/binance/audit').map((c) => c.url.searchParams.get('before')))
      .toEqual([null, '5.5', null]); // back to the newest: asked again, for what was recorded meanwhile
  });
});
