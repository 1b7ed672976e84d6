'use strict';
// The order history follows Binance (src/services/account-follower.js, src/services/order-history.js): the
// follower reads a stand-in python_service's account event stream and applies each order event to the order
// of the user who placed it — status forward only, each fill once — reconnects when the stream ends or is
// refused, and reconciles what it may have missed.
const { test } = require('node:test');
const assert = require('node:assert/strict');
const { buildApp, startStandIn, json, loginAs, bearer, waitFor, closedPort, captureLogs } = require('./helpers');
const { backoffMs, DEFAULTS } = require('../src/services/account-follower');
const { progress, createOrderHistory } = require('../src/services/order-history');
const { openOrderStore } = require('../src/order-store');
const { openUserStore } = require('../src/users');
const { loadConfig, ConfigError } = require('../src/config');

const LIMIT = { symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', timeInForce: 'GTC', quantity: '0.002', price: '60000.00',
  clientOrderId: 'lim-1' };
const ID = 'u1-lim-1'; // alice is user 1

function readBody(req) {
  return new Promise((resolve) => {
    let text = '';
    req.on('data', (chunk) => { text += chunk; });
    req.on('end', () => resolve(JSON.parse(text || '{}')));
  });
}

/** python_service's account stream, stood in: each connection gets `user_streams` first, as python_service sends
 * it; the test sends events to every open connection, ends them all, or refuses new ones (refuse: an error code). */
function accountStream() {
  const stream = { open: new Set(), connects: 0, refuse: null, states: { spot: 'up', futures: 'up' } };
  stream.send = (name, data, only) => {
    for (const res of only ? [only] : stream.open) res.write(`event: ${name}\ndata: ${JSON.stringify(data)}\n\n`);
  };
  stream.raw = (text) => { for (const res of stream.open) res.write(text); };
  stream.endAll = () => { for (const res of stream.open) res.end(); };
  stream.handler = (req, res) => {
    if (stream.refuse) return json(res, 503, { error: { code: stream.refuse, message: 'refused for the test' } });
    stream.connects += 1;
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.write('retry: 1000\n\n');
    stream.open.add(res);
    req.on('close', () => stream.open.delete(res));
    return stream.send('user_streams', stream.states, res);
  };
  return stream;
}

const record = (id, changes = {}) => ({ symbol: 'BTCUSDT', orderId: 1000, clientOrderId: id, transactTime: 1000,
  price: '60000.00000000', origQty: '0.00200000', executedQty: '0.00000000', cummulativeQuoteQty: '0.00000000',
  status: 'NEW', timeInForce: 'GTC', type: 'LIMIT', side: 'BUY', fills: [], ...changes });

const fill = (tradeId, qty) => ({ price: '60000.00000000', qty, commission: '0.00000100', commissionAsset: 'BTC',
  tradeId, maker: true });

/** An `order` event as python_service pushes it (its AccountEvent). */
const event = (id, status, executedQty, cumulativeQuote, time, told = null) => ({ type: 'order', market: 'spot',
  symbol: 'BTCUSDT', clientOrderId: id, orderId: 1000, side: 'BUY', orderType: 'LIMIT', status,
  execution: told ? 'TRADE' : 'NEW', price: '60000.00000000', stopPrice: '0.00000000', quantity: '0.00200000',
  executedQty, cumulativeQuote, fill: told, time });

