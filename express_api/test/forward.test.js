'use strict';
const { test } = require('node:test');
const assert = require('node:assert/strict');
const { buildApp, startStandIn, json, closedPort } = require('./helpers');

test('GET /api/binance/* — forwarded unchanged: status, body, X-Data-Source, Retry-After and query', async (t) => {
  const standIn = await startStandIn({
    '/api/binance/prices': (req, res) => json(res, 200, { prices: [], source: 'stale' }, { 'x-data-source': 'stale' }),
    '/api/binance/price/NOPE': (req, res) => json(res, 404, { error: { code: 'unknown_symbol', message: 'x' } }),
    '/api/binance/price/BTCUSDT': (req, res) => json(res, 503, { error: { code: 'upstream_unavailable', message: 'y' } },
      { 'retry-after': '30' }),
  });
  t.after(() => standIn.close());
  const { agent } = buildApp({ env: { PYTHON_SERVICE_URL: standIn.url } });

  const ok = await agent().get('/api/binance/prices?symbols=BTCUSDT,ETHUSDT');
  const missing = await agent().get('/api/binance/price/NOPE');
  const down = await agent().get('/api/binance/price/BTCUSDT');

  assert.equal(ok.status, 200);
  assert.equal(ok.headers['x-data-source'], 'stale');
  assert.deepEqual(ok.body, { prices: [], source: 'stale' });
  assert.equal(standIn.log[0].url, '/api/binance/prices?symbols=BTCUSDT,ETHUSDT');
  assert.equal(missing.status, 404);
  assert.equal(missing.body.error.code, 'unknown_symbol');
  assert.equal(down.status, 503);
  assert.equal(down.headers['retry-after'], '30');
});

test('GET /api/status — forwarded to python_service', async (t) => {
  const standIn = await startStandIn({ '/api/status': (req, res) => json(res, 200, { service: 'binance-gateway' }) });
  t.after(() => standIn.close());
  const res = await buildApp({ env: { PYTHON_SERVICE_URL: standIn.url } }).agent().get('/api/status');
  assert.equal(res.status, 200);
  assert.equal(res.body.service, 'binance-gateway');
});

test('GET /api/status — python_service down — 502 in the error shape', async () => {
  const res = await buildApp({ env: { PYTHON_SERVICE_URL: `http://127.0.0.1:${await closedPort()}` } }).agent().get('/api/status');
  assert.equal(res.status, 502);
  assert.equal(res.body.error.code, 'python_service_unreachable');
});

test('GET /api/binance/prices — python_service silent — 503 after FORWARD_TIMEOUT_MS, no hang', async (t) => {
  const standIn = await startStandIn({ '/api/binance/prices': () => {} });
  t.after(() => standIn.close());
  const { agent } = buildApp({ env: { PYTHON_SERVICE_URL: standIn.url, FORWARD_TIMEOUT_MS: '300' } });
  const started = Date.now();
  const res = await agent().get('/api/binance/prices');
  assert.equal(res.status, 503);
  assert.equal(res.body.error.code, 'python_service_timeout');
  assert.ok(Date.now() - started < 2000);
});

test('GET /api/binance/prices — python_service answers 500 — the answer is forwarded as it is', async (t) => {
  const standIn = await startStandIn({ '/api/binance/prices': (req, res) => json(res, 500, { error: { code: 'internal_error', message: 'z' } }) });
  t.after(() => standIn.close());
  const res = await buildApp({ env: { PYTHON_SERVICE_URL: standIn.url } }).agent().get('/api/binance/prices');
  assert.equal(res.status, 500);
  assert.equal(res.body.error.code, 'internal_error');
});

test('POST /api/binance/order/validate — the raw body is forwarded byte for byte (no float rounding)', async (t) => {
  let received;
  const standIn = await startStandIn({
    '/api/binance/order/validate': (req, res) => {
      const chunks = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => {
        received = { body: Buffer.concat(chunks).toString(), type: req.headers['content-type'], method: req.method };
        json(res, 200, { valid: true }, { 'x-data-source': 'cache' });
      });
    },
  });
  t.after(() => standIn.close());
  const { agent } = buildApp({ env: { PYTHON_SERVICE_URL: standIn.url } });
  const raw = '{"symbol":"BTCUSDT","side":"BUY","type":"LIMIT","quantity":0.30000000000000000001,"price":0.1}';

  const res = await agent().post('/api/binance/order/validate').set('Content-Type', 'application/json').send(raw);

  assert.equal(res.status, 200);
  assert.equal(res.headers['x-data-source'], 'cache');
  assert.deepEqual(received, { body: raw, type: 'application/json', method: 'POST' });
});
