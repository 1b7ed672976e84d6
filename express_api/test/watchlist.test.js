'use strict';
// GET and PUT /direct-api/watchlist: each user's own symbols, kept in the user store; a new user starts with the
// default; each symbol checked by the symbol rule, upper-cased, duplicates dropped in order; at most 100.
const { test } = require('node:test');
const assert = require('node:assert/strict');
const { buildApp, loginAs, bearer } = require('./helpers');
const { DEFAULT_WATCHLIST } = require('../src/watchlist-store');

const PATH = '/direct-api/watchlist';

async function setUp() {
  const built = buildApp();
  const vic = await loginAs(built, 'vic', 'viewer');
  const olga = await loginAs(built, 'olga', 'trader');
  const as = ({ token }) => ({
    get: () => built.agent().get(PATH).set('Authorization', bearer(token)),
    put: (body) => built.agent().put(PATH).set('Authorization', bearer(token)).send(body),
  });
  return { built, vic: as(vic), olga: as(olga), vicUser: vic.user };
}

test('GET /direct-api/watchlist — a new user — the default list, not stored until they save one', async () => {
  const { vic } = await setUp();
  const res = await vic.get();
  assert.equal(res.status, 200);
  assert.deepEqual(res.body, { symbols: ['BTCUSDT', 'ETHUSDT', 'BNBUSDT', 'SOLUSDT', 'XRPUSDT'] });
  assert.deepEqual(DEFAULT_WATCHLIST, res.body.symbols);
  assert.equal(res.headers['cache-control'], 'no-store');
});

test('PUT /direct-api/watchlist — symbols in any case and script, repeated — upper-cased after NFC, duplicates dropped with the first kept in place; read back; another user\'s unchanged', async () => {
  const { vic, olga } = await setUp();
  const decomposed = '币安人生usdt'.normalize('NFD');

  const res = await vic.put({ symbols: ['ethusdt', 'BTCUSDT', 'EthUsdt', decomposed, '1000PEPEUSDT', 'btcusdt', 'a-b_c.d'] });

  assert.equal(res.status, 200);
  assert.deepEqual(res.body.symbols, ['ETHUSDT', 'BTCUSDT', '币安人生USDT', '1000PEPEUSDT', 'A-B_C.D']);
  assert.deepEqual((await vic.get()).body.symbols, res.body.symbols);
  assert.deepEqual((await olga.get()).body.symbols, DEFAULT_WATCHLIST);
  assert.deepEqual((await vic.put({ symbols: [] })).body.symbols, []);
  assert.deepEqual((await vic.get()).body.symbols, [], 'an empty list is a list, not the default');
});

test('PUT /direct-api/watchlist — 100 symbols pass; 101 — 400 invalid_watchlist, nothing saved', async () => {
  const { vic } = await setUp();
  const hundred = Array.from({ length: 100 }, (_, i) => `S${i}USDT`);
  assert.equal((await vic.put({ symbols: hundred })).status, 200);

  const res = await vic.put({ symbols: [...hundred, 'ONEMORE'] });

  assert.deepEqual([res.status, res.body.error.code], [400, 'invalid_watchlist']);
  assert.deepEqual((await vic.get()).body.symbols, hundred);
});

for (const [body, code] of [[{ symbols: ['BTC USDT'] }, 'invalid_symbol'], [{ symbols: ['BTC/USDT'] }, 'invalid_symbol'],
  [{ symbols: ['BTCUSDT', 'A&B'] }, 'invalid_symbol'], [{ symbols: ['A'.repeat(51)] }, 'invalid_symbol'],
  [{ symbols: [''] }, 'invalid_symbol'], [{ symbols: [42] }, 'invalid_symbol'], [{ symbols: ['BTC\u0000'] }, 'invalid_symbol'],
  [{ symbols: ['€USDT'] }, 'invalid_symbol'], [{ symbols: 'BTCUSDT' }, 'invalid_watchlist'], [{}, 'invalid_watchlist'],
  [['BTCUSDT'], 'invalid_parameter']]) {
  test(`PUT /direct-api/watchlist — ${JSON.stringify(body)} — 400 ${code}, nothing saved`, async () => {
    const { vic } = await setUp();
    const res = await vic.put(body);
    assert.deepEqual([res.status, res.body.error.code], [400, code]);
    assert.deepEqual((await vic.get()).body.symbols, DEFAULT_WATCHLIST);
  });
}

test('DELETE of a user — their watchlist goes with them', async () => {
  const { built, vic, vicUser } = await setUp();
  await vic.put({ symbols: ['ETHUSDT'] }).expect(200);
  built.users.remove(vicUser.id);
  assert.equal(built.users.db.prepare('SELECT COUNT(*) AS n FROM watchlists').get().n, 0);
});
