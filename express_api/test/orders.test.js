'use strict';
const { test } = require('node:test');
const assert = require('node:assert/strict');
const { buildApp, startStandIn, json, registerAndLogin, loginAs, closedPort } = require('./helpers');

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
    '/api/binance/futures/positions': (req, res) => json(res, 200, { positions: [{ symbol: 'BTCUSDT', side: 'LONG', positionAmt: '0.01' }],
      count: 1 }),
  });
  // python_service's one-order routes: only alice's Binance id u1-mine exists at "Binance"
  standIn.fallback = (req, res) => {
    const [path] = req.url.split('?');
    if (path !== '/api/binance/orders/BTCUSDT/u1-mine') {
      return json(res, 404, { error: { code: 'unknown_order', message: `no order at ${path}` } });
    }
    const order = { symbol: 'BTCUSDT', orderId: 1000, clientOrderId: 'u1-mine', status: 'NEW', price: '60000.00000000' };
    if (req.method === 'DELETE') {
      return json(res, 200, { order: { symbol: 'BTCUSDT', origClientOrderId: 'u1-mine', clientOrderId: 'cancel1000',
        orderId: 1000, status: 'CANCELED' } });
    }
    return json(res, 200, { order, journal: 'placed' });
  };
  t.after(() => standIn.close());
  const built = buildApp({ env: { PYTHON_SERVICE_URL: standIn.url, INTERNAL_API_TOKEN: 'internal-tok', ...env } });
  const alice = (await loginAs(built, 'alice', 'trader')).token;
  const bob = (await loginAs(built, 'bobby', 'trader')).token;
  const as = (token) => ({
    place: (order) => built.agent().post('/direct-api/binance/orders').set('Authorization', `Bearer ${token}`).send(order),
    list: () => built.agent().get('/direct-api/binance/orders').set('Authorization', `Bearer ${token}`),
    open: () => built.agent().get('/direct-api/binance/open-orders').set('Authorization', `Bearer ${token}`),
    get: (path) => built.agent().get(`/direct-api/binance/orders/${path}`).set('Authorization', `Bearer ${token}`),
    cancel: (path) => built.agent().delete(`/direct-api/binance/orders/${path}`).set('Authorization', `Bearer ${token}`),
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
  assert.deepEqual([res.body.order.clientOrderId, res.body.order.binanceClientOrderId], ['mine-1', 'u1-mine-1']);
  assert.deepEqual(bodies, [{ ...ORDER, clientOrderId: 'u1-mine-1' }]);
  assert.equal(standIn.log[0].headers['x-internal-token'], 'internal-tok');
  assert.ok(!JSON.stringify(res.body).includes('internal-tok'));

  const history = await alice.list();
  assert.equal(history.status, 200);
  assert.equal(history.body.count, 1);
  const [row] = history.body.orders;
  assert.deepEqual([row.clientOrderId, row.binanceClientOrderId, row.symbol, row.outcome, row.http_status],
    ['mine-1', 'u1-mine-1', 'BTCUSDT', 'placed', 201]);
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

  const ids = (o) => [o.clientOrderId, o.binanceClientOrderId];
  assert.deepEqual((await alice.list()).body.orders.map(ids), [['a2', 'u1-a2'], ['a1', 'u1-a1']]);
  assert.deepEqual((await bob.list()).body.orders.map(ids), [['a1', 'u2-a1']]);
});

test('GET /direct-api/binance/open-orders — the account\'s open orders, each with who placed it and whether it is mine', async (t) => {
  const { alice, bob, standIn } = await setUp(t, placeAll);
  await alice.place({ ...ORDER, clientOrderId: 'a' }); // recorded: u1-a is alice's
  await bob.place({ ...ORDER, clientOrderId: 'b' });
  const view = (o) => [o.clientOrderId, o.binanceClientOrderId, o.placed_by, o.mine];
  const asAlice = await alice.open();
  assert.equal(asAlice.status, 200);
  assert.deepEqual(asAlice.body.orders.map(view), [['a', 'u1-a', 'alice', true], ['u2-b', 'u2-b', 'bobby', false],
    ['u10-c', 'u10-c', null, false]], 'u10-c looks like ours, but no user placed it through express_api');
  assert.deepEqual((await bob.open()).body.orders.map(view), [['u1-a', 'u1-a', 'alice', false],
    ['b', 'u2-b', 'bobby', true], ['u10-c', 'u10-c', null, false]]);
  assert.equal(standIn.log.at(-1).url, '/api/binance/open-orders');
});

