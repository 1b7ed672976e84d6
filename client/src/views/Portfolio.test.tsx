import { afterEach, describe, expect, it, vi } from 'vitest';
import { act, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { Portfolio } from './Portfolio';
import { RequireRole } from '../components/RequireRole';
import { json, mockFetch, renderWithApp, signedIn } from '../test/fakes';

// python_service's answer through express_api, as the README shows it against the fake exchange; SOL added
// priced from the shipped snapshot (fallback).
const SPOT = { balances: [
  { asset: 'BTC', free: '0.10000000', locked: '0.00000000', total: '0.1', price_usdt: '67012.34', value_usdt: '6701.234',
    price_source: 'live', price_as_of: '2026-12-06T11:18:48.526Z' },
  { asset: 'USDT', free: '940.00000000', locked: '60.00000000', total: '1000', price_usdt: '1', value_usdt: '1000',
    price_source: null, price_as_of: null },
  { asset: 'SOL', free: '3.00000000', locked: '0.00000000', total: '3', price_usdt: '150.5', value_usdt: '451.5',
    price_source: 'fallback', price_as_of: '2026-11-01T00:00:00Z' },
], count: 3, total_usdt: '8152.734', unpriced: [], can_trade: true, account_type: 'SPOT', source: 'live',
as_of: '2026-12-06T11:18:48.500Z', age_s: 0.028 };
const FUTURES = {
  account: { totalWalletBalance: '10000.00000000', totalUnrealizedProfit: '20.12340000', totalMarginBalance: '10020.12340000',
    availableBalance: '9986.61723000', maxWithdrawAmount: '9986.61723000', totalInitialMargin: '33.50617000',
    totalMaintMargin: '0.67012340', assets: [] },
  positions: [
    { symbol: 'BTCUSDT', side: 'LONG', size: '0.01000000', positionAmt: '0.01000000', entryPrice: '65000.00000000',
      markPrice: '67012.34000000', unrealizedProfit: '20.12340000', leverage: 20, liquidationPrice: '62010.00000000',
      notional: '670.12340000', positionSide: 'BOTH' },
    { symbol: 'ETHUSDT', side: 'SHORT', size: '1.5', positionAmt: '-1.5', entryPrice: '3400', markPrice: '3456.78',
      unrealizedProfit: '-85.17', leverage: 5, liquidationPrice: '4100', notional: '-5185.17', positionSide: 'BOTH' },
  ] };
const PORTFOLIO = { spot: SPOT, futures: FUTURES, total_usdt: '18172.8574', errors: {} };
const FILLS = (symbol: string) => ({ symbol, count: 1, source: 'live', as_of: '2026-12-06T11:18:48.826Z', age_s: 0,
  trades: [{ id: 5000, orderId: 1001, side: 'BUY', price: '67012.34000000', qty: '0.00010000', quoteQty: '6.70123400',
    commission: '0.00000010', commissionAsset: 'BTC', maker: false, time: '2026-12-06T11:18:48.672Z' }] });

const cells = (row: Element | null) => [...(row?.querySelectorAll('td') ?? [])].map((td) => td.textContent);
const row = (selector: string) => document.querySelector(selector);

function show(portfolio: () => Response) {
  const calls = mockFetch({ ...signedIn('viewer'), '/direct-api/binance/portfolio': portfolio,
    '/direct-api/binance/fills': (request) => json(200, FILLS(new URL(request.url).searchParams.get('symbol') ?? '')),
    '/direct-api/binance/demo-balance': () => json(200, { assets: [{ asset: 'BTC', amount: '0.5', price: '67012.34',
      value_usdt: '33506.17', source: 'live', as_of: '2026-12-06T11:18:48Z' }], total_usdt: '33506.17', source: 'live',
    as_of: '2026-12-06T11:18:48Z', prices_are_current: true, note: null }) });
  renderWithApp(<Portfolio />);
  return calls;
}

describe('Portfolio', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('spot balances — free, locked, price and value in USDT, and each price\'s source; stale or fallback marked', async () => {
    show(() => json(200, PORTFOLIO));
    await screen.findByRole('heading', { name: 'Spot balances' });
    expect(cells(row('table.spot tr[data-asset=BTC]'))).toEqual(['0.1', '0', '67012.34', '6701.234', 'live · 0.0 s']
      .map((text, i) => (i === 4 ? expect.stringMatching(/^live · /) : text)));
    expect(cells(row('table.spot tr[data-asset=USDT]')).slice(0, 5)).toEqual(['940', '60', '1', '1000', 'quote asset']);
    const sol = within(row('table.spot tr[data-asset=SOL]') as HTMLElement);
    expect(sol.getByText('fallback (not live)')).toBeInTheDocument();
    expect(screen.getByTestId('spot-total')).toHaveTextContent('8152.734');
    expect(screen.getByTestId('portfolio-total')).toHaveTextContent('18172.8574');
  });

  it('positions — side, size, entry, mark, unrealized profit (the API\'s unrealizedProfit), liquidation, leverage', async () => {
    show(() => json(200, PORTFOLIO));
    await screen.findByRole('heading', { name: 'Futures positions' });
    expect(cells(row('table.positions tr[data-symbol=BTCUSDT]')))
      .toEqual(['LONG', '0.01', '65000', '67012.34', '20.1234', '62010', '20x', '670.1234']);
    expect(cells(row('table.positions tr[data-symbol=ETHUSDT]')))
      .toEqual(['SHORT', '1.5', '3400', '3456.78', '-85.17', '4100', '5x', '-5185.17']);
    expect(row('table.positions tr[data-symbol=ETHUSDT] .pnl')).toHaveClass('bad');
    expect(row('dl.wallet [data-field=totalUnrealizedProfit] dd')).toHaveTextContent('20.1234 USDT');
    expect(row('dl.wallet [data-field=availableBalance] dd')).toHaveTextContent('9986.61723 USDT');
  });

  it('the futures part failing — its reason in words beside the spot balances; the total not known', async () => {
    show(() => json(200, { ...PORTFOLIO, futures: null, total_usdt: null,
      errors: { futures: { code: 'trading_disabled', message: 'Trading is disabled on python_service' } } }));
    expect(await screen.findByText('Trading is disabled on python_service')).toBeInTheDocument();
    expect(screen.getByText(/Not known now/)).toBeInTheDocument();
    expect(cells(row('table.spot tr[data-asset=BTC]'))[3]).toBe('6701.234');
    expect(screen.queryByRole('heading', { name: 'Futures positions' })).not.toBeInTheDocument();
  });

  it('no keys on the gateway (503 keys_not_configured) — the demo portfolio, labelled demo, asked once', async () => {
    const calls = show(() => json(503, { error: { code: 'keys_not_configured', message: 'No API keys are configured' } }));
    expect(await screen.findByTestId('demo-note')).toHaveTextContent('No Binance keys are configured');
    expect(screen.getByRole('heading', { level: 1 })).toHaveTextContent('Portfolio demo');
    expect(await screen.findByRole('heading', { name: /Demo portfolio/ })).toHaveTextContent('demo');
    expect(calls.filter((c) => c.path === '/direct-api/binance/portfolio')).toHaveLength(1); // not retried
  });

  it('fills — of the symbol chosen', async () => {
    const calls = show(() => json(200, PORTFOLIO));
    expect(await screen.findByText('6.701234')).toBeInTheDocument();
    await userEvent.selectOptions(screen.getByLabelText('Symbol'), 'SOLUSDT');
    await vi.waitFor(() => expect(calls.filter((c) => c.path === '/direct-api/binance/fills')
      .map((c) => c.url.searchParams.get('symbol'))).toEqual(['BTCUSDT', 'SOLUSDT']));
  });
});