async function setUp(t, env = {}) {
  const stream = accountStream();
  const binance = new Map(); // Binance's record of each order, as python_service's GET answers it
  const trades = [];
  const standIn = await startStandIn({
    '/api/binance/stream/account': stream.handler,
    '/api/binance/orders': async (req, res) => {
      const body = await readBody(req);
      const order = record(body.clientOrderId);
      binance.set(body.clientOrderId, order);
      if (standIn.beforeAnswer) await standIn.beforeAnswer(body);
      json(res, 201, { outcome: 'placed', market: 'spot', clientOrderId: body.clientOrderId, symbol: body.symbol,
        replayed: false, recovered: false, order });
    },
    '/api/binance/my-trades': (req, res) => json(res, 200, { symbol: 'BTCUSDT', trades, count: trades.length,
      source: 'live', as_of: '2026-11-21T21:00:00.000Z', age_s: 0 }),
  });
  standIn.fallback = (req, res) => {
    const [, id] = /^\/api\/binance\/orders\/BTCUSDT\/([^/?]+)$/.exec(req.url) || [];
    const order = id && binance.get(decodeURIComponent(id));
    if (!order) return json(res, 404, { error: { code: 'unknown_order', message: 'no such order' } });
    return json(res, 200, { order, journal: 'placed' });
  };
  t.after(() => standIn.close());
  const built = buildApp({ env: { PYTHON_SERVICE_URL: standIn.url, INTERNAL_API_TOKEN: 'internal-tok', ...env } });
  const alice = await loginAs(built, 'alice', 'trader');
  const follow = () => {
    const follower = built.app.locals.startAccountFollower({ baseMs: 10, capMs: 40 });
    t.after(() => follower.stop());
    return follower;
  };
  const history = async (token = alice.token) => (await built.agent().get('/direct-api/binance/orders')
    .set('Authorization', bearer(token)).expect(200)).body.orders;
  const place = (order = LIMIT) => built.agent().post('/direct-api/binance/orders').set('Authorization', bearer(alice.token))
    .send(order);
  const settled = (status) => waitFor(async () => {
    const rows = await history();
    return rows[0] && rows[0].status === status && rows[0];
  }, `${status} in the history`);
  return { stream, binance, trades, standIn, built, alice, follow, history, place, settled };
}

/** A follower connected, its first reconciliation done: python_service is listening from here on. */
async function following(s) {
  const follower = s.follow();
  await waitFor(() => follower.status().reconciliations >= 1, 'the first reconciliation');
  return follower;
}

test('order history — events NEW → PARTIALLY_FILLED → FILLED — the order shows each status, executed quantity, quote and both fills', async (t) => {
  const s = await setUp(t);
  await s.place().expect(201);
  assert.deepEqual(((await s.history())[0]).status, 'NEW'); // from the placement's answer
  const follower = await following(s);

  s.stream.send('account', event(ID, 'PARTIALLY_FILLED', '0.00100000', '60.00000000', 2000, fill(7001, '0.00100000')));
  const partial = await s.settled('PARTIALLY_FILLED');
  s.stream.send('account', event(ID, 'FILLED', '0.00200000', '120.00000000', 3000, fill(7002, '0.00100000')));
  const filled = await s.settled('FILLED');

  assert.deepEqual([partial.executedQty, partial.fills.map((f) => f.tradeId)], ['0.00100000', [7001]]);
  assert.deepEqual([filled.clientOrderId, filled.binanceClientOrderId, filled.market, filled.outcome, filled.orderId],
    ['lim-1', ID, 'spot', 'placed', 1000]);
  assert.deepEqual([filled.executedQty, filled.cumulativeQuote, filled.status_time], ['0.00200000', '120.00000000', 3000]);
  assert.deepEqual(filled.fills, [
    { tradeId: 7001, price: '60000.00000000', qty: '0.00100000', commission: '0.00000100', commissionAsset: 'BTC',
      maker: true, time: 2000 },
    { tradeId: 7002, price: '60000.00000000', qty: '0.00100000', commission: '0.00000100', commissionAsset: 'BTC',
      maker: true, time: 3000 }]);
  assert.equal(follower.status().events, 2);
  const asked = s.standIn.log.find((r) => r.url === '/api/binance/stream/account');
  assert.equal(asked.headers['x-internal-token'], 'internal-tok');
});

test('order history — an older event after a newer one (a stale PARTIALLY_FILLED, a NEW) — changes nothing', async (t) => {
  const s = await setUp(t);
  await s.place().expect(201);
  const follower = await following(s);
  s.stream.send('account', event(ID, 'FILLED', '0.00200000', '120.00000000', 3000, fill(7002, '0.00200000')));
  await s.settled('FILLED');

  s.stream.send('account', event(ID, 'PARTIALLY_FILLED', '0.00100000', '60.00000000', 2000, null));
  s.stream.send('account', event(ID, 'NEW', '0.00000000', '0.00000000', 1500, null));
  s.stream.send('account', event(ID, 'CANCELED', '0.00200000', '120.00000000', 2500, null)); // settled already
  await waitFor(() => follower.status().events === 4, 'the late events read');

  const [row] = await s.history();
  assert.deepEqual([row.status, row.executedQty, row.cumulativeQuote, row.status_time],
    ['FILLED', '0.00200000', '120.00000000', 3000]);
});

