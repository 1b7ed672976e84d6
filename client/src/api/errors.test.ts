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
