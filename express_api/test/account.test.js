'use strict';
// The configured account through express_api (portfolio, fills, risk limits, the audit log), who is named
// to python_service on orders, cancels and risk changes (X-Gateway-User), and python_service's refusals
// (403 risk_limit) reaching the client intact. python_service is a stand-in that logs what it was asked.
const { test } = require('node:test');
const assert = require('node:assert/strict');
const { buildApp, startStandIn, json, loginAs, bearer } = require('./helpers');

const SPOT = { balances: [{ asset: 'BTC', free: '0.5', locked: '0', total: '0.5', price_usdt: '67012.34',
  value_usdt: '33506.17', price_source: 'live', price_as_of: '2026-11-21T21:00:00.000Z' }], count: 1,
total_usdt: '33506.17', unpriced: [], can_trade: true, account_type: 'SPOT', source: 'live',
as_of: '2026-11-21T21:00:00.000Z', age_s: 0 };
const FUTURES = { totalWalletBalance: '1000.00', totalUnrealizedProfit: '12.5', totalMarginBalance: '1012.50',
  availableBalance: '900', assets: [] };
const POSITIONS = { positions: [{ symbol: 'BTCUSDT', side: 'LONG', size: '0.01', positionAmt: '0.01', entryPrice: '60000',
  markPrice: '61000', unrealizedProfit: '10', liquidationPrice: '30000', leverage: 5 }], count: 1 };
const LIMITS = { max_order_notional: null, max_orders_per_min: null, allowed_symbols: null, max_leverage: null,
  trading_halted: false };
const RISK = { in_force: LIMITS, ceilings: LIMITS, admin: null, updated_at: null, updated_by: null };
const RISK_LIMIT = { error: { code: 'risk_limit', message: 'the order is worth 67012.34 USDT; the limit is 100',
  limit: 'max_order_notional', value: '100' } };

function readBody(req) {
  return new Promise((resolve) => {
    let text = '';
    req.on('data', (chunk) => { text += chunk; });
    req.on('end', () => resolve(text ? JSON.parse(text) : null));
  });
}

async function setUp(t, routes = {}, env = {}) {
  const standIn = await startStandIn({
    '/api/binance/account': (req, res) => json(res, 200, SPOT),
    '/api/binance/futures/account': (req, res) => json(res, 200, FUTURES),
    '/api/binance/futures/positions': (req, res) => json(res, 200, POSITIONS),
    '/api/binance/risk': async (req, res) => json(res, 200, req.method === 'PUT'
      ? { ...RISK, admin: await readBody(req), updated_by: `user:${req.headers['x-gateway-user']}` } : RISK),
    ...routes,
  });
  t.after(() => standIn.close());
  const built = buildApp({ env: { PYTHON_SERVICE_URL: standIn.url, INTERNAL_API_TOKEN: 'internal-tok', ...env } });
  const users = {};
  for (const [name, role] of [['vera', 'viewer'], ['tom', 'trader'], ['ada', 'admin']]) {
    users[name] = (await loginAs(built, name, role)).token;
  }
  const call = (method, path, token) => built.agent()[method](path).set('Authorization', bearer(token));
  return { ...built, standIn, users, call };
}

test('GET /direct-api/binance/portfolio — spot and futures read with the internal token; total is spot plus margin balance', async (t) => {
  const { call, users, standIn } = await setUp(t);
  const res = await call('get', '/direct-api/binance/portfolio', users.vera);
  assert.equal(res.status, 200);
  assert.equal(res.headers['cache-control'], 'no-store');
  assert.deepEqual(res.body.spot, SPOT);
  assert.deepEqual(res.body.futures, { account: FUTURES, positions: POSITIONS.positions });
  assert.equal(res.body.total_usdt, '34518.67');
  assert.deepEqual(res.body.errors, {});
  assert.deepEqual(standIn.log.map((r) => r.url).sort(),
    ['/api/binance/account', '/api/binance/futures/account', '/api/binance/futures/positions']);
  assert.ok(standIn.log.every((r) => r.headers['x-internal-token'] === 'internal-tok'));
});

