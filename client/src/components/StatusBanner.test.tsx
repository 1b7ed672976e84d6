import { afterEach, describe, expect, it, vi } from 'vitest';
import { act, screen } from '@testing-library/react';
import { StatusBanner } from './StatusBanner';
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
    const calls = mockFetch({ '/api/status': () => status({ state: 'ok' }) });
    renderWithApp(<StatusBanner />);
    await vi.waitFor(() => expect(calls).toHaveLength(1));
    await act(async () => {}); // the answer rendered
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
  });
});
