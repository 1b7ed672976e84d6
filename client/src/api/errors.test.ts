import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiError, errorFrom, NetworkError, readable } from './errors';
import { api, ok } from './client';

describe('errorFrom', () => {
  it('an answer in the error shape — keeps its status, code and message, and Retry-After', () => {
    const response = new Response('', { status: 503, headers: { 'retry-after': '7' } });
    const error = errorFrom(503, { error: { code: 'upstream_unavailable', message: 'Binance is down' } }, response);
    expect(error).toBeInstanceOf(ApiError);
    expect([error.status, error.code, error.message, error.retryAfterS]).toEqual([503, 'upstream_unavailable', 'Binance is down', 7]);
    expect(readable(error)).toBe('Binance is down Try again in 7 s.');
  });

  it.each([[null], ['<html>bad gateway</html>'], [{ error: 'flat string' }], [{ error: { code: 5, message: [] } }]])(
    'an answer not in the error shape (%j) — a plain message with the status', (body) => {
      const error = errorFrom(502, body);
      expect(error.code).toBe('http_error');
      expect(readable(error)).toBe('The server answered HTTP 502');
    });

});

describe('failures before any answer', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('the connection fails — a NetworkError that says the server cannot be reached', async () => {
    vi.stubGlobal('fetch', () => Promise.reject(new TypeError('Failed to fetch')));
    const failure = ok(api.GET('/api/status'));
    await expect(failure).rejects.toBeInstanceOf(NetworkError);
    await expect(failure.catch(readable)).resolves.toMatch(/cannot be reached/);
  });

  it('a bug of ours (a TypeError elsewhere) — its own message, never "cannot be reached"', () => {
    expect(readable(new TypeError("Cannot read properties of undefined (reading 'price')"))).toMatch(/reading 'price'/);
  });
});

describe('refusals in words', () => {
  const refusal = (error: object) => readable(errorFrom(403, { error }));

  it.each([
    [{ code: 'risk_limit', message: 'SOLUSDT is not among the symbols the risk limits allow', limit: 'allowed_symbols',
      value: ['BTCUSDT', 'ETHUSDT'] },
    'Refused by the risk limit allowed_symbols (allowed symbols: BTCUSDT, ETHUSDT). SOLUSDT is not among the symbols the '
      + 'risk limits allow. Nothing was sent to Binance.'],
    [{ code: 'risk_limit', message: 'trading is halted by the risk limits: no order is placed', limit: 'trading_halted', value: true },
      'Refused by the risk limit trading_halted (trading is halted). Trading is halted by the risk limits: no order is '
      + 'placed. Nothing was sent to Binance.'],
    [{ code: 'risk_limit', message: 'too many orders this minute', limit: 'max_orders_per_min', value: 5 },
      'Refused by the risk limit max_orders_per_min (orders per minute: 5). Too many orders this minute. Nothing was sent to Binance.'],
    [{ code: 'looser_than_ceiling', message: 'the settings allow no more than this for max_leverage, max_order_notional',
      limits: ['max_leverage', 'max_order_notional'], ceilings: { max_leverage: 5, max_order_notional: '1000' } },
    "Looser than the gateway's settings allow: highest leverage at most 5x; largest order value at most 1000 USDT. An admin "
      + 'may only tighten the limits.'],
  ])('%j', (error, words) => {
    expect(refusal(error)).toBe(words);
  });
});
