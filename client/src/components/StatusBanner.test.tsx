import { afterEach, describe, expect, it, vi } from 'vitest';
import { act, screen } from '@testing-library/react';
import { StatusBanner } from './StatusBanner';
import { Balance } from '../views/Balance';
import { json, mockFetch, renderWithApp } from '../test/fakes';

const status = (spot: object, futures: object = { state: 'ok' }) => json(200, {
  service: 'binance-gateway', version: '0.1.0', uptime_s: 1, upstream: spot, markets: { spot, futures },
  cache: {}, weight: {} });

describe('StatusBanner', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('restricted spot — says 451 and that spot numbers are not live', async () => {
    mockFetch({ '/api/status': () => status({ state: 'restricted', since: '2026-12-02T10:00:00Z', message: 'restricted location' }) });
    renderWithApp(<StatusBanner />);
    const banner = await screen.findByText(/refuses this location for spot \(HTTP 451\)/);
    expect(banner).toHaveTextContent('spot numbers are stale or fallback, not live');
    expect(banner).toHaveAttribute('data-state', 'restricted');
  });

  it('banned futures — says 418 until when, for futures only', async () => {
    mockFetch({ '/api/status': () => status({ state: 'ok' }, { state: 'banned', until: '2026-12-02T10:05:00Z' }) });
    renderWithApp(<StatusBanner />);
    expect(await screen.findByText(/banned this IP for futures \(HTTP 418\) until 2026-12-02T10:05:00Z/)).toBeInTheDocument();
    expect(screen.queryByText(/for spot/)).not.toBeInTheDocument();
  });

  it('all ok — no banner', async () => {
    mockFetch({ '/api/status': () => status({ state: 'ok' }) });
    const { queries } = renderWithApp(<StatusBanner />);
    await vi.waitFor(() => expect(queries.getQueryState(['status'])?.status).toBe('success'));
    await act(async () => {}); // the answer rendered
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
    expect(document.querySelector('.banner')).toBeNull();
  });
});

describe('a change of upstream state', () => {
  afterEach(() => {
    vi.useRealTimers();
    vi.unstubAllGlobals();
  });

  it('fetches the other answers on the page again at once, so none keeps its old "live"', async () => {
    let state = 'ok';
    const calls = mockFetch({
      '/api/status': () => status({ state }),
      '/direct-api/binance/demo-balance': () => json(200, { assets: [], total_usdt: '0', source: state === 'ok' ? 'live' : 'stale',
        as_of: '2026-12-02T10:00:00Z', prices_are_current: state === 'ok', note: null }),
    });
    vi.useFakeTimers({ shouldAdvanceTime: true });
    renderWithApp(<><StatusBanner /><Balance /></>);
    await screen.findByText('live');
    const balanceCalls = () => calls.filter((c) => c.path === '/direct-api/binance/demo-balance').length;
    expect(balanceCalls()).toBe(1);

    state = 'restricted';
    await act(() => vi.advanceTimersByTimeAsync(5_100)); // the next status poll, well before the balance's own 10 s
    expect(await screen.findByText('stale (not live)')).toBeInTheDocument();
    expect(balanceCalls()).toBe(2);
  });
});
