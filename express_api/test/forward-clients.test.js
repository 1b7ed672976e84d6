'use strict';
// Issue 12: python_service sees each client's address (one X-Forwarded-For value, from
// TRUST_PROXY only), and express limits forwarded requests per client address.
const { test } = require('node:test');
const assert = require('node:assert/strict');
const { buildApp, startStandIn, json } = require('./helpers');
const { loadConfig, ConfigError } = require('../src/config');

async function pricesStandIn(t) {
  const standIn = await startStandIn({ '/api/binance/prices': (req, res) => json(res, 200, { prices: [] }) });
  t.after(() => standIn.close());
  return standIn;
}

for (const [trustProxy, sent, expected] of [
  [undefined, '6.6.6.6, 7.7.7.7', /^(::ffff:)?127\.0\.0\.1$/],
  ['false', '6.6.6.6', /^(::ffff:)?127\.0\.0\.1$/],
  ['true', '6.6.6.6, 7.7.7.7', /^6\.6\.6\.6$/],
  ['1', '6.6.6.6, 7.7.7.7', /^7\.7\.7\.7$/],
  ['loopback, 10.0.0.0/8', '6.6.6.6, 10.1.2.3', /^6\.6\.6\.6$/],
]) {
  test(`X-Forwarded-For to python_service — TRUST_PROXY=${trustProxy} and the client sends "${sent}" — one value, the client's address`, async (t) => {
    const standIn = await pricesStandIn(t);
    const env = { PYTHON_SERVICE_URL: standIn.url, ...(trustProxy === undefined ? {} : { TRUST_PROXY: trustProxy }) };
    const { agent } = buildApp({ env });
    await agent().get('/api/binance/prices').set('X-Forwarded-For', sent).expect(200);
    assert.match(standIn.log[0].headers['x-forwarded-for'], expected);
  });
}

test('demo-balance — its prices call to python_service carries the client address too', async (t) => {
  const standIn = await pricesStandIn(t);
  const { agent } = buildApp({ env: { PYTHON_SERVICE_URL: standIn.url } });
  await agent().get('/direct-api/binance/demo-balance').set('X-Forwarded-For', '6.6.6.6');
  assert.match(standIn.log[0].headers['x-forwarded-for'], /^(::ffff:)?127\.0\.0\.1$/);
});

test('forwarded routes — over FORWARD_RATE_LIMIT_PER_MIN from one address — 429 with Retry-After, others unaffected', async (t) => {
  const standIn = await pricesStandIn(t);
  const { agent } = buildApp({ env: { PYTHON_SERVICE_URL: standIn.url, FORWARD_RATE_LIMIT_PER_MIN: '3', TRUST_PROXY: 'loopback' } });
  const hog = () => agent().get('/api/binance/prices').set('X-Forwarded-For', '6.6.6.6');
  const statuses = [];
  for (let i = 0; i < 4; i += 1) statuses.push((await hog()).status);
  const limited = await hog();
  const other = await agent().get('/api/binance/prices').set('X-Forwarded-For', '8.8.8.8');

  assert.deepEqual(statuses, [200, 200, 200, 429]);
  assert.equal(limited.body.error.code, 'rate_limited');
  assert.deepEqual(Object.keys(limited.body.error).sort(), ['code', 'message']);
  const retryAfter = Number(limited.headers['retry-after']);
  assert.ok(retryAfter >= 1 && retryAfter <= 60, `Retry-After ${limited.headers['retry-after']}`);
  assert.equal(other.status, 200);
  assert.equal(standIn.log.length, 4);
});

test('config — FORWARD_RATE_LIMIT_PER_MIN defaults to 600 a minute', () => {
  assert.equal(loadConfig({}, { warn: () => {} }).forwardRateLimitPerMin, 600);
  assert.throws(() => loadConfig({ FORWARD_RATE_LIMIT_PER_MIN: '0' }, { warn: () => {} }), /FORWARD_RATE_LIMIT_PER_MIN/);
});

test('config — TRUST_PROXY: false by default; true, a hop count or a list of addresses and subnets', () => {
  const trust = (value) => loadConfig(value === undefined ? {} : { TRUST_PROXY: value }, { warn: () => {} }).trustProxy;
  assert.equal(trust(undefined), false);
  assert.equal(trust('false'), false);
  assert.equal(trust('true'), true);
  assert.equal(trust('2'), 2);
  assert.deepEqual(trust('loopback, 10.0.0.0/8,192.168.1.1, ::1, fd00::/8'), ['loopback', '10.0.0.0/8', '192.168.1.1', '::1', 'fd00::/8']);
});

for (const bad of ['banana', '10.0.0.0/33', '1.2.3', '-1', 'loopback,,', '::1/129', 'yes']) {
  test(`config — TRUST_PROXY=${bad} — a ConfigError naming TRUST_PROXY`, () => {
    assert.throws(() => loadConfig({ TRUST_PROXY: bad }, { warn: () => {} }),
      (err) => err instanceof ConfigError && /TRUST_PROXY/.test(err.message));
  });
}
