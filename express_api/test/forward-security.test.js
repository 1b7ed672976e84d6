'use strict';
// Issue 12: only public market data is forwarded, without the internal token, and the
// forwarder cannot be walked out of its prefixes.
const { test } = require('node:test');
const assert = require('node:assert/strict');
const http = require('node:http');
const { buildApp, startStandIn, json } = require('./helpers');

// python_service answering every path with 200, so anything that slips through shows in the log.
async function answerEverything(t) {
  const standIn = await startStandIn();
  standIn.fallback = (req, res) => json(res, 200, { reached: req.url });
  t.after(() => standIn.close());
  return standIn;
}

// A raw request: supertest and fetch would normalise dot segments and backslashes before sending.
async function rawGet(app, path) {
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  try {
    return await new Promise((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port: server.address().port, path, method: 'GET' }, (res) => {
        let text = '';
        res.on('data', (c) => { text += c; });
        res.on('end', () => resolve({ status: res.statusCode, body: JSON.parse(text) }));
      });
      req.on('error', reject);
      req.end();
    });
  } finally {
    server.close();
  }
}

const FORWARDED = [
  '/api/status', '/api/binance/price/BTCUSDT', '/api/binance/prices?symbols=BTCUSDT', '/api/binance/ticker/24hr',
  '/api/binance/klines?symbol=BTCUSDT&interval=1m', '/api/binance/depth?symbol=BTCUSDT', '/api/binance/trades?symbol=X',
  '/api/binance/avg-price/BTCUSDT', '/api/binance/exchange-info', '/api/binance/futures/ticker/24hr',
  '/api/binance/futures/klines?symbol=BTCUSDT', '/api/binance/futures/depth?symbol=BTCUSDT',
  '/api/binance/futures/open-interest/BTCUSDT', '/api/binance/futures/funding-rate',
  '/api/binance/futures/premium-index', '/api/binance/connection-status',
];

test('GET public market-data routes — forwarded as asked, without X-Internal-Token', async (t) => {
  const standIn = await answerEverything(t);
  const { agent } = buildApp({ env: { PYTHON_SERVICE_URL: standIn.url, INTERNAL_API_TOKEN: 'internal-tok-77' } });
  for (const path of FORWARDED) {
    const res = await agent().get(path);
    assert.equal(res.status, 200, path);
  }
  assert.deepEqual(standIn.log.map((r) => r.url), FORWARDED);
  assert.ok(standIn.log.every((r) => r.headers['x-internal-token'] === undefined), 'a forwarded request carried the token');
});

test('POST /api/binance/order/validate — forwarded without X-Internal-Token', async (t) => {
  const standIn = await answerEverything(t);
  const { agent } = buildApp({ env: { PYTHON_SERVICE_URL: standIn.url, INTERNAL_API_TOKEN: 'internal-tok-77' } });
  const res = await agent().post('/api/binance/order/validate').send({ symbol: 'BTCUSDT' });
  assert.equal(res.status, 200);
  assert.equal(standIn.log.length, 1);
  assert.equal(standIn.log[0].headers['x-internal-token'], undefined);
});

for (const [method, path] of [
  ['get', '/api/binance/trading/status'], ['get', '/api/binance/futures/account'],
  ['get', '/api/binance/futures/positions'], ['get', '/api/binance/open-orders'],
  ['post', '/api/binance/orders'], ['get', '/api/binance/orders/BTCUSDT/abc'], ['delete', '/api/binance/orders/BTCUSDT/abc'],
  ['get', '/api/binance/nothing-here'], ['get', '/api/binance'], ['get', '/api/binance/price/BTCUSDT/extra'],
]) {
  test(`${method.toUpperCase()} ${path} — not a public route — JSON 404 and nothing reaches python_service`, async (t) => {
    const standIn = await answerEverything(t);
    const { agent } = buildApp({ env: { PYTHON_SERVICE_URL: standIn.url, INTERNAL_API_TOKEN: 'internal-tok-77' } });
    const res = await agent()[method](path);
    assert.equal(res.status, 404);
    assert.equal(res.body.error.code, 'not_found');
    assert.equal(standIn.log.length, 0);
  });
}

for (const path of [
  '/api/binance/%2e%2e/%2e%2e/metrics', '/api/binance/..\\..\\metrics', '/api/binance/.%2e/.%2e/metrics',
  '/api/binance/x/%2e%2e/trading/status', '/api/binance/price/%2E%2E', '/api/binance/price/..',
  '/api/binance/./prices', '/api/binance/price/..%5c..%5cmetrics', '/api/binance/price/a%2fb', '/api/binance/price/a%2F..%2Fb',
  '/api/status/..', '/api/binance/futures/%2e%2e/trading/status', '/api/binance/price/%5C',
]) {
  test(`GET ${path} — a path that could leave the forwarded prefixes — 400 invalid_path, nothing reaches python_service`, async (t) => {
    const standIn = await answerEverything(t);
    const { app } = buildApp({ env: { PYTHON_SERVICE_URL: standIn.url } });
    const res = await rawGet(app, path);
    assert.equal(res.status, 400);
    assert.deepEqual(Object.keys(res.body.error).sort(), ['code', 'message']);
    assert.equal(res.body.error.code, 'invalid_path');
    assert.equal(standIn.log.length, 0);
  });
}

test('a query string may carry encoded slashes and dots — still forwarded (only the path is checked)', async (t) => {
  const standIn = await answerEverything(t);
  const { agent } = buildApp({ env: { PYTHON_SERVICE_URL: standIn.url } });
  const res = await agent().get('/api/binance/prices?symbols=A%2e%2fB');
  assert.equal(res.status, 200);
  assert.equal(standIn.log[0].url, '/api/binance/prices?symbols=A%2e%2fB');
});

test('405 — a forwarded path with another method — Allow header, nothing forwarded', async (t) => {
  const standIn = await answerEverything(t);
  const { agent } = buildApp({ env: { PYTHON_SERVICE_URL: standIn.url } });
  const del = await agent().delete('/api/binance/prices');
  const get = await agent().get('/api/binance/order/validate');
  assert.equal(del.status, 405);
  assert.equal(del.headers.allow, 'GET, HEAD');
  assert.equal(get.status, 405);
  assert.equal(get.headers.allow, 'POST');
  assert.equal(get.body.error.code, 'method_not_allowed');
  assert.equal(standIn.log.length, 0);
});

test('python_service client — a path that URL resolution would move — 400 invalid_path before any request', async (t) => {
  const { createPythonService } = require('../src/python-service');
  const standIn = await answerEverything(t);
  const client = createPythonService({ baseUrl: standIn.url, internalApiToken: 'tok' });
  for (const path of ['/api/binance/x/%2e%2e/trading/status', '/api/binance/..\\metrics', '/api/binance/./prices']) {
    await assert.rejects(client.request(path, { timeoutMs: 1000 }),
      (err) => err.status === 400 && err.code === 'invalid_path', path);
  }
  assert.equal(standIn.log.length, 0);
});
