'use strict';
// USDT-M futures through express_api (src/routes/futures.js): orders placed, read, cancelled and listed as spot
// orders are (the user's ids, the history with market futures, scope=account for admins), a position closed,
// the leverage set; each forwarded with the internal token and X-Gateway-User; a risk limit's refusal (403
// risk_limit with limit and value) passed on intact.
const { test } = require('node:test');
const assert = require('node:assert/strict');
const { buildApp, startStandIn, json, loginAs, bearer } = require('./helpers');

const STOP = { symbol: 'BTCUSDT', side: 'SELL', type: 'STOP_MARKET', quantity: '0.002', stopPrice: '60000',
  reduceOnly: true, clientOrderId: 'stop-1' };

function readBody(req) {
  return new Promise((resolve) => {
    let text = '';
    req.on('data', (chunk) => { text += chunk; });
    req.on('end', () => resolve(JSON.parse(text || '{}')));
  });
}

// Binance's records: a conditional order's is the Algo Order API's (clientAlgoId, algoStatus)
const algoRecord = (id, status = 'NEW') => ({ algoId: 3000, clientAlgoId: id, algoType: 'CONDITIONAL',
  orderType: 'STOP_MARKET', symbol: 'BTCUSDT', side: 'SELL', quantity: '0.002', algoStatus: status,
  triggerPrice: '60000.00000000', price: '0.00000000', reduceOnly: true, createTime: 1000, updateTime: 1000,
  actualOrderId: '' });

async function setUp(t, env = {}) {
  const bodies = [];
  const orders = new Map(); // Binance id -> record
  const standIn = await startStandIn({
    '/api/binance/futures/orders': async (req, res) => {
      const body = await readBody(req);
      bodies.push(body);
      if (body.quantity === '9') {
        return json(res, 403, { error: { code: 'risk_limit', message: 'the order is worth too much',
          limit: 'max_order_notional', value: '500' } });
      }
      const conditional = ['STOP_MARKET', 'TAKE_PROFIT_MARKET'].includes(body.type);
      const order = conditional ? algoRecord(body.clientOrderId) : { symbol: body.symbol, orderId: 4000,
        clientOrderId: body.clientOrderId, status: 'NEW', executedQty: '0', cumQuote: '0', updateTime: 1000 };
      orders.set(body.clientOrderId, order);
      return json(res, 201, { outcome: 'placed', market: 'futures', clientOrderId: body.clientOrderId,
        symbol: body.symbol, replayed: false, recovered: false, ...(conditional ? { conditional: true } : {}), order });
    },
    '/api/binance/futures/open-orders': (req, res) => json(res, 200, { orders: [
      { symbol: 'BTCUSDT', orderId: 4001, clientOrderId: 'u1-lim-1', status: 'NEW', type: 'LIMIT' },
      { symbol: 'BTCUSDT', algoId: 3000, clientOrderId: 'u1-stop-1', clientAlgoId: 'u1-stop-1', status: 'NEW',
        type: 'STOP_MARKET', stopPrice: '60000.00000000', conditional: true },
      { symbol: 'BTCUSDT', orderId: 4002, clientOrderId: 'bot-7', status: 'NEW', type: 'LIMIT' }], count: 3 }),
    '/api/binance/futures/positions/BTCUSDT/close': (req, res) => json(res, 201, { outcome: 'placed',
      market: 'futures', clientOrderId: 'gw-0a1b2c', symbol: 'BTCUSDT', replayed: false, recovered: false,
      order: { symbol: 'BTCUSDT', orderId: 4100, clientOrderId: 'gw-0a1b2c', status: 'FILLED', executedQty: '0.010',
        cumQuote: '670.12', updateTime: 2000, reduceOnly: true } }),
    '/api/binance/futures/positions/ETHUSDT/close': (req, res) => json(res, 404, { error: { code: 'no_position',
      message: 'there is no open position on ETHUSDT' } }),
    '/api/binance/futures/leverage': async (req, res) => {
      const body = await readBody(req);
      bodies.push(body);
      if (body.leverage > 20) {
        return json(res, 403, { error: { code: 'risk_limit', message: 'leverage 50 is over the limit of 20',
          limit: 'max_leverage', value: 20 } });
      }
      return json(res, 200, { symbol: body.symbol, leverage: body.leverage, maxNotionalValue: '1000000' });
    },
    '/api/binance/futures/account': (req, res) => json(res, 200, { totalWalletBalance: '10000.00000000', assets: [] }),
  });
  standIn.fallback = (req, res) => { // GET and DELETE /api/binance/futures/orders/BTCUSDT/<id>
    const [, id] = /^\/api\/binance\/futures\/orders\/BTCUSDT\/([^/?]+)$/.exec(req.url) || [];
    const order = id && orders.get(decodeURIComponent(id));
    if (!order) return json(res, 404, { error: { code: 'unknown_order', message: 'no such order' } });
    const conditional = 'algoId' in order;
    if (req.method === 'DELETE') {
      return json(res, 200, { order: conditional ? { algoId: 3000, clientAlgoId: order.clientAlgoId, code: '200',
        msg: 'success' } : { ...order, status: 'CANCELED', updateTime: 5000 }, conditional });
    }
    return json(res, 200, { order, journal: 'placed', ...(conditional ? { conditional } : {}) });
  };
  t.after(() => standIn.close());
  const built = buildApp({ env: { PYTHON_SERVICE_URL: standIn.url, INTERNAL_API_TOKEN: 'internal-tok', ...env } });
  const tokens = {};
  for (const [name, role] of [['alice', 'trader'], ['bobby', 'trader'], ['root', 'admin'], ['vic', 'viewer']]) {
    tokens[name] = (await loginAs(built, name, role)).token;
  }
  const as = (name) => {
    const call = (method, path) => built.agent()[method](`/direct-api/binance${path}`).set('Authorization', bearer(tokens[name]));
    return {
      place: (order) => call('post', '/futures/orders').send(order),
      get: (path) => call('get', `/futures/orders/${path}`),
      cancel: (path) => call('delete', `/futures/orders/${path}`),
      open: () => call('get', '/futures/open-orders'),
      close: (symbol) => call('post', `/futures/positions/${symbol}/close`),
      leverage: (body) => call('post', '/futures/leverage').send(body),
      account: () => call('get', '/futures/account'),
      history: async () => (await call('get', '/orders').expect(200)).body.orders,
      call,
    };
  };
  return { standIn, bodies, orders, built, alice: as('alice'), bob: as('bobby'), admin: as('root'), viewer: as('vic') };
}