test('GET /direct-api/binance/portfolio — futures unreachable — spot still shown, futures null with its error, no total', async (t) => {
  const { call, users } = await setUp(t, {
    '/api/binance/futures/account': (req, res) => json(res, 503, { error: { code: 'upstream_unavailable',
      message: 'Binance is unavailable (unreachable)' } }) });
  const res = await call('get', '/direct-api/binance/portfolio', users.vera);
  assert.equal(res.status, 200);
  assert.deepEqual(res.body.spot, SPOT);
  assert.equal(res.body.futures, null);
  assert.equal(res.body.total_usdt, null);
  assert.deepEqual(res.body.errors, { futures: { code: 'upstream_unavailable', message: 'Binance is unavailable (unreachable)' } });
});

test('GET /direct-api/binance/portfolio — spot failing, futures fine — futures shown, spot null with its error', async (t) => {
  const { call, users } = await setUp(t, {
    '/api/binance/account': (req, res) => json(res, 502, { error: { code: 'upstream_error', message: 'rejected' } }) });
  const res = await call('get', '/direct-api/binance/portfolio', users.vera);
  assert.equal(res.status, 200);
  assert.equal(res.body.spot, null);
  assert.equal(res.body.futures.account.totalMarginBalance, '1012.50');
  assert.equal(res.body.errors.spot.code, 'upstream_error');
});

test('GET /direct-api/binance/portfolio — no keys on python_service — 503 keys_not_configured', async (t) => {
  const noKeys = (req, res) => json(res, 503, { error: { code: 'keys_not_configured', message: 'set BINANCE_API_KEY' } });
  const { call, users } = await setUp(t, { '/api/binance/account': noKeys,
    '/api/binance/futures/account': (req, res) => json(res, 403, { error: { code: 'trading_disabled', message: 'off' } }) });
  const res = await call('get', '/direct-api/binance/portfolio', users.vera);
  assert.equal(res.status, 503);
  assert.equal(res.body.error.code, 'keys_not_configured');
});

test('GET /direct-api/binance/portfolio — neither part readable — the spot part\'s error', async (t) => {
  const down = (req, res) => json(res, 503, { error: { code: 'upstream_unavailable', message: 'down' } });
  const { call, users } = await setUp(t, { '/api/binance/account': down, '/api/binance/futures/account': down });
  const res = await call('get', '/direct-api/binance/portfolio', users.vera);
  assert.deepEqual([res.status, res.body.error.code], [503, 'upstream_unavailable']);
});

test('GET /direct-api/binance/fills — python_service\'s my-trades for the symbol and limit, with the internal token', async (t) => {
  const fills = { symbol: 'BTCUSDT', trades: [{ id: 1, orderId: 7, side: 'BUY', price: '60000', qty: '0.001',
    quoteQty: '60', commission: '0.00000100', commissionAsset: 'BTC', maker: false, time: '2026-11-21T21:00:00.000Z' }],
  count: 1, source: 'live', as_of: '2026-11-21T21:00:00.000Z', age_s: 0 };
  const { call, users, standIn } = await setUp(t, { '/api/binance/my-trades': (req, res) => json(res, 200, fills) });
  const res = await call('get', '/direct-api/binance/fills?symbol=btcusdt&limit=5', users.vera);
  assert.equal(res.status, 200);
  assert.deepEqual(res.body, fills);
  assert.equal(standIn.log[0].url, '/api/binance/my-trades?symbol=BTCUSDT&limit=5');
  assert.equal(standIn.log[0].headers['x-internal-token'], 'internal-tok');
  for (const query of ['', '?symbol=BTC%20USDT', '?symbol=BTCUSDT&limit=0', '?symbol=BTCUSDT&limit=1001']) {
    assert.equal((await call('get', `/direct-api/binance/fills${query}`, users.vera)).status, 400, query);
  }
  assert.equal(standIn.log.length, 1);
});

