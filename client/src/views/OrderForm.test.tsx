import { afterEach, describe, expect, it, vi } from 'vitest';
import { fireEvent, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { OrderForm } from './OrderForm';
import { json, mockFetch, renderWithApp, type Call } from '../test/fakes';

const valid = () => json(200, { valid: true, violations: [] });
const placements = (calls: Call[]) => calls.filter((c) => c.method === 'POST' && c.path === '/direct-api/binance/orders')
  .map((c) => JSON.parse(c.body));

async function fillAndCheck() {
  await userEvent.type(screen.getByLabelText('Quantity'), '0.001');
  await userEvent.type(screen.getByLabelText('Price'), '60000');
  await userEvent.click(screen.getByRole('button', { name: 'Check' }));
  await screen.findByText(/Valid/);
}

describe('OrderForm', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('filter violations — listed, and Place stays disabled', async () => {
    mockFetch({ 'POST /api/binance/order/validate': () => json(200, { valid: false, violations: [
      { filter: 'PRICE_FILTER', message: 'price must move in steps of 0.01', nearest_valid: '60000.01' }] }) });
    renderWithApp(<OrderForm />);
    await userEvent.type(screen.getByLabelText('Quantity'), '0.001');
    await userEvent.click(screen.getByRole('button', { name: 'Check' }));
    expect(await screen.findByText(/PRICE_FILTER: price must move in steps of 0.01 \(nearest valid: 60000.01\)/)).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Place' })).toBeDisabled();
  });

  it('an unknown outcome — asking again repeats the same clientOrderId; a placed order frees a new id', async () => {
    let answers = 0;
    const calls = mockFetch({
      'POST /api/binance/order/validate': valid,
      'POST /direct-api/binance/orders': async (request) => {
        const { clientOrderId } = await request.json();
        answers += 1;
        return answers === 1
          ? json(202, { outcome: 'unknown', clientOrderId, binanceClientOrderId: `u1-${clientOrderId}`, message: 'Binance did not answer' })
          : json(201, { outcome: 'placed', clientOrderId, binanceClientOrderId: `u1-${clientOrderId}` });
      },
    });
    renderWithApp(<OrderForm />);
    await fillAndCheck();
    await userEvent.click(screen.getByRole('button', { name: 'Place' }));
    expect(await screen.findByText(/the outcome is not known yet/)).toBeInTheDocument();
    expect(screen.getByLabelText('Quantity')).toBeDisabled(); // the unknown order cannot be edited into another
    await userEvent.click(screen.getByRole('button', { name: /^Ask again for order / }));
    expect(await screen.findByText(/placed\./)).toBeInTheDocument();
    const [first, second] = placements(calls);
    expect(first.clientOrderId).toMatch(/^[A-Za-z0-9_-]{1,24}$/);
    expect(second).toEqual(first); // the same order, id and all
    expect(first).toMatchObject({ symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', quantity: '0.001', price: '60000', timeInForce: 'GTC' });

    await userEvent.click(screen.getByRole('button', { name: 'Place' }));
    await vi.waitFor(() => expect(placements(calls)).toHaveLength(3));
    expect(placements(calls)[2].clientOrderId).not.toBe(first.clientOrderId);
  });

  it('pressing Place twice while the first is on its way — one placement sent', async () => {
    let release: () => void = () => {};
    const calls = mockFetch({
      'POST /api/binance/order/validate': valid,
      'POST /direct-api/binance/orders': async (request) => {
        const { clientOrderId } = await request.json();
        await new Promise<void>((resolve) => { release = resolve; });
        return json(201, { outcome: 'placed', clientOrderId, binanceClientOrderId: `u1-${clientOrderId}` });
      },
    });
    renderWithApp(<OrderForm />);
    await fillAndCheck();
    await userEvent.click(screen.getByRole('button', { name: 'Place' }));
    const form = screen.getByLabelText('Quantity').closest('form')!;
    fireEvent.submit(form); // Enter in a field, or a second press before the button is disabled
    fireEvent.submit(form);
    release();
    expect(await screen.findByText(/placed\./)).toBeInTheDocument();
    expect(placements(calls)).toHaveLength(1);
  });

  it('refused by a risk limit (403 risk_limit) — a sentence naming the limit and its value; a new order may follow', async () => {
    mockFetch({
      'POST /api/binance/order/validate': valid,
      'POST /direct-api/binance/orders': () => json(403, { error: { code: 'risk_limit',
        message: 'the order is worth 120 USDT, over the limit of 100 USDT', limit: 'max_order_notional', value: '100',
        clientOrderId: 'x', binanceClientOrderId: 'u2-x' } }),
    });
    renderWithApp(<OrderForm />);
    await fillAndCheck();
    await userEvent.click(screen.getByRole('button', { name: 'Place' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('Refused by the risk limit max_order_notional '
      + '(largest order value: 100 USDT). The order is worth 120 USDT, over the limit of 100 USDT. Nothing was sent to Binance.');
    expect(screen.getByLabelText('Quantity')).toBeEnabled(); // a known outcome: the form is free again
  });
});
