'use strict';
const { test } = require('node:test');
const assert = require('node:assert/strict');
const { buildApp, startStandIn, json, PRICES } = require('./helpers');

test('X-Request-ID — a well-formed one is echoed, logged and passed on to python_service', async (t) => {
  const standIn = await startStandIn({ '/api/binance/prices': (req, res) => json(res, 200, PRICES) });
  t.after(() => standIn.close());
  const { agent, logs } = buildApp({ env: { PYTHON_SERVICE_URL: standIn.url } });

  const res = await agent().get('/direct-api/binance/demo-balance').set('X-Request-ID', 'trace-42');

  assert.equal(res.headers['x-request-id'], 'trace-42');
  assert.equal(standIn.log[0].headers['x-request-id'], 'trace-42');
  const line = logs.map((l) => JSON.parse(l)).find((l) => l.req && l.req.url === '/direct-api/binance/demo-balance');
  assert.equal(line.req.id, 'trace-42');
  assert.equal(line.res.statusCode, 200);
});

test('X-Request-ID — missing or malformed: a new one is generated and echoed', async () => {
  const { agent } = buildApp();
  const a = await agent().get('/nowhere');
  const b = await agent().get('/nowhere').set('X-Request-ID', 'no spaces allowed');
  assert.match(a.headers['x-request-id'], /^[0-9a-f]{32}$/);
  assert.match(b.headers['x-request-id'], /^[0-9a-f]{32}$/);
  assert.notEqual(a.headers['x-request-id'], b.headers['x-request-id']);
});

test('GET /metrics — requests by route pattern and status, with latency histograms', async (t) => {
  const standIn = await startStandIn({ '/api/binance/price/BTCUSDT': (req, res) => json(res, 200, { price: '1' }) });
  t.after(() => standIn.close());
  const { agent } = buildApp({ env: { PYTHON_SERVICE_URL: standIn.url } });
  await agent().get('/api/binance/price/BTCUSDT');
  await agent().get('/api/nowhere');

  const res = await agent().get('/metrics');

  assert.equal(res.status, 200);
  assert.match(res.headers['content-type'], /text\/plain/);
  assert.match(res.text, /express_api_http_requests_total\{route="\/api\/binance\/price\/:symbol",method="GET",status="200"\} 1/);
  assert.match(res.text, /express_api_http_requests_total\{route="unmatched",method="GET",status="404"\} 1/);
  assert.match(res.text, /express_api_http_request_duration_seconds_bucket\{le="0.5",route="\/api\/binance\/price\/:symbol",method="GET"\} 1/);
});