test('order history — the same PARTIALLY_FILLED told twice, older and newer partial fills out of order — each fill kept once, the furthest status kept', async (t) => {
  const s = await setUp(t);
  await s.place().expect(201);
  const follower = await following(s);
  const first = event(ID, 'PARTIALLY_FILLED', '0.00050000', '30.00000000', 2000, fill(7001, '0.00050000'));
  const second = event(ID, 'PARTIALLY_FILLED', '0.00150000', '90.00000000', 2600, fill(7002, '0.00100000'));

  s.stream.send('account', first);
  s.stream.send('account', second);
  s.stream.send('account', first); // again, and older than the second: its fill is known, its status behind
  s.stream.send('account', second);
  await waitFor(() => follower.status().events === 4, 'the four events read');

  const [row] = await s.history();
  assert.deepEqual([row.status, row.executedQty], ['PARTIALLY_FILLED', '0.00150000']);
  assert.deepEqual(row.fills.map((f) => [f.tradeId, f.qty]), [[7001, '0.00050000'], [7002, '0.00100000']]);
});

test('order history — another account order (a bot\'s, another user\'s unknown id) — nobody\'s history changes', async (t) => {
  const s = await setUp(t);
  await s.place().expect(201);
  const follower = await following(s);
  const bob = await loginAs(s.built, 'bobby', 'trader');

  s.stream.send('account', event('u2-lim-1', 'FILLED', '0.00200000', '120.00000000', 3000, fill(9001, '0.002')));
  s.stream.send('account', event('x-bot-7', 'FILLED', '0.00200000', '120.00000000', 3000, fill(9002, '0.002')));
  s.stream.send('account', { type: 'balance', market: 'spot', balances: [], time: 3000 });
  await waitFor(() => follower.status().events === 2, 'the events read');

  assert.deepEqual((await s.history()).map((row) => [row.status, row.fills.length]), [['NEW', 0]]);
  assert.deepEqual(await s.history(bob.token), []);
});

test('order history — an event that comes before the placement\'s answer — applied once the order is recorded', async (t) => {
  const s = await setUp(t);
  const follower = await following(s);
  s.standIn.beforeAnswer = async (body) => {
    s.stream.send('account', event(body.clientOrderId, 'FILLED', '0.00200000', '120.00000000', 2000, fill(7001, '0.002')));
    await waitFor(() => follower.status().events === 1, 'the fill read before the answer');
  };

  const placed = await s.place();

  assert.equal(placed.status, 201);
  assert.equal(placed.body.order.status, 'NEW'); // the answer, older than what the stream told
  const [row] = await s.history();
  assert.deepEqual([row.status, row.fills.map((f) => f.tradeId)], ['FILLED', [7001]]);
});

test('order history — python_service ends the stream and refuses for a while; the order filled meanwhile — reconnects, reconciles status and fills', async (t) => {
  const s = await setUp(t);
  await s.place().expect(201);
  const follower = await following(s);

  s.stream.refuse = 'subscriptions_full';
  s.stream.endAll();
  await waitFor(() => follower.status().last_error?.code === 'subscriptions_full', 'a refused reconnection');
  s.binance.set(ID, record(ID, { status: 'FILLED', executedQty: '0.00200000', cummulativeQuoteQty: '120.00000000',
    updateTime: 5000 }));
  s.trades.push({ id: 7001, orderId: 1000, side: 'BUY', price: '60000.00000000', qty: '0.00200000', quoteQty: '120',
    commission: '0.00000200', commissionAsset: 'BTC', maker: true, time: '2026-11-21T21:00:05.000Z' },
  { id: 6999, orderId: 999, side: 'BUY', price: '1', qty: '1', quoteQty: '1', commission: '0', commissionAsset: 'BTC',
    maker: false, time: '2026-11-21T21:00:04.000Z' }); // another order's
  const before = s.standIn.log.length;
  s.stream.refuse = null;

  await waitFor(() => follower.status().reconciliations >= 2, 'the reconciliation after the reconnection');
  const row = await s.settled('FILLED');
  assert.ok(s.stream.connects >= 2 && follower.status().connections >= 2);
  assert.deepEqual([row.executedQty, row.cumulativeQuote, row.status_time], ['0.00200000', '120.00000000', 5000]);
  assert.deepEqual(row.fills, [{ tradeId: 7001, price: '60000.00000000', qty: '0.00200000', commission: '0.00000200',
    commissionAsset: 'BTC', maker: true, time: Date.parse('2026-11-21T21:00:05.000Z') }]);
  const asked = s.standIn.log.slice(before).map((r) => r.url);
  assert.ok(asked.includes(`/api/binance/orders/BTCUSDT/${ID}`), asked.join(' '));
  assert.ok(asked.includes('/api/binance/my-trades?symbol=BTCUSDT&limit=500'), asked.join(' '));

  // and the new stream is followed: a later event is applied
  s.binance.set('u1-lim-2', record('u1-lim-2'));
  await s.place({ ...LIMIT, clientOrderId: 'lim-2' }).expect(201);
  s.stream.send('account', event('u1-lim-2', 'CANCELED', '0.00000000', '0.00000000', 6000));
  await waitFor(async () => (await s.history())[0].status === 'CANCELED', 'the later event applied');
});

