import { afterEach, describe, expect, it, vi } from 'vitest';
import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { OpenOrders } from './OpenOrders';
import { json, mockFetch, renderWithApp } from '../test/fakes';

const order = { clientOrderId: 'web1', binanceClientOrderId: 'u7-web1', symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT',
  price: '60000.00000000', origQty: '0.00100000', status: 'NEW' };

describe('OpenOrders', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('Cancel — a DELETE by symbol and the user\'s own id, then the list is asked again', async () => {
    let open = [order];
    const calls = mockFetch({
      'GET /direct-api/binance/open-orders': () => json(200, { orders: open, count: open.length }),
      'DELETE /direct-api/binance/orders/BTCUSDT/web1': () => {
        open = [];
        return json(200, { clientOrderId: 'web1', binanceClientOrderId: 'u7-web1', order: { ...order, status: 'CANCELED' } });
      },
    });
    renderWithApp(<OpenOrders />);
    await userEvent.click(await screen.findByRole('button', { name: 'Cancel order web1' }));
    expect(await screen.findByText('No open orders.')).toBeInTheDocument();
    expect(calls.filter((c) => c.method === 'DELETE').map((c) => c.path)).toEqual(['/direct-api/binance/orders/BTCUSDT/web1']);
  });

  it('a failed cancel — the server\'s message shown, the order still listed', async () => {
    mockFetch({
      'GET /direct-api/binance/open-orders': () => json(200, { orders: [order], count: 1 }),
      'DELETE /direct-api/binance/orders/BTCUSDT/web1': () => json(503, { error: { code: 'upstream_unavailable', message: 'Binance is unreachable' } }),
    });
    renderWithApp(<OpenOrders />);
    await userEvent.click(await screen.findByRole('button', { name: 'Cancel order web1' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('Binance is unreachable');
    expect(screen.getByRole('button', { name: 'Cancel order web1' })).toBeInTheDocument();
  });
});
