import { StrictMode } from 'react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { createSession, renewBeforeMs } from './session';
import { AuthProvider, useAuth } from '../auth';
import { Login } from '../views/Login';
import { json, mockFetch, renderWithApp, sessionAnswer, signedIn, USERS, type Call } from '../test/fakes';

const BASE = 'http://localhost';
const UNAUTHORIZED = { error: { code: 'unauthorized', message: 'A valid Bearer token is required' } };
const REUSED = { error: { code: 'refresh_token_reused', message: 'This refresh cookie was already used' } };
const portfolio = (token: string) => (request: Request) =>
  (request.headers.get('authorization') === `Bearer ${token}` ? json(200, { total_usdt: '1' }) : json(401, UNAUTHORIZED));
const get = (path: string) => new Request(BASE + path);
const bearers = (calls: Call[], path: string) => calls.filter((c) => c.path === path).map((c) => c.headers.get('authorization'));
const refreshes = (calls: Call[]) => calls.filter((c) => c.path === '/api/auth/refresh');

/** A promise the test resolves when it wants: an answer held back until then. */
function gate() {
  let open: () => void = () => {};
  const closed = new Promise<void>((resolve) => { open = resolve; });
  return { closed, open };
}

function Who() {
  const { user, status, notice } = useAuth();
  return <p data-testid="who">{user ? `in as ${user.username} (${user.role})` : `${status} ${notice ?? ''}`.trim()}</p>;
}

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

describe('a reload: the session comes back from the refresh cookie', () => {
  it('under StrictMode (every effect run twice) — one POST /api/auth/refresh, with X-Requested-With and the cookie; logged in', async () => {
    const calls = mockFetch(signedIn('trader'));
    render(
      <StrictMode>
        <QueryClientProvider client={new QueryClient()}><AuthProvider><Who /></AuthProvider></QueryClientProvider>
      </StrictMode>,
    );
    expect(await screen.findByText('in as alice (trader)')).toBeInTheDocument();
    expect(refreshes(calls)).toHaveLength(1);
    const [refresh] = refreshes(calls);
    expect(refresh!.method).toBe('POST');
    expect(refresh!.headers.get('x-requested-with')).toBeTruthy();
    expect(refresh!.credentials).toBe('same-origin');
  });

  it('no refresh cookie (401 refresh_cookie_missing) — logged out, with no "session ended" notice', async () => {
    mockFetch({ 'POST /api/auth/refresh': () => json(401, { error: { code: 'refresh_cookie_missing', message: 'No refresh cookie: log in' } }) });
    renderWithApp(<Who />);
    expect(await screen.findByText('out')).toBeInTheDocument();
  });

  it('the server cannot be reached — logged out, saying it could not tell', async () => {
    vi.stubGlobal('fetch', () => Promise.reject(new TypeError('Failed to fetch')));
    renderWithApp(<><Who /><Login /></>);
    expect(await screen.findByText('out unreachable')).toBeInTheDocument();
    expect(screen.getByRole('status')).toHaveTextContent('could not be asked whether you are still logged in');
  });
});

