'use strict';
// GET /direct-api/binance/audit: python_service's audit log merged with express_api's own, newest first by
// time, paged by a cursor that holds a position in each; express_api's log is append-only.
const { test } = require('node:test');
const assert = require('node:assert/strict');
const { buildApp, startStandIn, json, loginAs, bearer } = require('./helpers');

/** python_service's log as its GET /api/binance/audit pages it (limit, before), ids 1..n at times `times`. */
function pythonLog(times) {
  const entries = times.map((at, i) => ({ id: i + 1, at, actor: 'bot:127.0.0.1 key:abcd', action: 'order.place',
    market: 'spot', symbol: 'BTCUSDT', decision: 'allowed', outcome: null, attempt_id: null, detail: {} })).reverse();
  return (req, res) => {
    const query = new URL(req.url, 'http://x').searchParams;
    const before = Number(query.get('before') || Infinity);
    const page = entries.filter((e) => e.id < before).slice(0, Number(query.get('limit') || 100));
    json(res, 200, { entries: page, count: page.length });
  };
}

async function setUp(t, auditRoute, { ownAt = [] } = {}) {
  const standIn = await startStandIn(auditRoute ? { '/api/binance/audit': auditRoute } : {});
  t.after(() => standIn.close());
  let now = 0;
  const built = buildApp({ env: { PYTHON_SERVICE_URL: standIn.url, INTERNAL_API_TOKEN: 'internal-tok' }, clock: () => now });
  const admin = await loginAs(built, 'ada', 'admin');
  const { openAuditStore } = require('../src/audit-store');
  const own = openAuditStore(built.users.db, { clock: () => now });
  for (const at of ownAt) {
    now = at * 1000;
    own.append({ actor: 'user:ada', action: 'user_created', outcome: 'ok', detail: { username: `u${at}` } });
  }
  const read = (query = '') => built.agent().get(`/direct-api/binance/audit${query}`).set('Authorization', bearer(admin.token));
  return { ...built, standIn, admin, read };
}

test('GET /direct-api/binance/audit — both logs merged, newest first by time, each entry naming its log', async (t) => {
  const { read, standIn } = await setUp(t, pythonLog([10, 30, 50]), { ownAt: [20, 40] });
  const res = await read();
  assert.equal(res.status, 200);
  assert.equal(res.headers['cache-control'], 'no-store');
  assert.deepEqual(res.body.entries.map((e) => [e.at, e.source]), [[50, 'python_service'], [40, 'express_api'],
    [30, 'python_service'], [20, 'express_api'], [10, 'python_service']]);
  assert.equal(res.body.count, 5);
  assert.equal(res.body.next_before, null, 'all of both logs shown');
  assert.deepEqual(res.body.errors, {});
  assert.equal(standIn.log[0].url, '/api/binance/audit?limit=100');
  assert.equal(standIn.log[0].headers['x-internal-token'], 'internal-tok');
});

test('GET /direct-api/binance/audit?limit=2 — next_before pages through both logs, every entry exactly once, in order', async (t) => {
  const pythonTimes = [1, 2, 3, 7, 8, 12];
  const ownTimes = [4, 5, 6, 9, 10, 11];
  const { read } = await setUp(t, pythonLog(pythonTimes), { ownAt: ownTimes });
  const seen = [];
  let cursor;
  for (let page = 0; page < 10; page += 1) {
    const res = await read(`?limit=2${cursor ? `&before=${encodeURIComponent(cursor)}` : ''}`);
    assert.equal(res.status, 200);
    seen.push(...res.body.entries.map((e) => e.at));
    cursor = res.body.next_before;
    if (cursor === null) break;
  }
  assert.deepEqual(seen, [...pythonTimes, ...ownTimes].sort((a, b) => b - a));
  assert.equal(cursor, null);
});

test('GET /direct-api/binance/audit — python_service unreachable — express_api\'s entries alone, and why', async (t) => {
  const { read } = await setUp(t, (req, res) => json(res, 503, { error: { code: 'internal_token_not_configured',
    message: 'INTERNAL_API_TOKEN is not set' } }), { ownAt: [5] });
  const res = await read();
  assert.equal(res.status, 200);
  assert.deepEqual(res.body.entries.map((e) => e.source), ['express_api']);
  assert.equal(res.body.errors.python_service.code, 'internal_token_not_configured');
  assert.equal(res.body.next_before, '.0', 'python_service\'s log is asked again from its newest on the next page');
});

test('GET /direct-api/binance/audit — a viewer or trader — 403 forbidden, python_service not asked; a bad cursor — 400', async (t) => {
  const built = await setUp(t, pythonLog([1]));
  for (const role of ['viewer', 'trader']) {
    const { token } = await loginAs(built, `a${role}`, role);
    const res = await built.agent().get('/direct-api/binance/audit').set('Authorization', bearer(token));
    assert.deepEqual([res.status, res.body.error.code], [403, 'forbidden']);
  }
  assert.equal(built.standIn.log.length, 0);
  for (const query of ['?before=abc', '?before=1', '?limit=0', '?limit=501']) {
    assert.equal((await built.read(query)).status, 400, query);
  }
});

test('express_api\'s audit log — append-only: an UPDATE or DELETE of a row is refused by the database', async (t) => {
  const { users } = await setUp(t, pythonLog([]), { ownAt: [1] });
  assert.throws(() => users.db.prepare("UPDATE audit SET actor = 'user:someone-else'").run(), /append-only/);
  assert.throws(() => users.db.prepare('DELETE FROM audit').run(), /append-only/);
  assert.equal(users.db.prepare('SELECT actor FROM audit').get().actor, 'user:ada');
});