test('GET /direct-api/binance/risk — any viewer; PUT — admins only, passed on with X-Gateway-User and recorded', async (t) => {
  const { call, users, standIn } = await setUp(t);
  assert.deepEqual((await call('get', '/direct-api/binance/risk', users.vera)).body, RISK);
  const tighter = { ...LIMITS, max_order_notional: '100', allowed_symbols: ['BTCUSDT'] };
  for (const token of [users.vera, users.tom]) {
    const refused = await call('put', '/direct-api/binance/risk', token).send(tighter);
    assert.deepEqual([refused.status, refused.body.error.code], [403, 'forbidden']);
  }
  assert.equal(standIn.log.filter((r) => r.method === 'PUT').length, 0, 'a refused caller reaches nothing');

  const res = await call('put', '/direct-api/binance/risk', users.ada).send(tighter);
  assert.equal(res.status, 200);
  assert.deepEqual(res.body.admin, tighter);
  const [put] = standIn.log.filter((r) => r.method === 'PUT');
  assert.equal(put.headers['x-gateway-user'], 'ada');
  assert.equal(put.headers['x-internal-token'], 'internal-tok');
  const audit = await call('get', '/direct-api/binance/audit', users.ada);
  const mine = audit.body.entries.filter((e) => e.action === 'risk_change_requested');
  assert.deepEqual(mine.map((e) => [e.actor, e.outcome, e.source, e.detail.requested.max_order_notional]),
    [['user:ada', 'ok', 'express_api', '100']]);
});

test('PUT /direct-api/binance/risk — looser than the settings — python_service\'s 400 looser_than_ceiling with its limits and ceilings; recorded refused', async (t) => {
  const refusal = { error: { code: 'looser_than_ceiling', message: 'the settings allow no more', limits: ['max_leverage'],
    ceilings: { ...LIMITS, max_leverage: 5 } } };
  const { call, users } = await setUp(t, { '/api/binance/risk': (req, res) => json(res, 400, refusal) });
  const res = await call('put', '/direct-api/binance/risk', users.ada).send({ max_leverage: 20 });
  assert.equal(res.status, 400);
  assert.deepEqual(res.body, refusal);
  const audit = await call('get', '/direct-api/binance/audit', users.ada);
  assert.deepEqual(audit.body.entries.filter((e) => e.action === 'risk_change_requested').map((e) => e.outcome),
    ['refused: looser_than_ceiling']);
});

test('PUT /direct-api/binance/risk — a body off the Limits schema — 400 before python_service', async (t) => {
  const { call, users, standIn } = await setUp(t);
  for (const body of [{ max_leverage: 0 }, { max_order_notional: 100 }, { unknown: 1 }, { trading_halted: 'yes' }]) {
    const res = await call('put', '/direct-api/binance/risk', users.ada).send(body);
    assert.equal(res.status, 400, JSON.stringify(body));
  }
  assert.equal(standIn.log.length, 0);
});

const ORDER = { symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '0.001' };

test('POST /direct-api/binance/orders — X-Gateway-User names the trader to python_service', async (t) => {
  const { call, users, standIn } = await setUp(t, { '/api/binance/orders': async (req, res) => {
    const body = await readBody(req);
    json(res, 201, { outcome: 'placed', clientOrderId: body.clientOrderId, order: { clientOrderId: body.clientOrderId } });
  } });
  const res = await call('post', '/direct-api/binance/orders', users.tom).send({ ...ORDER, clientOrderId: 'x1' });
  assert.equal(res.status, 201);
  assert.equal(standIn.log[0].headers['x-gateway-user'], 'tom');
});

test('POST /direct-api/binance/orders — python_service\'s 403 risk_limit — reaches the client intact (status, code, message, limit, value)', async (t) => {
  const { call, users } = await setUp(t, { '/api/binance/orders': (req, res) => json(res, 403, RISK_LIMIT) });
  const res = await call('post', '/direct-api/binance/orders', users.tom).send({ ...ORDER, clientOrderId: 'big' });
  assert.equal(res.status, 403);
  assert.deepEqual(res.body.error, { ...RISK_LIMIT.error, clientOrderId: 'big', binanceClientOrderId: 'u2-big' });
  const history = (await call('get', '/direct-api/binance/orders', users.tom)).body.orders;
  assert.equal(history[0].outcome, 'not_placed');
});

