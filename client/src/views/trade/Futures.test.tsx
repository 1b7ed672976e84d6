import { afterEach, describe, expect, it, vi } from 'vitest';
import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { FuturesOrderForm } from './FuturesOrderForm';
import { Leverage } from './Leverage';
import { TradeScreen } from './TradeScreen';
import { NetworkBadge } from '../../components/NetworkBadge';
import { RequireRole } from '../../components/RequireRole';
import { json, mockFetch, renderWithApp, signedIn, type Call } from '../../test/fakes';

const LIMITS = { max_order_notional: null, max_orders_per_min: null, allowed_symbols: null, max_leverage: 10,
  trading_halted: false };
const risk = () => json(200, { in_force: LIMITS, ceilings: LIMITS, admin: null });
const posts = (calls: Call[], path: string) => calls.filter((c) => c.method === 'POST' && c.path === path)
  .map((c) => JSON.parse(c.body));

describe('FuturesOrderForm', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('STOP_MARKET reduce-only — sent with its trigger and reduceOnly, no price', async () => {
    const calls = mockFetch({ 'POST /direct-api/binance/futures/orders': async (request) => {
      const { clientOrderId } = await request.json();
      return json(201, { outcome: 'placed', clientOrderId, binanceClientOrderId: `u1-${clientOrderId}`, conditional: true });
    } });
    renderWithApp(<FuturesOrderForm symbol="BTCUSDT" />);
    await userEvent.selectOptions(screen.getByLabelText('Side'), 'SELL');
    await userEvent.selectOptions(screen.getByLabelText('Type'), 'STOP_MARKET');
    await userEvent.type(screen.getByLabelText('Quantity'), '0.01');
    await userEvent.type(screen.getByLabelText('Trigger at'), '60000');
    await userEvent.click(screen.getByLabelText('Reduce only'));
    await userEvent.click(screen.getByRole('button', { name: 'Place' }));
    expect(await screen.findByText(/^Order .+ placed\.$/)).toBeInTheDocument();
    const [order] = posts(calls, '/direct-api/binance/futures/orders');
    expect(order).toEqual({ symbol: 'BTCUSDT', side: 'SELL', type: 'STOP_MARKET', quantity: '0.01', stopPrice: '60000',
      reduceOnly: true, clientOrderId: order.clientOrderId });
  });
});

describe('Leverage', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('over the risk limits\' highest — said at once, nothing sent; within it — set, Binance\'s answer shown', async () => {
    const calls = mockFetch({ '/direct-api/binance/risk': risk,
      'POST /direct-api/binance/futures/leverage': () => json(200, { symbol: 'BTCUSDT', leverage: 5, maxNotionalValue: '5000000' }) });
    renderWithApp(<Leverage symbol="BTCUSDT" current={20} />);
    expect(await screen.findByText(/at most 10x/)).toBeInTheDocument();
    const field = screen.getByRole('textbox', { name: 'Leverage' });
    for (const typed of ['11', '0', '2.5', '９']) {
      await userEvent.clear(field);
      await userEvent.type(field, typed);
      await userEvent.click(screen.getByRole('button', { name: 'Set the leverage' }));
      expect(screen.getByRole('alert')).toHaveTextContent("The leverage is a whole number from 1 to 10 (the risk limits' highest).");
    }
    expect(posts(calls, '/direct-api/binance/futures/leverage')).toEqual([]);
    await userEvent.clear(field);
    await userEvent.type(field, '5');
    await userEvent.click(screen.getByRole('button', { name: 'Set the leverage' }));
    expect(await screen.findByTestId('leverage-set')).toHaveTextContent('Leverage on BTCUSDT is now 5x (positions up to 5000000 USDT).');
    expect(posts(calls, '/direct-api/binance/futures/leverage')).toEqual([{ symbol: 'BTCUSDT', leverage: 5 }]);
  });

  it('refused by the risk limit on the server — the sentence names the limit', async () => {
    mockFetch({ '/direct-api/binance/risk': () => json(200, { in_force: { ...LIMITS, max_leverage: null }, ceilings: LIMITS, admin: null }),
      'POST /direct-api/binance/futures/leverage': () => json(403, { error: { code: 'risk_limit',
        message: 'leverage 50 is over the limit of 10', limit: 'max_leverage', value: 10 } }) });
    renderWithApp(<Leverage symbol="BTCUSDT" />);
    await userEvent.type(screen.getByRole('textbox', { name: 'Leverage' }), '50');
    await userEvent.click(screen.getByRole('button', { name: 'Set the leverage' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('Not set: Refused by the risk limit max_leverage '
      + '(highest leverage: 10x). Leverage 50 is over the limit of 10. Nothing was sent to Binance.');
  });
});

describe('NetworkBadge', () => {
  afterEach(() => vi.unstubAllGlobals());

  it.each([[true, 'TESTNET', 'testnet'], [false, 'LIVE', 'live'], [null, 'network ?', 'unknown']])(
    'testnet %s — %s', async (testnet, words, network) => {
      mockFetch({ '/direct-api/binance/connection-test': () => json(200, { ok: true, reachable: true, restricted: false,
        authenticated: true, testnet }) });
      renderWithApp(<NetworkBadge />);
      await vi.waitFor(() => expect(screen.getByTestId('network-badge')).toHaveTextContent(words));
      expect(screen.getByTestId('network-badge')).toHaveAttribute('data-network', network);
    });
});

describe('TradeScreen for a viewer', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('sees orders, positions and balances, but no order form, leverage, close or cancel', async () => {
    mockFetch({ ...signedIn('viewer'), '/direct-api/binance/risk': risk,
      '/direct-api/binance/stream/account': () => new Response(new ReadableStream(), { headers: { 'content-type': 'text/event-stream' } }),
      '/direct-api/binance/orders': () => json(200, { orders: [], count: 0 }),
      '/direct-api/binance/open-orders': () => json(200, { orders: [{ clientOrderId: 'u2-a', binanceClientOrderId: 'u2-a',
        placed_by: 'alice', mine: false, symbol: 'BTCUSDT', status: 'NEW', type: 'LIMIT' }], count: 1 }),
      '/direct-api/binance/futures/open-orders': () => json(200, { orders: [], count: 0 }),
      '/direct-api/binance/portfolio': () => json(200, { total_usdt: null, errors: {}, spot: null,
        futures: { account: {}, positions: [{ symbol: 'BTCUSDT', positionAmt: '0.01' }] } }),
      '/direct-api/watchlist': () => json(200, { symbols: ['BTCUSDT'] }),
      '/api/binance/exchange-info': () => json(200, { symbols: [], count: 0, source: 'live', as_of: '2026-12-06T13:00:00Z' }) });
    renderWithApp(<RequireRole role="viewer"><TradeScreen /></RequireRole>);
    expect(await screen.findByTestId('no-trading')).toHaveTextContent('You are a viewer');
    expect(await screen.findByText('alice')).toBeInTheDocument();
    expect(screen.queryByRole('heading', { name: 'Place an order' })).not.toBeInTheDocument();
    await userEvent.click(screen.getByRole('button', { name: 'USDT-M futures' }));
    expect(await screen.findByText('No open futures orders.')).toBeInTheDocument();
    expect(document.querySelector('table.positions tr[data-symbol=BTCUSDT]')).not.toBeNull();
    expect(screen.queryByRole('button', { name: /^Close/ })).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Set the leverage' })).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Place' })).not.toBeInTheDocument();
  });
});