const last = (standIn) => standIn.log.at(-1);

test('POST /direct-api/binance/futures/orders — a STOP_MARKET — sent once with the user\'s Binance id, the internal token and X-Gateway-User; recorded as a conditional futures order', async (t) => {
  const { alice, standIn, bodies } = await setUp(t);

  const res = await alice.place({ ...STOP, quoteOrderQty: '100', extra: true });

  assert.equal(res.status, 201);
  assert.deepEqual([res.body.clientOrderId, res.body.binanceClientOrderId, res.body.conditional], ['stop-1', 'u1-stop-1', true]);
  assert.deepEqual([res.body.order.clientOrderId, res.body.order.binanceClientOrderId], ['stop-1', 'u1-stop-1']);
  const { clientOrderId, ...fields } = STOP;
  assert.deepEqual(bodies, [{ ...fields, clientOrderId: `u1-${clientOrderId}` }], 'only the documented fields');
  const sent = last(standIn);
  assert.deepEqual([sent.url, sent.headers['x-internal-token'], sent.headers['x-gateway-user']],
    ['/api/binance/futures/orders', 'internal-tok', 'alice']);
  const [row] = await alice.history();
  assert.deepEqual([row.clientOrderId, row.market, row.conditional, row.outcome, row.status, row.orderId],
    ['stop-1', 'futures', true, 'placed', 'NEW', 3000]);
  assert.deepEqual(row.request, { ...STOP, clientOrderId: 'stop-1' });
});

test('POST /direct-api/binance/futures/orders — a risk limit refuses — 403 risk_limit with limit and value intact, recorded not_placed', async (t) => {
  const { alice } = await setUp(t);
  const res = await alice.place({ symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '9', clientOrderId: 'big' });
  assert.equal(res.status, 403);
  assert.deepEqual(res.body.error, { code: 'risk_limit', message: 'the order is worth too much', limit: 'max_order_notional',
    value: '500', clientOrderId: 'big', binanceClientOrderId: 'u1-big' });
  const [row] = await alice.history();
  assert.deepEqual([row.outcome, row.market, row.http_status, row.status], ['not_placed', 'futures', 403, null]);
});

