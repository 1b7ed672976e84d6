import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { act, screen, waitFor, within } from '@testing-library/react';
import { Prices } from './Prices';
import { FakeEventSource, json, mockFetch, renderWithApp } from '../test/fakes';
import { resetServerClock } from '../clock';

const AS_OF = '2026-12-02T10:00:00.000Z';
const prices = (source: string, price = '67000.00') => json(200, {
  prices: [{ symbol: 'BTCUSDT', price }, { symbol: 'ETHUSDT', price: '3400.00' }],
  count: 2, source, as_of: AS_OF, age_s: 0 });
const row = (symbol: string) => within(document.querySelector(`tr[data-symbol="${symbol}"]`) as HTMLElement);
const ageOf = (symbol: string) => Number(document.querySelector(`tr[data-symbol="${symbol}"] .age`)!.getAttribute('data-age-s'));

describe('Prices', () => {
  beforeEach(() => {
    vi.useFakeTimers({ shouldAdvanceTime: true, now: Date.parse('2026-12-02T10:00:03.000Z') });
    FakeEventSource.install();
  });
  afterEach(() => {
    vi.useRealTimers();
    vi.unstubAllGlobals();
    resetServerClock();
  });

  it('REST first, then each pushed price replaces its row with the stream\'s source and age', async () => {
    mockFetch({ '/api/binance/prices': () => prices('live') });
    renderWithApp(<Prices symbols={['BTCUSDT', 'ETHUSDT']} />);
    await waitFor(() => expect(row('BTCUSDT').getByText('67000.00')).toBeInTheDocument());
    expect(row('BTCUSDT').getByText('live')).toBeInTheDocument();
    expect(ageOf('BTCUSDT')).toBeCloseTo(3, 0);
    expect(FakeEventSource.last().url).toBe('/api/binance/stream/prices?symbols=BTCUSDT%2CETHUSDT');

    act(() => {
      FakeEventSource.last().open();
      FakeEventSource.last().emit('price', { symbol: 'BTCUSDT', price: '67100.50', source: 'stream', as_of: '2026-12-02T10:00:02.500Z' });
    });
    expect(row('BTCUSDT').getByText('67100.50')).toBeInTheDocument();
    expect(row('BTCUSDT').getByText('stream')).toBeInTheDocument();
    expect(ageOf('BTCUSDT')).toBeCloseTo(0.5, 0);
    expect(row('ETHUSDT').getByText('3400.00')).toBeInTheDocument();
  });

  it('stale or fallback — marked "not live", whatever came before', async () => {
    mockFetch({ '/api/binance/prices': () => prices('live') });
    renderWithApp(<Prices symbols={['BTCUSDT', 'ETHUSDT']} />);
    await waitFor(() => expect(row('BTCUSDT').getByText('live')).toBeInTheDocument());
    act(() => {
      FakeEventSource.last().emit('price', { symbol: 'BTCUSDT', price: '66000.00', source: 'fallback', as_of: '2025-06-30T00:00:00.000Z' });
    });
    expect(row('BTCUSDT').getByText('fallback (not live)')).toBeInTheDocument();
    expect(document.querySelector('tr[data-symbol="BTCUSDT"]')).toHaveClass('not-current');
    expect(row('BTCUSDT').getByText(/^5[12][0-9] d$/)).toBeInTheDocument();
  });

  it('a browser clock 60 s behind the gateway — ages counted on the gateway\'s clock, learnt from as_of + age_s', async () => {
    mockFetch({ '/api/binance/prices': () => json(200, { prices: [{ symbol: 'BTCUSDT', price: '1.00' }], count: 1,
      source: 'cache', as_of: '2026-12-02T10:01:00.000Z', age_s: 2 }) }); // the gateway's now: 10:01:02
    renderWithApp(<Prices symbols={['BTCUSDT']} />);
    await waitFor(() => expect(row('BTCUSDT').getByText('cache')).toBeInTheDocument());
    act(() => {
      FakeEventSource.last().emit('price', { symbol: 'BTCUSDT', price: '1.01', source: 'stream', as_of: '2026-12-02T10:01:01.000Z' });
    });
    await act(() => vi.advanceTimersByTimeAsync(1000));
    expect(ageOf('BTCUSDT')).toBeCloseTo(2, 0); // not 0, as the browser's own clock (10:00:04) would say
  });

  it('polls only while the stream is not open', async () => {
    const calls = mockFetch({ '/api/binance/prices': () => prices('cache') });
    const polls = () => calls.filter((call) => call.path === '/api/binance/prices'); // not the session's refresh
    renderWithApp(<Prices symbols={['BTCUSDT', 'ETHUSDT']} />);
    await waitFor(() => expect(polls()).toHaveLength(1));
    act(() => FakeEventSource.last().open());
    await act(() => vi.advanceTimersByTimeAsync(16_000));
    expect(polls()).toHaveLength(1);

    act(() => FakeEventSource.last().fail()); // the stream breaks: polling takes over until it is back
    await act(() => vi.advanceTimersByTimeAsync(5_500));
    expect(polls().length).toBeGreaterThanOrEqual(2);
  });

  it('an error answer — its message shown, readable', async () => {
    mockFetch({ '/api/binance/prices': () => json(503, { error: { code: 'upstream_unavailable', message: 'No price data: Binance is unreachable' } }, { 'retry-after': '5' }) });
    renderWithApp(<Prices symbols={['BTCUSDT']} />);
    expect(await screen.findByRole('alert')).toHaveTextContent('No price data: Binance is unreachable Try again in 5 s.');
  });
});