test('order history — python_service\'s user data stream comes back up — reconciled again (it may have missed events)', async (t) => {
  const s = await setUp(t);
  await s.place().expect(201);
  const follower = await following(s);

  s.stream.send('user_streams', { spot: 'down', futures: 'up' });
  s.binance.set(ID, record(ID, { status: 'CANCELED', updateTime: 4000 }));
  s.stream.send('user_streams', { spot: 'up', futures: 'up' });

  const row = await s.settled('CANCELED');
  assert.equal(row.status_time, 4000);
  assert.equal(follower.status().connections, 1);
  assert.ok(follower.status().reconciliations >= 2);
});

test('order history — events split across chunks, comments and keepalives between them — read whole', async (t) => {
  const s = await setUp(t);
  await s.place().expect(201);
  const follower = await following(s);
  const text = `: keepalive\n\nevent: account\ndata: ${JSON.stringify(event(ID, 'FILLED', '0.00200000', '120.00000000',
    3000, fill(7001, '0.002')))}\n\n`;

  s.stream.raw(text.slice(0, 40));
  s.stream.raw(text.slice(40, 90));
  s.stream.raw(text.slice(90));

  await s.settled('FILLED');
  assert.equal(follower.status().events, 1);
});

test('account follower — python_service unreachable — waits and tries again with back-off, says it once in the log, stops cleanly', async (t) => {
  const logs = captureLogs();
  const built = buildApp({ env: { PYTHON_SERVICE_URL: `http://127.0.0.1:${await closedPort()}` }, logger: logs.logger });
  const follower = built.app.locals.startAccountFollower({ baseMs: 5, capMs: 20 });
  t.after(() => follower.stop());

  await waitFor(() => follower.status().attempts >= 4, 'four attempts');

  const status = follower.status();
  assert.equal(status.last_error.code, 'python_service_unreachable');
  assert.equal(status.connections, 0);
  const warned = logs.lines.filter((line) => line.includes('account follower: following the account failed')
    && JSON.parse(line).level === 40);
  assert.equal(warned.length, 1, 'the same trouble is said once');
  await follower.stop();
  assert.equal(follower.status().state, 'stopped');
});

test('account follower — python_service refuses (keys_not_configured) — the error kept in its status, tried again', async (t) => {
  const s = await setUp(t);
  s.stream.refuse = 'keys_not_configured';
  const follower = s.follow();
  await waitFor(() => follower.status().attempts >= 3, 'three attempts');
  assert.deepEqual([follower.status().last_error.code, follower.status().connections], ['keys_not_configured', 0]);
  s.stream.refuse = null;
  await waitFor(() => follower.status().state === 'up', 'the stream once allowed');
});

test('GET /metrics — the follower\'s gauges: up while it reads the stream, its connections and events', async (t) => {
  const s = await setUp(t);
  const before = (await s.built.agent().get('/metrics').expect(200)).text;
  await s.place().expect(201);
  const follower = await following(s);
  s.stream.send('account', event(ID, 'CANCELED', '0.00000000', '0.00000000', 3000));
  await s.settled('CANCELED');

  const after = (await s.built.agent().get('/metrics').expect(200)).text;
  assert.match(before, /^express_api_account_follower_up 0$/m);
  assert.match(after, /^express_api_account_follower_up 1$/m);
  assert.match(after, /^express_api_account_follower_connections 1$/m);
  assert.match(after, /^express_api_account_follower_events 1$/m);
  await follower.stop();
  assert.match((await s.built.agent().get('/metrics').expect(200)).text, /^express_api_account_follower_up 0$/m);
});

test('createApp — the follower is not started by building the app: python_service\'s stream is not asked', async (t) => {
  const s = await setUp(t);
  await s.place().expect(201);
  await s.history();
  assert.equal(s.standIn.log.filter((r) => r.url === '/api/binance/stream/account').length, 0);
});

