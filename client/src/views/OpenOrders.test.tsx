import { afterEach, describe, expect, it, vi } from 'vitest';
import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { OpenOrders } from './OpenOrders';
import { json, mockFetch, renderWithApp, signedIn } from '../test/fakes';

const order = { clientOrderId: 'web1', binanceClientOrderId: 'u2-web1', symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT',
  price: '60000.00000000', origQty: '0.00100000', status: 'NEW', placed_by: 'alice', mine: true };
const others = { ...order, clientOrderId: 'u7-dip', binanceClientOrderId: 'u7-dip', placed_by: 'bob', mine: false };
const bots = { ...order, clientOrderId: 'x-bot-1', binanceClientOrderId: 'x-bot-1', placed_by: null, mine: false };

describe('OpenOrders', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('Cancel — a DELETE by symbol and the user\'s own id, then the list is asked again', async () => {
    let open = [order];
    const calls = mockFetch({
      ...signedIn('trader'),
      'GET /direct-api/binance/open-orders': () => json(200, { orders: open, count: open.length }),
      'DELETE /direct-api/binance/orders/BTCUSDT/web1': () => {
        open = [];
        return json(200, { clientOrderId: 'web1', binanceClientOrderId: 'u2-web1', order: { ...order, status: 'CANCELED' } });
      },
    });
    renderWithApp(<OpenOrders />);
    await userEvent.click(await screen.findByRole('button', { name: 'Cancel order web1' }));
    expect(await screen.findByText('No open orders.')).toBeInTheDocument();
    expect(calls.filter((c) => c.method === 'DELETE').map((c) => c.url.pathname + c.url.search))
      .toEqual(['/direct-api/binance/orders/BTCUSDT/web1']);
  });

  it('a failed cancel — the server\'s message shown, the order still listed', async () => {
    mockFetch({
      ...signedIn('trader'),
      'GET /direct-api/binance/open-orders': () => json(200, { orders: [order], count: 1 }),
      'DELETE /direct-api/binance/orders/BTCUSDT/web1': () => json(503, { error: { code: 'upstream_unavailable', message: 'Binance is unreachable' } }),
    });
    renderWithApp(<OpenOrders />);
    await userEvent.click(await screen.findByRole('button', { name: 'Cancel order web1' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('Binance is unreachable');
    expect(screen.getByRole('button', { name: 'Cancel order web1' })).toBeInTheDocument();
  });

  it('a trader — Cancel only on their own orders; the others\' say who placed them', async () => {
    mockFetch({ ...signedIn('trader'),
      'GET /direct-api/binance/open-orders': () => json(200, { orders: [order, others, bots], count: 3 }) });
    renderWithApp(<OpenOrders />);
    expect(await screen.findByRole('button', { name: 'Cancel order web1' })).toBeInTheDocument();
    expect(screen.getAllByRole('button', { name: /^Cancel order/ })).toHaveLength(1);
    expect(document.querySelector('tr[data-order-id="u7-dip"]')).toHaveTextContent('bob');
    expect(document.querySelector('tr[data-order-id="x-bot-1"]')).toHaveTextContent('elsewhere (a bot, Binance)');
  });

  it('a viewer — the orders listed, no Cancel at all', async () => {
    mockFetch({ ...signedIn('viewer'),
      'GET /direct-api/binance/open-orders': () => json(200, { orders: [{ ...order, mine: false }, others], count: 2 }) });
    renderWithApp(<OpenOrders />);
    expect(await screen.findByText('bob')).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: /^Cancel/ })).not.toBeInTheDocument();
  });

  it('an admin — cancels another user\'s order by the id Binance holds, with scope=account', async () => {
    const calls = mockFetch({ ...signedIn('admin'),
      'GET /direct-api/binance/open-orders': () => json(200, { orders: [others], count: 1 }),
      'DELETE /direct-api/binance/orders/BTCUSDT/u7-dip': () => json(200, { clientOrderId: 'u7-dip',
        binanceClientOrderId: 'u7-dip', order: { ...others, status: 'CANCELED' }, placed_by: 'bob' }) });
    renderWithApp(<OpenOrders />);
    await userEvent.click(await screen.findByRole('button', { name: 'Cancel order u7-dip' }));
    await vi.waitFor(() => expect(calls.filter((c) => c.method === 'DELETE').map((c) => c.url.pathname + c.url.search))
      .toEqual(['/direct-api/binance/orders/BTCUSDT/u7-dip?scope=account']));
  });
});
