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

  it('STOP_LOSS_LIMIT — checked as the LIMIT it becomes, placed with its trigger and time in force', async () => {
    const calls = mockFetch({
      'POST /api/binance/order/validate': valid,
      'POST /direct-api/binance/orders': async (request) => {
        const { clientOrderId } = await request.json();
        return json(201, { outcome: 'placed', clientOrderId, binanceClientOrderId: `u1-${clientOrderId}` });
      },
    });
    renderWithApp(<OrderForm symbol="ETHUSDT" />);
    await userEvent.selectOptions(screen.getByLabelText('Side'), 'SELL');
    await userEvent.selectOptions(screen.getByLabelText('Type'), 'STOP_LOSS_LIMIT');
    await userEvent.selectOptions(screen.getByLabelText('Time in force'), 'IOC');
    await userEvent.type(screen.getByLabelText('Quantity'), '0.5');
    await userEvent.type(screen.getByLabelText('Price'), '3000');
    await userEvent.type(screen.getByLabelText('Trigger at'), '3010');
    await userEvent.click(screen.getByRole('button', { name: 'Check' }));
    await screen.findByText(/Valid/);
    await userEvent.click(screen.getByRole('button', { name: 'Place' }));
    expect(await screen.findByText(/^Order .+ placed\.$/)).toBeInTheDocument();
    const check = calls.find((c) => c.path === '/api/binance/order/validate')!;
    expect(JSON.parse(check.body)).toEqual({ symbol: 'ETHUSDT', side: 'SELL', type: 'LIMIT', quantity: '0.5', price: '3000' });
    const [order] = placements(calls);
    expect(order).toMatchObject({ symbol: 'ETHUSDT', side: 'SELL', type: 'STOP_LOSS_LIMIT', quantity: '0.5', price: '3000',
      stopPrice: '3010', timeInForce: 'IOC' });
  });

  it('STOP_LOSS — checked as a MARKET, sent with its trigger and no price or time in force', async () => {
    const calls = mockFetch({ 'POST /api/binance/order/validate': valid,
      'POST /direct-api/binance/orders': () => json(201, { outcome: 'placed', clientOrderId: 'a', binanceClientOrderId: 'u1-a' }) });
    renderWithApp(<OrderForm />);
    await userEvent.selectOptions(screen.getByLabelText('Type'), 'STOP_LOSS');
    expect(screen.queryByLabelText('Price')).not.toBeInTheDocument();
    expect(screen.queryByLabelText('Time in force')).not.toBeInTheDocument();
    await userEvent.type(screen.getByLabelText('Quantity'), '0.001');
    await userEvent.type(screen.getByLabelText('Trigger at'), '60000');
    await userEvent.click(screen.getByRole('button', { name: 'Check' }));
    await screen.findByText(/Valid/);
    await userEvent.click(screen.getByRole('button', { name: 'Place' }));
    await vi.waitFor(() => expect(placements(calls)).toHaveLength(1));
    expect(JSON.parse(calls.find((c) => c.path === '/api/binance/order/validate')!.body)).toMatchObject({ type: 'MARKET' });
    const [order] = placements(calls);
    expect(order).toEqual({ symbol: 'BTCUSDT', side: 'BUY', type: 'STOP_LOSS', quantity: '0.001', stopPrice: '60000',
      clientOrderId: order.clientOrderId });
  });

  it('MARKET by amount to spend — sent as quoteOrderQty without a quantity; filter violations at placement listed', async () => {
    const calls = mockFetch({ 'POST /direct-api/binance/orders': () => json(400, { error: { code: 'order_invalid',
      message: "the order breaks the symbol's filters; nothing was sent", violations: [{ filter: 'NOTIONAL',
        message: 'the order is worth 1 USDT, under the minimum of 5', nearest_valid: '5' }] } }) });
    renderWithApp(<OrderForm />);
    await userEvent.selectOptions(screen.getByLabelText('Type'), 'MARKET');
    await userEvent.selectOptions(screen.getByLabelText('Buy or sell by'), 'quote');
    expect(screen.queryByRole('button', { name: 'Check' })).not.toBeInTheDocument();
    await userEvent.type(screen.getByLabelText('Amount to spend'), '1');
    await userEvent.click(screen.getByRole('button', { name: 'Place' }));
    expect(await screen.findByText(/NOTIONAL: the order is worth 1 USDT, under the minimum of 5 \(nearest valid: 5\)/))
      .toBeInTheDocument();
    const [order] = placements(calls);
    expect(order).toMatchObject({ type: 'MARKET', quoteOrderQty: '1' });
    expect(order.quantity).toBeUndefined();
    expect(calls.some((c) => c.path === '/api/binance/order/validate')).toBe(false);
  });
});