for (const [change, code] of [[{ type: 'STOP_LOSS' }, 'invalid_parameter'], [{ type: 'LIMIT_MAKER' }, 'invalid_parameter'],
  [{ reduceOnly: 'yes' }, 'invalid_parameter'], [{ quantity: 0.002 }, 'invalid_parameter'],
  [{ timeInForce: 'GTD' }, 'invalid_parameter'], [{ symbol: 'BTC/USDT' }, 'invalid_symbol'],
  [{ clientOrderId: 'a.b' }, 'invalid_client_order_id']]) {
  test(`POST /direct-api/binance/futures/orders — ${JSON.stringify(change)} — 400 ${code}, nothing sent or recorded`, async (t) => {
    const { alice, standIn } = await setUp(t);
    const res = await alice.place({ ...STOP, ...change });
    assert.deepEqual([res.status, res.body.error.code], [400, code]);
    assert.equal(standIn.log.length, 0);
    assert.deepEqual(await alice.history(), []);
  });
}

test('GET /direct-api/binance/futures/orders/:symbol/:clientOrderId — the user\'s own, as Binance has it; another user\'s id names nothing of theirs', async (t) => {
  const { alice, bob, standIn } = await setUp(t);
  await alice.place(STOP).expect(201);

  const mine = await alice.get('BTCUSDT/stop-1');
  const theirs = await bob.get('BTCUSDT/stop-1');

  assert.equal(mine.status, 200);
  assert.deepEqual([mine.body.clientOrderId, mine.body.binanceClientOrderId, mine.body.order.clientOrderId,
    mine.body.order.algoStatus, mine.body.conditional], ['stop-1', 'u1-stop-1', 'stop-1', 'NEW', true]);
  assert.deepEqual([theirs.status, theirs.body.error.code], [404, 'unknown_order']);
  assert.deepEqual(standIn.log.slice(-2).map((r) => r.url), ['/api/binance/futures/orders/BTCUSDT/u1-stop-1',
    '/api/binance/futures/orders/BTCUSDT/u2-stop-1']);
});

test('DELETE /direct-api/binance/futures/orders/:symbol/:clientOrderId — a conditional order of the user\'s — cancelled with X-Gateway-User; the history says canceled, CANCELED', async (t) => {
  const { alice, standIn } = await setUp(t);
  await alice.place(STOP).expect(201);

  const res = await alice.cancel('BTCUSDT/stop-1');

  assert.equal(res.status, 200);
  assert.deepEqual([res.body.clientOrderId, res.body.order.binanceClientOrderId, res.body.order.msg],
    ['stop-1', 'u1-stop-1', 'success']);
  assert.deepEqual([last(standIn).method, last(standIn).url, last(standIn).headers['x-gateway-user']],
    ['DELETE', '/api/binance/futures/orders/BTCUSDT/u1-stop-1', 'alice']);
  const [row] = await alice.history();
  assert.deepEqual([row.outcome, row.status], ['canceled', 'CANCELED']);
});

test('DELETE /direct-api/binance/futures/orders — scope=account: a trader 403 and nothing sent; an admin cancels a trader\'s order by Binance\'s id', async (t) => {
  const { alice, bob, admin, standIn } = await setUp(t);
  await alice.place({ ...STOP, type: 'MARKET', stopPrice: undefined, clientOrderId: 'mkt-1' }).expect(201);
  const sent = standIn.log.length;

  const refused = await bob.cancel('BTCUSDT/u1-mkt-1?scope=account');
  assert.deepEqual([refused.status, refused.body.error.code], [403, 'forbidden']);
  assert.equal(standIn.log.length, sent);

  const res = await admin.cancel('BTCUSDT/u1-mkt-1?scope=account');
  assert.equal(res.status, 200);
  assert.deepEqual([res.body.placed_by, res.body.order.status, res.body.order.mine], ['alice', 'CANCELED', false]);
  assert.equal(last(standIn).headers['x-gateway-user'], 'root');
  const [row] = await alice.history();
  assert.deepEqual([row.outcome, row.status, row.status_time], ['canceled', 'CANCELED', 5000]);
});

test('GET /direct-api/binance/futures/open-orders — the account\'s, waiting conditional ones included, each with placed_by and mine', async (t) => {
  const { alice, bob, standIn } = await setUp(t);
  await alice.place(STOP).expect(201);
  await alice.place({ ...STOP, type: 'LIMIT', stopPrice: undefined, price: '70000', timeInForce: 'GTC',
    clientOrderId: 'lim-1' }).expect(201);

  const res = await bob.open();

  assert.equal(res.status, 200);
  assert.deepEqual(res.body.orders.map((o) => [o.clientOrderId, o.binanceClientOrderId, o.placed_by, o.mine,
    o.conditional ?? false]), [['u1-lim-1', 'u1-lim-1', 'alice', false, false],
    ['u1-stop-1', 'u1-stop-1', 'alice', false, true], ['bot-7', 'bot-7', null, false, false]]);
  assert.equal(last(standIn).headers['x-internal-token'], 'internal-tok');
  const own = (await alice.open()).body.orders.map((o) => [o.clientOrderId, o.mine]);
  assert.deepEqual(own.slice(0, 2), [['lim-1', true], ['stop-1', true]]);
});

