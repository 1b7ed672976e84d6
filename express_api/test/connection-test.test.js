'use strict';
const { test } = require('node:test');
const assert = require('node:assert/strict');
const { buildApp, startStandIn, json, closedPort, registerAndLogin } = require('./helpers');

const CONNECTED = { reachable: true, restricted: false, restriction_message: null, latency_ms: 12.5, state: 'ok',
  last_error: null };
const AUTHENTICATED = { api_key_configured: true, api_secret_configured: true, authenticated: true, can_trade: true,
  permissions: ['SPOT'], error: null, testnet: true };

async function setUp(t, connection, trading, env = {}) {
  const standIn = await startStandIn({
    '/api/binance/connection-status': (req, res) => json(res, 200, connection),
    '/api/binance/trading/status': (req, res) => json(res, 200, trading),
  });
  t.after(() => standIn.close());
  const built = buildApp({ env: { PYTHON_SERVICE_URL: standIn.url, ...env } });
  const token = await registerAndLogin(built.agent);
  const ask = () => built.agent().get('/direct-api/binance/connection-test').set('Authorization', `Bearer ${token}`);
  return { standIn, ask, ...built };
}

test('GET /direct-api/binance/connection-test — without a token — 401 and python_service is not asked', async (t) => {
  const { agent, standIn } = await setUp(t, CONNECTED, AUTHENTICATED);
  const res = await agent().get('/direct-api/binance/connection-test');
  assert.equal(res.status, 401);
  assert.equal(res.body.error.code, 'unauthorized');
  assert.equal(standIn.log.length, 0);
});

test('GET /direct-api/binance/connection-test — reachable and keys accepted — ok with latency, permissions and testnet', async (t) => {
  const { ask, standIn } = await setUp(t, CONNECTED, AUTHENTICATED, { INTERNAL_API_TOKEN: 'internal-tok' });
  const res = await ask();
  assert.equal(res.status, 200);
  assert.deepEqual(
    [res.body.ok, res.body.reachable, res.body.restricted, res.body.authenticated, res.body.keys_configured],
    [true, true, false, true, true]);
  assert.equal(res.body.latency_ms, 12.5);
  assert.deepEqual(res.body.permissions, ['SPOT']);
  assert.equal(res.body.testnet, true); // the client's testnet/live badge
  assert.equal(res.body.error, null);
  // the token goes only with the credential-using call, made after the user was checked
  const tokenBy = Object.fromEntries(standIn.log.map((r) => [r.url, r.headers['x-internal-token']]));
  assert.deepEqual(tokenBy, { '/api/binance/connection-status': undefined, '/api/binance/trading/status': 'internal-tok' });
  assert.ok(!JSON.stringify(res.body).includes('internal-tok'));
});

test('GET /direct-api/binance/connection-test — Binance answers 451 — restricted, not ok, with advice', async (t) => {
  const restricted = { ...CONNECTED, restricted: true, restriction_message: 'Service unavailable from a restricted location', state: 'restricted' };
  const { ask } = await setUp(t, restricted, AUTHENTICATED);
  const res = await ask();
  assert.equal(res.body.ok, false);
  assert.equal(res.body.restricted, true);
  assert.match(res.body.error, /451.*restricted location.*BINANCE_PROXY_URL/s);
});

test('GET /direct-api/binance/connection-test — keys not configured — not ok, says what to set', async (t) => {
  const { ask } = await setUp(t, CONNECTED, { ...AUTHENTICATED, api_key_configured: false, api_secret_configured: false,
    authenticated: false, permissions: [] });
  const res = await ask();
  assert.equal(res.body.ok, false);
  assert.equal(res.body.keys_configured, false);
  assert.match(res.body.error, /BINANCE_API_KEY/);
});

test('GET /direct-api/binance/connection-test — keys rejected — authenticated false with Binance message', async (t) => {
  const { ask } = await setUp(t, CONNECTED, { ...AUTHENTICATED, authenticated: false, permissions: [],
    error: { code: 'keys_rejected', message: 'Signature for this request is not valid.' } });
  const res = await ask();
  assert.equal(res.body.authenticated, false);
  assert.match(res.body.error, /Signature for this request is not valid/);
});

test('GET /direct-api/binance/connection-test — python_service down — 200 report, not ok, readable error', async () => {
  const built = buildApp({ env: { PYTHON_SERVICE_URL: `http://127.0.0.1:${await closedPort()}` } });
  const token = await registerAndLogin(built.agent);
  const res = await built.agent().get('/direct-api/binance/connection-test').set('Authorization', `Bearer ${token}`);
  assert.equal(res.status, 200);
  assert.equal(res.body.ok, false);
  assert.match(res.body.error, /python_service could not check the connection/);
});
