import { afterEach, describe, expect, it, vi } from 'vitest';
import { QueryClient } from '@tanstack/react-query';
import { act, screen } from '@testing-library/react';
import { applyAccountEvent, balancesIntoPortfolio, KEYS, orderIntoHistory, orderIntoOpen, positionsIntoPortfolio,
  type AccountEvent } from './liveAccount';
import type { Schemas } from './api/client';
import { json, mockFetch, renderWithApp, signedIn } from './test/fakes';
import { TradeScreen } from './views/trade/TradeScreen';
import { RequireRole } from './components/RequireRole';

const HISTORY: Schemas['UserOrderHistory'] = { count: 1, orders: [{ id: 7, clientOrderId: 'dip-1',
  binanceClientOrderId: 'u2-dip-1', market: 'spot', symbol: 'BTCUSDT', outcome: 'placed', created_at: '2026-12-06T13:00:00Z',
  status: 'NEW', executedQty: '0.00000000', cumulativeQuote: '0.00000000', fills: [] }] };
const OPEN: Schemas['AccountOrderList'] = { count: 1, orders: [{ clientOrderId: 'dip-1', binanceClientOrderId: 'u2-dip-1',
  placed_by: 'alice', mine: true, symbol: 'BTCUSDT', status: 'NEW', side: 'BUY', type: 'LIMIT', price: '60000.00000000',
  origQty: '0.00200000', executedQty: '0.00000000' }] };
const fill = (tradeId: number, status: string, executedQty: string): AccountEvent => ({ type: 'order', market: 'spot',
  time: 1_700_000_000_000 + tradeId, symbol: 'BTCUSDT', clientOrderId: 'u2-dip-1', status, executedQty,
  cumulativeQuote: '60.00000000', fill: { tradeId, price: '60000.00000000', qty: '0.00100000', commission: '0.000001',
    commissionAsset: 'BTC', maker: true } });
/** Positions as pushed (the document leaves their fields open). */
const pushed = (rows: object[]) => rows as AccountEvent['positions'];
const BALANCE = { asset: 'BTC', free: '0.10000000', locked: '0.00000000', total: '0.1', price_usdt: '67012.34',
  value_usdt: '6701.234', price_source: 'live' as const, price_as_of: '2026-12-06T13:00:00Z' };
const PORTFOLIO: Schemas['Portfolio'] = { total_usdt: '1', errors: {},
  spot: { balances: [BALANCE, { ...BALANCE, asset: 'USDT', free: '1000.00000000', price_usdt: '1', value_usdt: '1000' }],
    count: 2, total_usdt: '7701.234', unpriced: [], source: 'stream', as_of: '2026-12-06T13:00:00Z' },
  futures: { account: { availableBalance: '9000' }, positions: [{ symbol: 'BTCUSDT', positionAmt: '0.010', size: '0.010',
    side: 'LONG', entryPrice: '65000', leverage: 20 }] } };

describe('the account events applied to what the page holds', () => {
  it('an order fill — the history row takes its status and the fill, once however often it is told', () => {
    const partly = orderIntoHistory(HISTORY, fill(1, 'PARTIALLY_FILLED', '0.00100000'))!;
    const again = orderIntoHistory(partly, fill(1, 'PARTIALLY_FILLED', '0.00100000'))!;
    const filled = orderIntoHistory(again, fill(2, 'FILLED', '0.00200000'))!;
    const [row] = filled.orders;
    expect([row!.status, row!.executedQty, row!.fills.map((f) => f.tradeId)]).toEqual(['FILLED', '0.00200000', [1, 2]]);
    expect(orderIntoHistory(HISTORY, { ...fill(3, 'NEW', '0'), clientOrderId: 'bot-9' })).toBeNull(); // not the user's
    expect(orderIntoHistory(HISTORY, { ...fill(3, 'NEW', '0'), market: 'futures' })).toBeNull(); // ids are per market
  });

  it('the open orders — a fill updates the row, FILLED or CANCELED takes it out, an unknown order is null', () => {
    expect(orderIntoOpen(OPEN, fill(1, 'PARTIALLY_FILLED', '0.00100000'))!.orders[0]).toMatchObject(
      { status: 'PARTIALLY_FILLED', executedQty: '0.00100000' });
    expect(orderIntoOpen(OPEN, fill(2, 'FILLED', '0.00200000'))).toEqual({ orders: [], count: 0 });
    expect(orderIntoOpen(OPEN, { ...fill(1, 'NEW', '0'), clientOrderId: 'x' })).toBeNull();
  });

  it('balances and positions — changed in place, an asset or position new to the page is null (read again)', () => {
    const moved = balancesIntoPortfolio(PORTFOLIO, { type: 'balance', market: 'spot', time: 1,
      balances: [{ asset: 'BTC', free: '0.10099900', locked: '0.00000000' }] })!;
    expect(moved.spot!.balances[0]).toMatchObject({ asset: 'BTC', free: '0.10099900' });
    expect(balancesIntoPortfolio(PORTFOLIO, { type: 'balance', market: 'spot', time: 1,
      balances: [{ asset: 'ETH', free: '1', locked: '0' }] })).toBeNull();
    const short = positionsIntoPortfolio(PORTFOLIO, { type: 'position', market: 'futures', time: 1,
      positions: pushed([{ symbol: 'BTCUSDT', positionAmt: '-0.005', entryPrice: '66000' }]) })!;
    expect(short.futures!.positions[0]).toMatchObject({ side: 'SHORT', size: '0.005', entryPrice: '66000', leverage: 20 });
    const closed = positionsIntoPortfolio(PORTFOLIO, { type: 'position', market: 'futures', time: 1,
      positions: pushed([{ symbol: 'BTCUSDT', positionAmt: '0' }]) })!;
    expect(closed.futures!.positions).toEqual([]);
    expect(positionsIntoPortfolio(PORTFOLIO, { type: 'position', market: 'futures', time: 1,
      positions: pushed([{ symbol: 'ETHUSDT', positionAmt: '1' }]) })).toBeNull();
  });

  it('applyAccountEvent — sets the caches it can, and reads again the one it cannot', () => {
    const queries = new QueryClient();
    queries.setQueryData(KEYS.history, HISTORY);
    queries.setQueryData(KEYS.spotOpen, { orders: [], count: 0 });
    const invalidate = vi.spyOn(queries, 'invalidateQueries');
    applyAccountEvent(queries, fill(1, 'FILLED', '0.00200000'));
    expect(queries.getQueryData<typeof HISTORY>(KEYS.history)!.orders[0]!.status).toBe('FILLED');
    // the open orders did not have it (placed elsewhere): read again
    expect(invalidate).toHaveBeenCalledWith({ queryKey: KEYS.spotOpen, exact: true, refetchType: 'active' });
    expect(invalidate).toHaveBeenCalledWith({ queryKey: KEYS.history, exact: true, refetchType: 'none' });
  });
});