describe('a 401 from an API call: one refresh, then the call once more', () => {
  it('three calls refused at once — one refresh for all (never two with one cookie), each sent again with the new token', async () => {
    const session = createSession(BASE);
    const held = gate();
    let refused = 0;
    const calls = mockFetch({
      'POST /api/auth/refresh': async () => {
        await held.closed;
        return json(200, sessionAnswer(USERS.trader, 'token-2'));
      },
      '/direct-api/binance/portfolio': (request) => {
        if (request.headers.get('authorization') !== 'Bearer token-2') refused += 1;
        return portfolio('token-2')(request);
      },
    });
    session.begin(sessionAnswer(USERS.trader, 'token-1'));

    const answers = Promise.all([1, 2, 3].map(() => session.send(get('/direct-api/binance/portfolio'))));
    await vi.waitFor(() => expect(refused).toBe(3));
    held.open();

    expect((await answers).map((answer) => answer.status)).toEqual([200, 200, 200]);
    expect(refreshes(calls)).toHaveLength(1);
    expect(bearers(calls, '/direct-api/binance/portfolio')).toEqual(
      ['Bearer token-1', 'Bearer token-1', 'Bearer token-1', 'Bearer token-2', 'Bearer token-2', 'Bearer token-2']);
  });

  it('a placement refused with 401 — sent again once, body and all (nothing was placed: the 401 comes first)', async () => {
    const session = createSession(BASE);
    const calls = mockFetch({ ...signedIn('trader'),
      'POST /direct-api/binance/orders': (request) => (request.headers.get('authorization') === 'Bearer token-trader-1'
        ? json(201, { outcome: 'placed', clientOrderId: 'a1', binanceClientOrderId: 'u2-a1' }) : json(401, UNAUTHORIZED)) });
    session.begin(sessionAnswer(USERS.trader, 'old-token'));
    const body = JSON.stringify({ symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '0.001', clientOrderId: 'a1' });
    const answer = await session.send(new Request(`${BASE}/direct-api/binance/orders`,
      { method: 'POST', body, headers: { 'content-type': 'application/json' } }));
    expect(answer.status).toBe(201);
    expect(calls.filter((c) => c.path === '/direct-api/binance/orders').map((c) => c.body)).toEqual([body, body]);
  });

  it('refused again with the new token — not sent a third time; logged out, told the session ended', async () => {
    const session = createSession(BASE);
    const ended = vi.fn();
    session.onEnd(ended);
    const calls = mockFetch({ ...signedIn('trader'), '/direct-api/binance/portfolio': () => json(401, UNAUTHORIZED) });
    session.begin(sessionAnswer(USERS.trader, 'token-0'));
    const answer = await session.send(get('/direct-api/binance/portfolio'));
    expect(answer.status).toBe(401);
    expect(bearers(calls, '/direct-api/binance/portfolio')).toEqual(['Bearer token-0', 'Bearer token-trader-1']);
    expect(session.snapshot()).toEqual({ status: 'out', notice: 'ended' });
    expect(ended).toHaveBeenCalledTimes(1);
  });

  it('the refresh refused (401 refresh_token_reused: a copy of the cookie was used) — logged out, the call not sent again', async () => {
    const session = createSession(BASE);
    const calls = mockFetch({ 'POST /api/auth/refresh': () => json(401, REUSED),
      '/direct-api/binance/portfolio': () => json(401, UNAUTHORIZED) });
    session.begin(sessionAnswer(USERS.trader, 'token-1'));
    expect((await session.send(get('/direct-api/binance/portfolio'))).status).toBe(401);
    expect(bearers(calls, '/direct-api/binance/portfolio')).toEqual(['Bearer token-1']);
    expect(session.snapshot()).toEqual({ status: 'out', notice: 'ended' });
    await session.send(get('/api/status'));
    expect(calls[calls.length - 1]!.headers.has('authorization')).toBe(false); // the token is gone
  });

  it('a 401 from the login itself — the answer, no refresh asked', async () => {
    const session = createSession(BASE);
    const calls = mockFetch({ 'POST /api/auth/login': () => json(401, { error: { code: 'invalid_credentials', message: 'no' } }) });
    session.begin(sessionAnswer(USERS.trader, 'token-1'));
    const answer = await session.send(new Request(`${BASE}/api/auth/login`, { method: 'POST', body: '{}' }));
    expect(answer.status).toBe(401);
    expect(refreshes(calls)).toHaveLength(0);
    expect(calls[0]!.headers.has('authorization')).toBe(false);
  });
});

describe('tabs of one browser', () => {
  it('two tabs refreshing at once — they take turns under one Web Lock, so each sends the cookie the other left', async () => {
    const names: string[] = [];
    let queue: Promise<unknown> = Promise.resolve();
    const locks = { request: (name: string, work: () => Promise<unknown>) => {
      names.push(name);
      const turn = queue.then(work);
      queue = turn.catch(() => undefined);
      return turn;
    } };
    vi.stubGlobal('navigator', { locks });
    let asking = 0;
    let most = 0;
    mockFetch({ 'POST /api/auth/refresh': async () => {
      most = Math.max(most, ++asking);
      await new Promise((resolve) => setTimeout(resolve, 10));
      asking -= 1;
      return json(200, sessionAnswer(USERS.trader, 'token'));
    } });
    const tabs = [createSession(BASE), createSession(BASE)];
    expect(await Promise.all(tabs.map((tab) => tab.restore()))).toEqual([true, true]);
    expect(most).toBe(1);
    expect(names).toEqual(['binance-gateway:refresh', 'binance-gateway:refresh']);
  });
});