test('GET /direct-api/binance/orders/:symbol/:clientOrderId — asked under the user\'s Binance id, answered under theirs', async (t) => {
  const { alice, standIn } = await setUp(t, placeAll);
  const res = await alice.get('btcusdt/mine');
  assert.equal(res.status, 200);
  assert.equal(res.headers['cache-control'], 'no-store');
  assert.deepEqual([res.body.clientOrderId, res.body.binanceClientOrderId, res.body.journal], ['mine', 'u1-mine', 'placed']);
  assert.deepEqual([res.body.order.clientOrderId, res.body.order.binanceClientOrderId, res.body.order.status],
    ['mine', 'u1-mine', 'NEW']);
  const [asked] = standIn.log;
  assert.deepEqual([asked.method, asked.url], ['GET', '/api/binance/orders/BTCUSDT/u1-mine']);
  assert.equal(asked.headers['x-internal-token'], 'internal-tok');
});

test('DELETE /direct-api/binance/orders/:symbol/:clientOrderId — cancelled at python_service, history says canceled', async (t) => {
  const { alice, standIn } = await setUp(t, placeAll);
  await alice.place({ ...ORDER, type: 'LIMIT', clientOrderId: 'mine' });
  const res = await alice.cancel('BTCUSDT/mine');
  assert.equal(res.status, 200);
  assert.deepEqual([res.body.clientOrderId, res.body.binanceClientOrderId], ['mine', 'u1-mine']);
  assert.deepEqual([res.body.order.clientOrderId, res.body.order.binanceClientOrderId, res.body.order.status],
    ['mine', 'u1-mine', 'CANCELED']);
  assert.equal(res.body.order.origClientOrderId, undefined);
  assert.deepEqual([standIn.log.at(-1).method, standIn.log.at(-1).url], ['DELETE', '/api/binance/orders/BTCUSDT/u1-mine']);
  const [row] = (await alice.list()).body.orders;
  assert.deepEqual([row.clientOrderId, row.outcome], ['mine', 'canceled']);
});

test('GET and DELETE /direct-api/binance/orders/:symbol/:clientOrderId — another user\'s id is 404, asked only under their own', async (t) => {
  const { bob, standIn } = await setUp(t, placeAll);
  for (const res of [await bob.get('BTCUSDT/mine'), await bob.cancel('BTCUSDT/mine')]) {
    assert.equal(res.status, 404);
    assert.equal(res.body.error.code, 'unknown_order');
  }
  assert.deepEqual(standIn.log.map((r) => r.url), ['/api/binance/orders/BTCUSDT/u2-mine', '/api/binance/orders/BTCUSDT/u2-mine']);
});

test('GET and DELETE /direct-api/binance/orders/:symbol/:clientOrderId — without a token 401, python_service not asked', async (t) => {
  const { agent, standIn } = await setUp(t, placeAll);
  for (const res of [await agent().get('/direct-api/binance/orders/BTCUSDT/mine'),
    await agent().delete('/direct-api/binance/orders/BTCUSDT/mine')]) {
    assert.equal(res.status, 401);
    assert.equal(res.body.error.code, 'unauthorized');
  }
  assert.equal(standIn.log.length, 0);
});

test('GET and DELETE /direct-api/binance/orders/:symbol/:clientOrderId — bad symbol or id: 400 before python_service', async (t) => {
  const { alice, standIn } = await setUp(t, placeAll);
  const cases = [['BTC%20USDT/mine', 'invalid_symbol'], ['BTC%2FUSDT/mine', 'invalid_symbol'], ['BTC&X/mine', 'invalid_symbol'],
    [`${'A'.repeat(51)}/mine`, 'invalid_symbol'], [`BTCUSDT/${'x'.repeat(25)}`, 'invalid_client_order_id'],
    ['BTCUSDT/a.b', 'invalid_client_order_id'], ['BTCUSDT/%00', 'invalid_client_order_id'],
    ['BTCUSDT/u1-mine%2F..', 'invalid_client_order_id']];
  for (const [path, code] of cases) {
    for (const res of [await alice.get(path), await alice.cancel(path)]) {
      assert.equal(res.status, 400, path);
      assert.equal(res.body.error.code, code, path);
    }
  }
  assert.equal(standIn.log.length, 0);
});