test('order history — a conditional USDT-M order\'s algo events NEW → TRIGGERED → FINISHED, a late NEW — kept forward only', () => {
  const users = openUserStore(':memory:');
  const user = users.create('alice', 'hash', 'trader');
  const orderStore = openOrderStore(users.db);
  const history = createOrderHistory({ orderStore });
  const algo = (status, time) => ({ type: 'order', market: 'futures', symbol: 'BTCUSDT', clientOrderId: 'u1-stop-1',
    orderId: 3000, side: 'SELL', orderType: 'STOP_MARKET', status, execution: status, price: '0', stopPrice: '60000',
    quantity: '0.002', executedQty: '0', cumulativeQuote: '0', fill: null, time, conditional: true });
  history.record({ userId: user.id, clientOrderId: 'u1-stop-1', symbol: 'BTCUSDT', request: {}, outcome: 'placed',
    httpStatus: 201, response: {}, market: 'futures', conditional: true }, { algoId: 3000, clientAlgoId: 'u1-stop-1',
    algoStatus: 'NEW', updateTime: 1000 });
  const now = () => orderStore.list(user.id)[0];

  assert.deepEqual([now().status, now().conditional, now().orderId], ['NEW', true, 3000]);
  history.applyEvent(algo('TRIGGERED', 2000));
  assert.equal(now().status, 'TRIGGERED');
  history.applyEvent(algo('NEW', 2500));
  history.applyEvent(algo('FINISHED', 3000));
  history.applyEvent(algo('TRIGGERED', 2000));
  assert.deepEqual([now().status, now().status_time], ['FINISHED', 3000]);
  assert.deepEqual(history.unsettled(10), [], 'settled: not asked about again');
});

test('back-off — doubles per failure from baseMs up to capMs, the upper half random', () => {
  const options = { baseMs: 500, capMs: 30_000 };
  for (const [failures, ceiling] of [[1, 500], [2, 1000], [3, 2000], [6, 16_000], [7, 30_000], [1000, 30_000]]) {
    assert.equal(backoffMs(failures, options, () => 0), ceiling / 2, `after ${failures}`);
    assert.equal(backoffMs(failures, options, () => 1), ceiling, `after ${failures}`);
  }
  assert.deepEqual([DEFAULTS.baseMs, DEFAULTS.capMs], [500, 30_000]);
});

test('progress — a status ranks first, then the executed quantity, then Binance\'s time; nothing beats nothing', () => {
  const row = { status: 'PARTIALLY_FILLED', executed_qty: '0.5', status_time: 2000 };
  const cases = [[{ status: 'FILLED', executedQty: '0.5', time: 1 }, 1], [{ status: 'NEW', executedQty: '0', time: 9999 }, -1],
    [{ status: 'PARTIALLY_FILLED', executedQty: '0.6', time: 1 }, 1], [{ status: 'PARTIALLY_FILLED', executedQty: '0.4', time: 3000 }, -1],
    [{ status: 'PARTIALLY_FILLED', executedQty: '0.5', time: 2000 }, 0], [{ status: 'PARTIALLY_FILLED', executedQty: '0.5', time: 2001 }, 1],
    [{ status: 'TRIGGERED', time: 1 }, 1], [{}, -1]];
  for (const [update, expected] of cases) assert.equal(Math.sign(progress(update, row)), expected, JSON.stringify(update));
  assert.equal(progress({ status: 'NEW' }, { status: null }), 1);
  assert.ok(progress({ status: 'FINISHED' }, { status: 'TRIGGERED' }) > 0);
  assert.ok(progress({ status: 'CANCELED', time: 1 }, { status: 'FILLED', executed_qty: '0', status_time: 5 }) < 0);
});

test('config — ACCOUNT_FOLLOW: true by default, false turns it off, anything else a ConfigError naming it', () => {
  assert.equal(loadConfig({}, { warn: () => {} }).accountFollow, true);
  assert.equal(loadConfig({ ACCOUNT_FOLLOW: 'false' }, { warn: () => {} }).accountFollow, false);
  assert.equal(loadConfig({ ACCOUNT_FOLLOW: 'TRUE' }, { warn: () => {} }).accountFollow, true);
  assert.throws(() => loadConfig({ ACCOUNT_FOLLOW: 'maybe' }, { warn: () => {} }),
    (err) => err instanceof ConfigError && /ACCOUNT_FOLLOW/.test(err.message));
});