describe('renewal before expiry', () => {
  beforeEach(() => vi.useFakeTimers());

  it('renewBeforeMs — a minute before, or a quarter of a short lifetime', () => {
    expect([900_000, 120_000, 20_000].map(renewBeforeMs)).toEqual([60_000, 30_000, 5_000]);
  });

  it('a 900 s token — renewed once at 840 s; calls then carry the new token', async () => {
    const session = createSession(BASE);
    const calls = mockFetch({ ...signedIn('trader'), '/direct-api/binance/portfolio': portfolio('token-trader-1') });
    session.begin(sessionAnswer(USERS.trader, 'token-0', 900));
    await vi.advanceTimersByTimeAsync(839_000);
    expect(refreshes(calls)).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(2_000);
    expect(refreshes(calls)).toHaveLength(1);
    expect((await session.send(get('/direct-api/binance/portfolio'))).status).toBe(200);
    await vi.advanceTimersByTimeAsync(839_000); // the next one, 840 s after the renewal
    expect(refreshes(calls)).toHaveLength(2);
  });

  it('the renewal gets no answer — tried again every 5 s while the token lasts, then logged out', async () => {
    const session = createSession(BASE);
    let asked = 0;
    vi.stubGlobal('fetch', () => {
      asked += 1;
      return Promise.reject(new TypeError('Failed to fetch'));
    });
    session.begin(sessionAnswer(USERS.trader, 'token-0', 900));
    await vi.advanceTimersByTimeAsync(840_000);
    expect([asked, session.snapshot().status]).toEqual([1, 'in']);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(asked).toBe(13);
    expect(session.snapshot()).toEqual({ status: 'out', notice: 'ended' });
  });
});

describe('logging out', () => {
  it('logged out at once; the logout waits for a refresh on its way (its cookie is the one in force) and that refresh\'s answer is dropped', async () => {
    const session = createSession(BASE);
    const held = gate();
    const calls = mockFetch({
      'POST /api/auth/refresh': async () => {
        await held.closed;
        return json(200, sessionAnswer(USERS.trader, 'token-2'));
      },
      'POST /api/auth/logout': () => new Response(null, { status: 204 }),
    });
    const ended = vi.fn();
    session.onEnd(ended);
    session.begin(sessionAnswer(USERS.trader, 'token-1'));
    void session.refresh();
    const out = session.logout();
    expect(session.snapshot()).toEqual({ status: 'out', notice: null });
    expect(ended).toHaveBeenCalledTimes(1);
    await vi.waitFor(() => expect(calls.map((c) => c.path)).toEqual(['/api/auth/refresh']));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(calls.map((c) => c.path)).toEqual(['/api/auth/refresh']); // the logout waits
    held.open();
    await out;
    expect(calls.map((c) => c.path)).toEqual(['/api/auth/refresh', '/api/auth/logout']);
    expect(calls[1]!.credentials).toBe('same-origin');
    expect(session.snapshot()).toEqual({ status: 'out', notice: null }); // not logged in again by the late answer
  });

  it('in the app — every cached answer forgotten', async () => {
    mockFetch({ ...signedIn('trader'), 'POST /api/auth/logout': () => new Response(null, { status: 204 }) });
    function LogOut() {
      const { logout } = useAuth();
      return <button type="button" onClick={() => void logout()}>Log out</button>;
    }
    const { queries } = renderWithApp(<><Who /><LogOut /></>);
    await screen.findByText('in as alice (trader)');
    queries.setQueryData(['portfolio'], { total_usdt: '24634.9174' });
    await userEvent.click(screen.getByRole('button', { name: 'Log out' }));
    expect(await screen.findByText('out')).toBeInTheDocument();
    expect(queries.getQueryData(['portfolio'])).toBeUndefined();
  });
});

describe('where the token is kept', () => {
  it('after a login, a reload\'s refresh and API calls — in no storage: localStorage, sessionStorage, cookies, IndexedDB', async () => {
    const written = vi.spyOn(Storage.prototype, 'setItem');
    const opened = globalThis.indexedDB ? vi.spyOn(globalThis.indexedDB, 'open') : null;
    const calls = mockFetch({
      'POST /api/auth/login': () => json(200, sessionAnswer(USERS.trader, 'token-from-login')),
      'POST /api/auth/refresh': () => json(200, sessionAnswer(USERS.trader, 'token-from-refresh')),
    });
    renderWithApp(<><Login /><Who /></>);
    await screen.findByText('in as alice (trader)'); // the refresh on load
    await userEvent.type(screen.getByLabelText('Username'), 'alice');
    await userEvent.type(screen.getByLabelText('Password'), 'correct horse battery{Enter}');
    await vi.waitFor(() => expect(calls.some((c) => c.path === '/api/auth/login')).toBe(true));

    expect(written).not.toHaveBeenCalled();
    expect(opened?.mock.calls ?? []).toHaveLength(0);
    const kept = [JSON.stringify({ ...localStorage }), JSON.stringify({ ...sessionStorage }), document.cookie].join(' ');
    expect(kept).not.toMatch(/token-from/);
  });
});
