import { afterEach, describe, expect, it, vi } from 'vitest';
import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { SymbolSearch } from './SymbolSearch';
import { Watchlist, useWatchlist } from './Watchlist';
import { json, mockFetch, renderWithApp } from '../../test/fakes';
import { matchSymbols, symbolProblem } from '../../symbols';

const rules = (symbol: string, status = 'TRADING') => ({ symbol, status, base_asset: null, quote_asset: 'USDT',
  order_types: ['LIMIT'], filters: {} });
const LISTED = ['BTCUSDT', 'ETHUSDT', 'ETHBTC', '币安人生USDT'];
const exchangeInfo = () => json(200, { symbols: [...LISTED.map((s) => rules(s)), rules('LUNAUSDT', 'BREAK')],
  count: 5, source: 'live', as_of: '2026-12-06T13:00:00Z' });

describe('symbols', () => {
  it('matches in any case and after NFC, those starting with the text first', () => {
    expect(matchSymbols(LISTED, 'eth')).toEqual(['ETHUSDT', 'ETHBTC']);
    expect(matchSymbols(LISTED, 'btc')).toEqual(['BTCUSDT', 'ETHBTC']);
    expect(matchSymbols(LISTED, '人生')).toEqual(['币安人生USDT']);
  });

  it('hostile input — a sentence, not a crash', () => {
    expect(symbolProblem('   ')).toBe('Type a symbol, such as BTCUSDT.');
    expect(symbolProblem('X'.repeat(10_000))).toBe('A symbol has at most 50 characters.');
    expect(symbolProblem('BTC/USDT')).toBe('A symbol is letters and digits (of any script) and - _ . only.');
    expect(symbolProblem('<script>')).toMatch(/letters and digits/);
    expect(symbolProblem('币安人生usdt')).toBeNull();
  });
});

describe('SymbolSearch', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('finds a Unicode symbol in the exchange\'s list (trading ones only) and chooses it', async () => {
    mockFetch({ '/api/binance/exchange-info': exchangeInfo });
    const chosen: string[] = [];
    renderWithApp(<SymbolSearch chosen="BTCUSDT" onChoose={(s) => chosen.push(s)} />);
    await userEvent.type(screen.getByLabelText('Find a symbol'), '人生');
    await userEvent.click(await screen.findByRole('button', { name: '币安人生USDT' }));
    expect(chosen).toEqual(['币安人生USDT']);
    await userEvent.type(screen.getByLabelText('Find a symbol'), 'luna');
    expect(await screen.findByText('No listed symbol contains “luna”.')).toBeInTheDocument(); // not trading
  });

  it('a whole symbol the spot list lacks (a futures-only contract) — offered by its normal form', async () => {
    mockFetch({ '/api/binance/exchange-info': exchangeInfo });
    const chosen: string[] = [];
    renderWithApp(<SymbolSearch chosen="BTCUSDT" onChoose={(s) => chosen.push(s)} />);
    await userEvent.type(screen.getByLabelText('Find a symbol'), ' 1000pepeusdt ');
    await userEvent.click(await screen.findByRole('button', { name: /^Trade 1000PEPEUSDT \(not in the spot list/ }));
    expect(chosen).toEqual(['1000PEPEUSDT']);
  });

  it('punctuation typed — says what a symbol is', async () => {
    mockFetch({ '/api/binance/exchange-info': exchangeInfo });
    renderWithApp(<SymbolSearch chosen="BTCUSDT" onChoose={() => {}} />);
    await userEvent.type(screen.getByLabelText('Find a symbol'), 'BTC/USDT');
    expect(await screen.findByRole('alert')).toHaveTextContent('A symbol is letters and digits (of any script) and - _ . only.');
  });
});

function WatchlistWithAdd() {
  const watchlist = useWatchlist();
  return (<>
    <button type="button" onClick={() => watchlist.add('币安人生USDT')}>add</button>
    <Watchlist watchlist={watchlist} chosen="BTCUSDT" onChoose={() => {}} />
  </>);
}

describe('Watchlist', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('adds and removes through PUT /direct-api/watchlist, showing the list as the server saved it', async () => {
    let saved = ['BTCUSDT', 'ETHUSDT'];
    const calls = mockFetch({
      'GET /direct-api/watchlist': () => json(200, { symbols: saved }),
      'PUT /direct-api/watchlist': async (request) => {
        saved = (await request.json()).symbols;
        return json(200, { symbols: saved });
      },
    });
    renderWithApp(<WatchlistWithAdd />);
    await screen.findByRole('button', { name: 'ETHUSDT' });
    await userEvent.click(screen.getByRole('button', { name: 'add' }));
    expect(await screen.findByRole('button', { name: '币安人生USDT' })).toBeInTheDocument();
    await userEvent.click(screen.getByRole('button', { name: 'Remove ETHUSDT from the watchlist' }));
    await vi.waitFor(() => expect(screen.queryByRole('button', { name: 'ETHUSDT' })).not.toBeInTheDocument());
    const puts = calls.filter((c) => c.method === 'PUT').map((c) => JSON.parse(c.body));
    expect(puts).toEqual([{ symbols: ['BTCUSDT', 'ETHUSDT', '币安人生USDT'] }, { symbols: ['BTCUSDT', '币安人生USDT'] }]);
  });

  it('a refused save (a full list) — the server\'s words, the list unchanged', async () => {
    mockFetch({
      'GET /direct-api/watchlist': () => json(200, { symbols: ['BTCUSDT'] }),
      'PUT /direct-api/watchlist': () => json(400, { error: { code: 'invalid_watchlist', message: 'At most 100 symbols' } }),
    });
    renderWithApp(<WatchlistWithAdd />);
    await screen.findByRole('button', { name: 'BTCUSDT' });
    await userEvent.click(screen.getByRole('button', { name: 'add' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('The watchlist was not saved: At most 100 symbols');
    expect(screen.queryByRole('button', { name: '币安人生USDT' })).not.toBeInTheDocument();
  });
});
