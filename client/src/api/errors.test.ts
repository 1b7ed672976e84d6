import { describe, expect, it } from 'vitest';
import { ApiError, errorFrom, readable } from './errors';

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

  it('a network failure — says the server cannot be reached', () => {
    expect(readable(new TypeError('Failed to fetch'))).toMatch(/cannot be reached/);
  });
});
