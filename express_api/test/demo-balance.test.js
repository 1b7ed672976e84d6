'use strict';
const { test } = require('node:test');
const assert = require('node:assert/strict');
const { buildApp, startStandIn, json, closedPort, PRICES } = require('./helpers');

async function withStandIn(t, routes) {
  const standIn = await startStandIn(routes);
  t.after(() => standIn.close());
  return standIn;
}

test('GET /direct-api/binance/demo-balance — prices live — each asset valued in USDT from one prices call', async (t) => {
  const standIn = await withStandIn(t, { '/api/binance/prices': (req, res) => json(res, 200, PRICES) });
  const { agent } = buildApp({ env: { PYTHON_SERVICE_URL: standIn.url },
    holdings: { BTC: '0.5', ETH: '2', USDT: '100.25' } });

  const res = await agent().get('/direct-api/binance/demo-balance');

  assert.equal(res.status, 200);
  assert.equal(res.headers['x-data-source'], 'live');
  assert.deepEqual(res.body.assets.map((a) => [a.asset, a.price, a.value_usdt, a.source]), [
    ['BTC', '67012.34000000', '33506.17', 'live'],
    ['ETH', '3456.78000000', '6913.56', 'live'],
    ['USDT', '1', '100.25', 'quote_asset'],
  ]);
  assert.equal(res.body.total_usdt, '40519.98');
  assert.equal(res.body.prices_are_current, true);
  assert.equal(standIn.log.length, 1);
  assert.equal(standIn.log[0].url, '/api/binance/prices?symbols=BTCUSDT%2CETHUSDT');
});

test('GET /direct-api/binance/demo-balance — decimals that break floating point — exact decimal strings', async (t) => {
  const prices = { ...PRICES, prices: [{ symbol: 'AUSDT', price: '0.1' }, { symbol: 'BUSDT', price: '0.2' },
    { symbol: 'CUSDT', price: '0.00000001' }] };
  const standIn = await withStandIn(t, { '/api/binance/prices': (req, res) => json(res, 200, prices) });
  const { agent } = buildApp({ env: { PYTHON_SERVICE_URL: standIn.url },
    holdings: { A: '3', B: '1', C: '0.00000003' } });

  const res = await agent().get('/direct-api/binance/demo-balance');

  // 3 * 0.1 + 0.2 is 0.5000000000000001 in floating point
  assert.deepEqual(res.body.assets.map((a) => a.value_usdt), ['0.3', '0.2', '0.0000000000000003']);
  assert.equal(res.body.total_usdt, '0.5000000000000003');
});

for (const source of ['stale', 'fallback']) {
  test(`GET /direct-api/binance/demo-balance — prices ${source} — says so in source, note and each asset`, async (t) => {
    const standIn = await withStandIn(t, {
      '/api/binance/prices': (req, res) => json(res, 200, { ...PRICES, source, as_of: '2025-06-30T00:00:00.000Z' },
        { 'x-data-source': source }),
    });
    const { agent } = buildApp({ env: { PYTHON_SERVICE_URL: standIn.url } });

    const res = await agent().get('/direct-api/binance/demo-balance');

    assert.equal(res.status, 200);
    assert.equal(res.body.source, source);
    assert.equal(res.headers['x-data-source'], source);
    assert.equal(res.body.prices_are_current, false);
    assert.match(res.body.note, /Binance is unavailable/);
    assert.ok(res.body.assets.filter((a) => a.asset !== 'USDT').every((a) => a.source === source));
  });
}

test('GET /direct-api/binance/demo-balance — python_service down — 502 in the error shape', async () => {
  const { agent } = buildApp({ env: { PYTHON_SERVICE_URL: `http://127.0.0.1:${await closedPort()}` } });
  const res = await agent().get('/direct-api/binance/demo-balance');
  assert.equal(res.status, 502);
  assert.equal(res.body.error.code, 'python_service_unreachable');
});

test('GET /direct-api/binance/demo-balance — python_service silent — 503 within the timeout, no hang', async (t) => {
  const standIn = await withStandIn(t, { '/api/binance/prices': () => {} }); // never answers
  const { agent } = buildApp({ env: { PYTHON_SERVICE_URL: standIn.url, PYTHON_SERVICE_TIMEOUT_MS: '300' } });
  const started = Date.now();
  const res = await agent().get('/direct-api/binance/demo-balance');
  assert.equal(res.status, 503);
  assert.equal(res.body.error.code, 'python_service_timeout');
  assert.ok(Date.now() - started < 2000);
});

test('GET /direct-api/binance/demo-balance — python_service answers 500 — 502 upstream_error', async (t) => {
  const standIn = await withStandIn(t, { '/api/binance/prices': (req, res) => { res.writeHead(500); res.end('boom'); } });
  const { agent } = buildApp({ env: { PYTHON_SERVICE_URL: standIn.url } });
  const res = await agent().get('/direct-api/binance/demo-balance');
  assert.equal(res.status, 502);
  assert.equal(res.body.error.code, 'upstream_error');
  assert.ok(!JSON.stringify(res.body).includes('boom'));
});

test('GET /direct-api/binance/demo-balance — python_service says 503 upstream_unavailable — 503, its code and Retry-After', async (t) => {
  const standIn = await withStandIn(t, {
    '/api/binance/prices': (req, res) => json(res, 503, { error: { code: 'upstream_unavailable', message: 'down',
      upstream: { status: 451, code: 0 } } }, { 'retry-after': '42' }),
  });
  const { agent } = buildApp({ env: { PYTHON_SERVICE_URL: standIn.url } });
  const res = await agent().get('/direct-api/binance/demo-balance');
  assert.equal(res.status, 503);
  assert.equal(res.headers['retry-after'], '42');
  assert.deepEqual(res.body.error, { code: 'upstream_unavailable', message: 'down', upstream: { status: 451, code: 0 } });
});

test('GET /direct-api/binance/demo-balance — prices from the stream — current, no note', async (t) => {
  const standIn = await withStandIn(t, {
    '/api/binance/prices': (req, res) => json(res, 200, { ...PRICES, source: 'stream' }, { 'x-data-source': 'stream' }),
  });
  const { agent } = buildApp({ env: { PYTHON_SERVICE_URL: standIn.url } });

  const res = await agent().get('/direct-api/binance/demo-balance');

  assert.equal(res.body.source, 'stream');
  assert.equal(res.body.prices_are_current, true);
  assert.equal(res.body.note, null);
});

for (const [name, prices] of [['without one symbol\'s price', { ...PRICES, prices: PRICES.prices.slice(1) }],
  ['with a price that is not a decimal string', { ...PRICES, prices: [{ symbol: 'BTCUSDT', price: 67012.34 }, ...PRICES.prices.slice(1)] }],
  ['with no price list', { source: 'live' }]]) {
  test(`GET /direct-api/binance/demo-balance — python_service answers 200 ${name} — 502 upstream_error, not 500`, async (t) => {
    const standIn = await withStandIn(t, { '/api/binance/prices': (req, res) => json(res, 200, prices) });
    const res = await buildApp({ env: { PYTHON_SERVICE_URL: standIn.url } }).agent().get('/direct-api/binance/demo-balance');
    assert.equal(res.status, 502);
    assert.equal(res.body.error.code, 'upstream_error');
  });
}