test('POST /direct-api/binance/futures/positions/:symbol/close — closed by python_service\'s order, recorded in the user\'s history under its id with its status', async (t) => {
  const { alice, standIn } = await setUp(t);

  const res = await alice.close('btcusdt');

  assert.equal(res.status, 201);
  assert.deepEqual([res.body.clientOrderId, res.body.binanceClientOrderId, res.body.order.clientOrderId],
    ['gw-0a1b2c', 'gw-0a1b2c', 'gw-0a1b2c']);
  assert.deepEqual([last(standIn).method, last(standIn).url, last(standIn).headers['x-gateway-user'],
    last(standIn).headers['x-internal-token']], ['POST', '/api/binance/futures/positions/BTCUSDT/close', 'alice',
    'internal-tok']);
  const [row] = await alice.history();
  assert.deepEqual([row.clientOrderId, row.market, row.outcome, row.status, row.executedQty, row.request],
    ['gw-0a1b2c', 'futures', 'placed', 'FILLED', '0.010', { symbol: 'BTCUSDT', closePosition: true }]);
});

test('POST /direct-api/binance/futures/positions/:symbol/close — no position — 404 no_position passed on, nothing recorded', async (t) => {
  const { alice } = await setUp(t);
  const res = await alice.close('ETHUSDT');
  assert.deepEqual([res.status, res.body.error.code], [404, 'no_position']);
  assert.deepEqual(await alice.history(), []);
});

test('POST /direct-api/binance/futures/leverage — set with X-Gateway-User; over the limit 403 risk_limit with limit and value intact', async (t) => {
  const { alice, standIn, bodies } = await setUp(t);

  const ok = await alice.leverage({ symbol: 'btcusdt', leverage: 10, extra: 1 });
  const refused = await alice.leverage({ symbol: 'BTCUSDT', leverage: 50 });

  assert.deepEqual([ok.status, ok.body.leverage], [200, 10]);
  assert.deepEqual(bodies, [{ symbol: 'BTCUSDT', leverage: 10 }, { symbol: 'BTCUSDT', leverage: 50 }]);
  assert.deepEqual(standIn.log.map((r) => r.headers['x-gateway-user']), ['alice', 'alice']);
  assert.equal(refused.status, 403);
  assert.deepEqual(refused.body.error, { code: 'risk_limit', message: 'leverage 50 is over the limit of 20',
    limit: 'max_leverage', value: 20 });
});

for (const body of [{ symbol: 'BTCUSDT', leverage: 0 }, { symbol: 'BTCUSDT', leverage: 126 },
  { symbol: 'BTCUSDT', leverage: '5' }, { symbol: 'BTCUSDT' }, { leverage: 5 }, { symbol: 'BTC USDT', leverage: 5 }]) {
  test(`POST /direct-api/binance/futures/leverage — ${JSON.stringify(body)} — 400 before python_service`, async (t) => {
    const { alice, standIn } = await setUp(t);
    const res = await alice.leverage(body);
    assert.equal(res.status, 400);
    assert.equal(standIn.log.length, 0);
  });
}

test('GET /direct-api/binance/futures/account — the USDT-M wallet, read with the internal token, for a viewer', async (t) => {
  const { viewer, standIn } = await setUp(t);
  const res = await viewer.account();
  assert.deepEqual([res.status, res.body.totalWalletBalance], [200, '10000.00000000']);
  assert.equal(last(standIn).headers['x-internal-token'], 'internal-tok');
});

test('placements — spot, futures and closes share the per-user ORDER_RATE_LIMIT_PER_MIN', async (t) => {
  const { alice, bob, standIn } = await setUp(t, { ORDER_RATE_LIMIT_PER_MIN: '2' });
  standIn.routes['/api/binance/orders'] = (req, res) => json(res, 400, { error: { code: 'order_invalid', message: 'x' } });
  assert.equal((await alice.call('post', '/orders').send({ symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET',
    quoteOrderQty: '10' })).status, 400);
  assert.equal((await alice.place(STOP)).status, 201);
  const limited = await alice.close('BTCUSDT');
  assert.deepEqual([limited.status, limited.body.error.code], [429, 'rate_limited']);
  assert.equal((await bob.close('BTCUSDT')).status, 201);
});