test('DELETE /direct-api/binance/orders/:symbol/:id — X-Gateway-User sent; a 403 risk_limit passed on with limit and value', async (t) => {
  const halted = { error: { code: 'risk_limit', message: 'BTCUSDT is not among the symbols the risk limits allow',
    limit: 'allowed_symbols', value: ['ETHUSDT'] } };
  const { call, users, standIn } = await setUp(t);
  standIn.fallback = (req, res) => json(res, 403, halted);
  const res = await call('delete', '/direct-api/binance/orders/BTCUSDT/mine', users.tom);
  assert.equal(res.status, 403);
  assert.deepEqual(res.body, halted);
  assert.deepEqual([standIn.log[0].method, standIn.log[0].url], ['DELETE', '/api/binance/orders/BTCUSDT/u2-mine']);
  assert.equal(standIn.log[0].headers['x-gateway-user'], 'tom');
});

test('DELETE ...?scope=account — an admin cancels any of the account\'s orders by Binance\'s id; a trader may not (403, nothing sent)', async (t) => {
  const { call, users, standIn } = await setUp(t);
  standIn.fallback = (req, res) => json(res, 200, { order: { symbol: 'BTCUSDT', origClientOrderId: 'x-bot-42',
    clientOrderId: 'cancel-1', status: 'CANCELED' } });
  const trader = await call('delete', '/direct-api/binance/orders/BTCUSDT/x-bot-42?scope=account', users.tom);
  assert.deepEqual([trader.status, trader.body.error.code], [403, 'forbidden']);
  assert.equal(standIn.log.length, 0);

  const res = await call('delete', '/direct-api/binance/orders/BTCUSDT/x-bot-42?scope=account', users.ada);
  assert.equal(res.status, 200);
  assert.deepEqual([res.body.clientOrderId, res.body.binanceClientOrderId, res.body.placed_by],
    ['x-bot-42', 'x-bot-42', null]);
  assert.equal(res.body.order.status, 'CANCELED');
  assert.deepEqual([standIn.log[0].url, standIn.log[0].headers['x-gateway-user']],
    ['/api/binance/orders/BTCUSDT/x-bot-42', 'ada']);
  const ownScope = await call('delete', '/direct-api/binance/orders/BTCUSDT/x.bot:42', users.ada);
  assert.deepEqual([ownScope.status, ownScope.body.error.code], [400, 'invalid_client_order_id'],
    'without scope=account the id is one\'s own (1-24 of A-Z a-z 0-9 _ -)');
});

test('DELETE ...?scope=account — an admin cancels a trader\'s order: the trader\'s history says canceled, placed_by names them', async (t) => {
  const { call, users, standIn } = await setUp(t, { '/api/binance/orders': async (req, res) => {
    const body = await readBody(req);
    json(res, 201, { outcome: 'placed', clientOrderId: body.clientOrderId, order: { clientOrderId: body.clientOrderId } });
  } });
  await call('post', '/direct-api/binance/orders', users.tom).send({ ...ORDER, type: 'LIMIT', clientOrderId: 't1' }).expect(201);
  standIn.fallback = (req, res) => json(res, 200, { order: { symbol: 'BTCUSDT', origClientOrderId: 'u2-t1',
    clientOrderId: 'c', status: 'CANCELED' } });
  const res = await call('delete', '/direct-api/binance/orders/BTCUSDT/u2-t1?scope=account', users.ada);
  assert.equal(res.status, 200);
  assert.equal(res.body.placed_by, 'tom');
  const history = (await call('get', '/direct-api/binance/orders', users.tom)).body.orders;
  assert.deepEqual([history[0].clientOrderId, history[0].outcome], ['t1', 'canceled']);
});