describe('Portfolio, live', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('a balance pushed on the account stream changes the row at once; a margin call shows as an alert', async () => {
    let controller!: ReadableStreamDefaultController<Uint8Array>;
    const body = new ReadableStream<Uint8Array>({ start: (c) => { controller = c; } });
    const push = (data: unknown) => controller.enqueue(new TextEncoder().encode(`event: account\ndata: ${JSON.stringify(data)}\n\n`));
    mockFetch({ ...signedIn('viewer'), '/direct-api/binance/portfolio': () => json(200, PORTFOLIO),
      '/direct-api/binance/stream/account': () => new Response(body, { headers: { 'content-type': 'text/event-stream' } }),
      '/direct-api/binance/fills': (request) => json(200, FILLS(new URL(request.url).searchParams.get('symbol') ?? '')) });
    renderWithApp(<RequireRole role="viewer"><Portfolio /></RequireRole>);
    await screen.findByRole('heading', { name: 'Spot balances' });
    await act(async () => {
      push({ type: 'balance', market: 'spot', time: 1, balances: [{ asset: 'USDT', free: '1000.00000000', locked: '0.00000000' }] });
      push({ type: 'margin_call', market: 'futures', time: 2, positions: [{ symbol: 'ETHUSDT', positionAmt: '-1.5',
        markPrice: '4000', unrealizedProfit: '-900', maintenanceMargin: '30' }] });
    });
    await vi.waitFor(() => expect(cells(row('table.spot tr[data-asset=USDT]')).slice(0, 2)).toEqual(['1000', '0']));
    expect(screen.getByTestId('margin-call')).toHaveTextContent('ETHUSDT (-1.5 at mark 4000, unrealized -900 USDT, '
      + 'maintenance margin 30 USDT) nears liquidation');
  });
});
