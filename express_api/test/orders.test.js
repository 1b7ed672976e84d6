'use strict';
const { test } = require('node:test');
const assert = require('node:assert/strict');
const { buildApp, startStandIn, json, registerAndLogin } = require('./helpers');

const PLACED = (clientOrderId) => ({ outcome: 'placed', market: 'spot', clientOrderId, symbol: 'BTCUSDT',
  replayed: false, recovered: false, order: { clientOrderId, status: 'FILLED', executedQty: '0.00100000' } });
const ORDER = { symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '0.00100' };

function readBody(req) {
  return new Promise((resolve) => {
    let text = '';
    req.on('data', (chunk) => { text += chunk; });
    req.on('end', () => resolve(JSON.parse(text || '{}')));
  });
}

async function setUp(t, handler, env = {}) {
  const bodies = [];
  const standIn = await startStandIn({
    '/api/binance/orders': async (req, res) => {
      const body = await readBody(req);
      bodies.push(body);
      return handler(req, res, body);
    },
    '/api/binance/open-orders': (req, res) => json(res, 200, { orders: [
      { clientOrderId: 'u1-a', symbol: 'BTCUSDT' }, { clientOrderId: 'u2-b', symbol: 'BTCUSDT' },
      { clientOrderId: 'u10-c', symbol: 'BTCUSDT' }], count: 3 }),
    '/api/binance/futures/positions': (req, res) => json(res, 200, { positions: [{ symbol: 'BTCUSDT', side: 'LONG' }],
      count: 1 }),
  });
  t.after(() => standIn.close());
  const built = buildApp({ env: { PYTHON_SERVICE_URL: standIn.url, INTERNAL_API_TOKEN: 'internal-tok', ...env } });
  const alice = await registerAndLogin(built.agent, 'alice');
  const bob = await registerAndLogin(built.agent, 'bobby');
  const as = (token) => ({
    place: (order) => built.agent().post('/direct-api/binance/orders').set('Authorization', `Bearer ${token}`).send(order),
    list: () => built.agent().get('/direct-api/binance/orders').set('Authorization', `Bearer ${token}`),
    open: () => built.agent().get('/direct-api/binance/open-orders').set('Authorization', `Bearer ${token}`),
  });
  return { standIn, bodies, alice: as(alice), bob: as(bob), ...built };
}

const placeAll = (req, res, body) => json(res, 201, PLACED(body.clientOrderId));

test('POST /direct-api/binance/orders — without a token — 401 and python_service is not asked', async (t) => {
  const { agent, standIn } = await setUp(t, placeAll);
  const res = await agent().post('/direct-api/binance/orders').send(ORDER);
  assert.equal(res.status, 401);
  assert.equal(standIn.log.length, 0);
});

test('POST /direct-api/binance/orders — placed — sent with the internal token and a per-user clientOrderId, recorded', async (t) => {
  const { alice, standIn, bodies } = await setUp(t, placeAll);
  const res = await alice.place({ ...ORDER, clientOrderId: 'mine-1' });
  assert.equal(res.status, 201);
  assert.equal(res.body.outcome, 'placed');
  assert.equal(res.body.clientOrderId, 'mine-1');
  assert.equal(res.body.binanceClientOrderId, 'u1-mine-1');
  assert.deepEqual(bodies, [{ ...ORDER, clientOrderId: 'u1-mine-1' }]);
  assert.equal(standIn.log[0].headers['x-internal-token'], 'internal-tok');
  assert.ok(!JSON.stringify(res.body).includes('internal-tok'));

  const history = await alice.list();
  assert.equal(history.status, 200);
  assert.equal(history.body.count, 1);
  const [row] = history.body.orders;
  assert.deepEqual([row.clientOrderId, row.symbol, row.outcome, row.http_status], ['u1-mine-1', 'BTCUSDT', 'placed', 201]);
  assert.deepEqual(row.request, { ...ORDER, clientOrderId: 'mine-1' });
  assert.ok(Date.parse(row.created_at));
});

test('POST /direct-api/binance/orders — a repeat of the same clientOrderId updates the one record', async (t) => {
  let calls = 0;
  const { alice } = await setUp(t, (req, res, body) => {
    calls += 1;
    return json(res, calls === 1 ? 202 : 200, calls === 1 ? { outcome: 'unknown', clientOrderId: body.clientOrderId,
      retry_after_s: 3 } : { ...PLACED(body.clientOrderId), replayed: true }, calls === 1 ? { 'retry-after': '3' } : {});
  });
  const first = await alice.place({ ...ORDER, clientOrderId: 'again' });
  const second = await alice.place({ ...ORDER, clientOrderId: 'again' });
  assert.equal(first.status, 202);
  assert.equal(first.headers['retry-after'], '3');
  assert.equal(second.status, 200);
  const history = (await alice.list()).body;
  assert.equal(history.count, 1);
  assert.equal(history.orders[0].outcome, 'placed');
});