test('GET /direct-api/binance/orders/:symbol/:clientOrderId — a Unicode symbol reaches python_service encoded', async (t) => {
  const { alice, standIn } = await setUp(t, placeAll);
  const res = await alice.get(`${encodeURIComponent('币安人生usdt')}/mine`);
  assert.equal(res.status, 404);
  assert.equal(standIn.log[0].url, `/api/binance/orders/${encodeURIComponent('币安人生USDT')}/u1-mine`);
});

test('PUT /direct-api/binance/orders/:symbol/:clientOrderId — 405 with Allow', async (t) => {
  const { agent } = await setUp(t, placeAll);
  const res = await agent().put('/direct-api/binance/orders/BTCUSDT/mine');
  assert.equal(res.status, 405);
  assert.equal(res.headers.allow, 'DELETE, GET, HEAD');
  assert.equal(res.body.error.code, 'method_not_allowed');
});

test('GET and DELETE /direct-api/binance/orders/:symbol/:clientOrderId — python_service down: 502 in the error shape', async () => {
  const built = buildApp({ env: { PYTHON_SERVICE_URL: `http://127.0.0.1:${await closedPort()}` } });
  const { agent } = built;
  const { token } = await loginAs(built, 'alice', 'trader');
  for (const method of ['get', 'delete']) {
    const res = await agent()[method]('/direct-api/binance/orders/BTCUSDT/mine').set('Authorization', `Bearer ${token}`);
    assert.equal(res.status, 502);
    assert.equal(res.body.error.code, 'python_service_unreachable');
  }
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

// The body is checked against the OpenAPI document (src/openapi.js), each violation with its code.
for (const [change, code] of [
  [{ side: 'HOLD' }, 'invalid_parameter'], [{ side: 'buy' }, 'invalid_parameter'], [{ type: 'ICEBERG' }, 'invalid_parameter'],
  [{ type: 'LIMIT', timeInForce: 'GTD' }, 'invalid_parameter'], [{ newOrderRespType: 'ALL' }, 'invalid_parameter'],
  [{ side: undefined }, 'invalid_parameter'], [{ type: undefined }, 'invalid_parameter'],
  [{ quantity: '0.1234567890123456789' }, 'invalid_parameter'], [{ quantity: '1e-3' }, 'invalid_parameter'],
  [{ price: '-1' }, 'invalid_parameter'], [{ stopPrice: 5 }, 'invalid_parameter'], [{ quoteOrderQty: '' }, 'invalid_parameter'],
  [{ symbol: undefined }, 'invalid_symbol'], [{ symbol: 'BTC USDT' }, 'invalid_symbol'], [{ symbol: 'A'.repeat(51) }, 'invalid_symbol'],
  [{ symbol: 42 }, 'invalid_symbol'], [{ clientOrderId: 'a.b' }, 'invalid_client_order_id'],
  [{ clientOrderId: '' }, 'invalid_client_order_id'],
]) {
  test(`POST /direct-api/binance/orders — ${JSON.stringify(change)} — 400 ${code} before python_service`, async (t) => {
    const { alice, standIn } = await setUp(t, placeAll);
    const res = await alice.place({ ...ORDER, ...change });
    assert.equal(res.status, 400);
    assert.deepEqual(Object.keys(res.body.error).sort(), ['code', 'message']);
    assert.equal(res.body.error.code, code);
    assert.equal(standIn.log.length, 0);
    assert.equal((await alice.list()).body.count, 0, 'nothing recorded');
  });
}

test('POST /direct-api/binance/orders — a body that is not a JSON object — 400 invalid_parameter (or 415 not JSON)', async (t) => {
  const { alice, agent, standIn } = await setUp(t, placeAll);
  for (const body of [[ORDER], ['BTCUSDT']]) {
    const res = await alice.place(body);
    assert.deepEqual([res.status, res.body.error.code], [400, 'invalid_parameter'], JSON.stringify(body));
  }
  const token = (await agent().post('/api/auth/login').send({ username: 'alice', password: 'correct horse battery' })).body.token;
  const text = await agent().post('/direct-api/binance/orders').set('Authorization', `Bearer ${token}`)
    .set('Content-Type', 'text/plain').send('symbol=BTCUSDT');
  assert.deepEqual([text.status, text.body.error.code], [415, 'unsupported_media_type']);
  assert.equal(standIn.log.length, 0);
});

test('POST /direct-api/binance/orders — a LIMIT order with every field — exactly the documented fields reach python_service', async (t) => {
  const { alice, bodies } = await setUp(t, placeAll);
  const order = { symbol: 'BTCUSDT', side: 'SELL', type: 'STOP_LOSS_LIMIT', timeInForce: 'IOC', quantity: '0.00100',
    price: '60000.00', stopPrice: '59000.5', newOrderRespType: 'FULL' };
  const res = await alice.place({ ...order, clientOrderId: 'full-1', recvWindow: 5000, extra: { deep: true } });
  assert.equal(res.status, 201);
  assert.deepEqual(bodies, [{ ...order, clientOrderId: 'u1-full-1' }]);
  assert.deepEqual((await alice.list()).body.orders[0].request, { ...order, clientOrderId: 'full-1' });
});

test('POST /direct-api/binance/orders — an invalid body without a token — 401 first: nothing about the body is told', async (t) => {
  const { agent, standIn } = await setUp(t, placeAll);
  const res = await agent().post('/direct-api/binance/orders').send({ side: 'HOLD' });
  assert.equal(res.status, 401);
  assert.equal(res.body.error.code, 'unauthorized');
  assert.equal(standIn.log.length, 0);
});

test('HEAD /direct-api/binance/orders/:symbol/:clientOrderId — checked as the GET it stands for: bad id 400, none asked', async (t) => {
  const { agent, standIn } = await setUp(t, placeAll);
  const token = (await agent().post('/api/auth/login').send({ username: 'alice', password: 'correct horse battery' })).body.token;
  const bad = await agent().head('/direct-api/binance/orders/BTCUSDT/a.b').set('Authorization', `Bearer ${token}`);
  assert.equal(bad.status, 400);
  assert.equal(standIn.log.length, 0);
  const good = await agent().head('/direct-api/binance/orders/BTCUSDT/mine').set('Authorization', `Bearer ${token}`);
  assert.equal(good.status, 200);
  assert.deepEqual([standIn.log[0].method, standIn.log[0].url], ['GET', '/api/binance/orders/BTCUSDT/u1-mine']);
});

// Every spot order type python_service takes, with timeInForce and quoteOrderQty where they belong: the document
// lets each through, and exactly what was sent reaches python_service (which checks the type's own rules).
for (const order of [
  { type: 'LIMIT', timeInForce: 'GTC', quantity: '0.001', price: '60000' },
  { type: 'MARKET', quantity: '0.001' },
  { type: 'MARKET', quoteOrderQty: '25.5' },
  { type: 'STOP_LOSS', quantity: '0.001', stopPrice: '59000' },
  { type: 'STOP_LOSS_LIMIT', timeInForce: 'IOC', quantity: '0.001', price: '58900', stopPrice: '59000' },
  { type: 'TAKE_PROFIT', quantity: '0.001', stopPrice: '70000' },
  { type: 'TAKE_PROFIT_LIMIT', timeInForce: 'FOK', quantity: '0.001', price: '70100', stopPrice: '70000' },
  { type: 'LIMIT_MAKER', quantity: '0.001', price: '60000' },
]) {
  test(`POST /direct-api/binance/orders — a ${order.type}${order.quoteOrderQty ? ' by quoteOrderQty' : ''} — accepted and passed on as sent`, async (t) => {
    const { alice, bodies } = await setUp(t, placeAll);
    const res = await alice.place({ symbol: 'BTCUSDT', side: 'SELL', ...order, clientOrderId: 'typed' });
    assert.equal(res.status, 201);
    assert.deepEqual(bodies, [{ symbol: 'BTCUSDT', side: 'SELL', ...order, clientOrderId: 'u1-typed' }]);
    assert.equal((await alice.list()).body.orders[0].market, 'spot');
  });
}