/** A response whose body the test writes server-sent events into. */
function eventStream() {
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const body = new ReadableStream<Uint8Array>({ start: (c) => { controller = c; } });
  const send = (event: string, data: unknown) =>
    controller.enqueue(new TextEncoder().encode(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`));
  return { response: new Response(body, { headers: { 'content-type': 'text/event-stream' } }), send };
}

describe('TradeScreen, live', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('a fill pushed on the account stream (with the Bearer token) turns the row FILLED and moves the balance; a margin call is an alert', async () => {
    const stream = eventStream();
    const calls = mockFetch({ ...signedIn('trader'),
      '/direct-api/binance/stream/account': () => stream.response,
      '/direct-api/binance/orders': () => json(200, HISTORY),
      '/direct-api/binance/open-orders': () => json(200, OPEN),
      '/direct-api/binance/portfolio': () => json(200, PORTFOLIO),
      '/direct-api/binance/risk': () => json(200, { in_force: LIMITS, ceilings: LIMITS, admin: null }),
      '/direct-api/watchlist': () => json(200, { symbols: ['BTCUSDT'] }),
      '/api/binance/exchange-info': () => json(200, { symbols: [], count: 0, source: 'live', as_of: '2026-12-06T13:00:00Z' }),
    });
    renderWithApp(<RequireRole role="viewer"><TradeScreen /></RequireRole>);
    const row = await screen.findByText('dip-1', { selector: 'table.history td' });
    expect(row.closest('tr')).toHaveAttribute('data-status', 'NEW');
    const opened = calls.find((c) => c.path === '/direct-api/binance/stream/account')!;
    expect(opened.headers.get('authorization')).toMatch(/^Bearer token-trader-/);

    await act(async () => {
      stream.send('user_streams', { spot: 'up', futures: 'up' });
      stream.send('account', fill(1, 'FILLED', '0.00200000'));
      stream.send('account', { type: 'balance', market: 'spot', time: 2,
        balances: [{ asset: 'BTC', free: '0.10199800', locked: '0.00000000' }] });
      stream.send('account', { type: 'margin_call', market: 'futures', time: 3, positions: [{ symbol: 'BTCUSDT',
        positionAmt: '0.010', markPrice: '40000', unrealizedProfit: '-250', maintenanceMargin: '2' }] });
    });
    await vi.waitFor(() => expect(row.closest('tr')).toHaveAttribute('data-status', 'FILLED'));
    expect(document.querySelector('table.balances tr[data-asset=BTC] .free')).toHaveTextContent('0.101998');
    expect(screen.getByTestId('margin-call')).toHaveTextContent('BTCUSDT (0.01 at mark 40000, unrealized -250 USDT');
    expect(screen.getByTestId('account-stream')).toHaveTextContent("Binance's user data streams: spot up, futures up");
    expect(document.querySelector('table.open-orders')).toBeNull(); // FILLED: no longer open
  });
});

const LIMITS = { max_order_notional: null, max_orders_per_min: null, allowed_symbols: null, max_leverage: 10,
  trading_halted: false };