test('GET /direct-api/binance/orders — a user sees only their own orders', async (t) => {
  const { alice, bob } = await setUp(t, placeAll);
  await alice.place({ ...ORDER, clientOrderId: 'a1' });
  await alice.place({ ...ORDER, clientOrderId: 'a2' });
  await bob.place({ ...ORDER, clientOrderId: 'a1' }); // the same own id: a different Binance order

  const mine = (await alice.list()).body.orders.map((o) => o.clientOrderId);
  const his = (await bob.list()).body.orders.map((o) => o.clientOrderId);
  assert.deepEqual(mine, ['u1-a2', 'u1-a1']);
  assert.deepEqual(his, ['u2-a1']);
});

test('GET /direct-api/binance/open-orders — only the user\'s own open orders', async (t) => {
  const { alice, bob } = await setUp(t, placeAll);
  assert.deepEqual((await alice.open()).body.orders.map((o) => o.clientOrderId), ['u1-a']);
  assert.deepEqual((await bob.open()).body.orders.map((o) => o.clientOrderId), ['u2-b']);
});

test('POST /direct-api/binance/orders — a rejection is passed on with its code and recorded as rejected', async (t) => {
  const { alice } = await setUp(t, (req, res, body) => json(res, 400, { error: { code: 'order_rejected',
    message: 'Binance rejected the order: Duplicate order sent.', outcome: 'rejected', clientOrderId: body.clientOrderId,
    upstream: { status: 400, code: -2010 } } }));
  const res = await alice.place({ ...ORDER, clientOrderId: 'rej' });
  assert.equal(res.status, 400);
  assert.equal(res.body.error.code, 'order_rejected');
  assert.deepEqual(res.body.error.upstream, { status: 400, code: -2010 });
  assert.equal((await alice.list()).body.orders[0].outcome, 'rejected');
});

test('POST /direct-api/binance/orders — python_service silent — 503 unknown with the id to repeat, recorded unknown', async (t) => {
  const { alice } = await setUp(t, () => {}, { FORWARD_TIMEOUT_MS: '200' });
  const res = await alice.place({ ...ORDER, clientOrderId: 'slow' });
  assert.equal(res.status, 503);
  assert.equal(res.body.error.outcome, 'unknown');
  assert.equal(res.body.error.clientOrderId, 'slow');
  assert.equal((await alice.list()).body.orders[0].outcome, 'unknown');
});

test('POST /direct-api/binance/orders — decimals as numbers and bad ids are 400 before python_service', async (t) => {
  const { alice, standIn } = await setUp(t, placeAll);
  for (const order of [{ ...ORDER, quantity: 0.001 }, { ...ORDER, clientOrderId: 'has space' }, [ORDER],
    { ...ORDER, symbol: undefined }, { ...ORDER, clientOrderId: 'x'.repeat(25) }]) {
    const res = await alice.place(order);
    assert.equal(res.status, 400, JSON.stringify(order));
  }
  assert.equal(standIn.log.length, 0);
});

test('POST /direct-api/binance/orders — per-user rate limit: 429 past the limit, other users unaffected', async (t) => {
  const { alice, bob, standIn } = await setUp(t, placeAll, { ORDER_RATE_LIMIT_PER_MIN: '2' });
  assert.equal((await alice.place(ORDER)).status, 201);
  assert.equal((await alice.place(ORDER)).status, 201);
  const limited = await alice.place(ORDER);
  assert.equal(limited.status, 429);
  assert.equal(limited.body.error.code, 'rate_limited');
  assert.ok(Number(limited.headers['retry-after']) >= 1);
  assert.equal((await bob.place(ORDER)).status, 201);
  assert.equal(standIn.log.filter((r) => r.url === '/api/binance/orders').length, 3);
});

test('GET /direct-api/binance/futures/positions — passed on for a logged-in user, with the internal token', async (t) => {
  const { agent, standIn } = await setUp(t, placeAll);
  const token = await registerAndLogin(agent, 'carol');
  const res = await agent().get('/direct-api/binance/futures/positions').set('Authorization', `Bearer ${token}`);
  assert.equal(res.status, 200);
  assert.equal(res.body.positions[0].symbol, 'BTCUSDT');
  assert.equal(standIn.log.at(-1).headers['x-internal-token'], 'internal-tok');
});
