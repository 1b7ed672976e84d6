'use strict';
// Admins manage users: list, create, change (role, password, disabled), delete, unlock — never leaving the
// deployment without an enabled admin; every change in express_api's audit log, without secrets. A user
// disabled, deleted or demoted loses access on their next request, with the token they already hold.
const { test } = require('node:test');
const assert = require('node:assert/strict');
const { buildApp, loginAs, bearer, PASSWORD } = require('./helpers');

async function withAdmin(env = {}) {
  const built = buildApp({ env });
  const admin = await loginAs(built, 'root', 'admin');
  const as = (token) => ({
    list: () => built.agent().get('/api/auth/users').set('Authorization', bearer(token)),
    create: (body) => built.agent().post('/api/auth/users').set('Authorization', bearer(token)).send(body),
    change: (name, body) => built.agent().patch(`/api/auth/users/${name}`).set('Authorization', bearer(token)).send(body),
    remove: (name) => built.agent().delete(`/api/auth/users/${name}`).set('Authorization', bearer(token)),
    unlock: (name) => built.agent().post(`/api/auth/users/${name}/unlock`).set('Authorization', bearer(token)),
    me: () => built.agent().get('/api/auth/me').set('Authorization', bearer(token)),
  });
  return { ...built, admin, root: as(admin.token), as };
}

const auditRows = (built) => built.users.db.prepare('SELECT * FROM audit ORDER BY id').all()
  .map((row) => ({ ...row, detail: JSON.parse(row.detail) }));

test('GET, POST /api/auth/users — an admin lists and creates users with a role', async () => {
  const { root } = await withAdmin();
  const created = await root.create({ username: 'Trader1', password: PASSWORD, role: 'trader' });
  assert.equal(created.status, 201);
  assert.deepEqual([created.body.user.username, created.body.user.role, created.body.user.disabled], ['Trader1', 'trader', false]);
  const list = await root.list();
  assert.equal(list.status, 200);
  assert.deepEqual(list.body.users.map((u) => [u.username, u.role]), [['root', 'admin'], ['Trader1', 'trader']]);
  assert.ok(!JSON.stringify(list.body).includes('scrypt'), 'no hash in any answer');
});

test('POST /api/auth/users — a taken username in another case — 409 username_taken; a bad role — 400 invalid_role', async () => {
  const { root } = await withAdmin();
  await root.create({ username: 'carol', password: PASSWORD, role: 'viewer' }).expect(201);
  const taken = await root.create({ username: 'CAROL', password: PASSWORD, role: 'viewer' });
  assert.deepEqual([taken.status, taken.body.error.code], [409, 'username_taken']);
  const badRole = await root.create({ username: 'dave', password: PASSWORD, role: 'owner' });
  assert.deepEqual([badRole.status, badRole.body.error.code], [400, 'invalid_role']);
  const common = await root.create({ username: 'dave', password: 'password1', role: 'viewer' });
  assert.deepEqual([common.status, common.body.error.code], [400, 'common_password']);
});

for (const role of ['viewer', 'trader']) {
  test(`/api/auth/users — a ${role}'s token — 403 forbidden on every users route, nothing changed`, async () => {
    const built = await withAdmin();
    const { token } = await loginAs(built, 'mallory', role);
    const them = built.as(token);
    for (const res of [await them.list(), await them.create({ username: 'evil', password: PASSWORD, role: 'admin' }),
      await them.change('mallory', { role: 'admin' }), await them.remove('root'), await them.unlock('mallory')]) {
      assert.equal(res.status, 403, res.req.method);
      assert.equal(res.body.error.code, 'forbidden');
    }
    assert.equal(built.users.findByUsername('mallory').role, role);
    assert.equal(built.users.list().length, 2);
  });
}

test('PATCH /api/auth/users/:username — a demoted trader — loses placing at their next request, with the same token', async () => {
  const built = await withAdmin();
  const trader = await loginAs(built, 'tina', 'trader');
  const order = { symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '0.001' };
  const place = () => built.agent().post('/direct-api/binance/orders').set('Authorization', bearer(trader.token)).send(order);
  assert.notEqual((await place()).status, 403, 'a trader may place (python_service is absent here: 502)');

  const res = await built.root.change('TINA', { role: 'viewer' });
  assert.equal(res.status, 200);
  assert.equal(res.body.user.role, 'viewer');
  const refused = await place();
  assert.equal(refused.status, 403);
  assert.equal(refused.body.error.code, 'forbidden');
  assert.equal((await built.as(trader.token).me()).status, 200, 'still a viewer');
});

test('PATCH /api/auth/users/:username {disabled: true} — that user\'s token and refresh cookie stop working at once; login refused', async () => {
  const built = await withAdmin();
  const carol = await loginAs(built, 'carol', 'trader');
  await built.root.change('carol', { disabled: true }).expect(200);
  const me = await built.as(carol.token).me();
  assert.deepEqual([me.status, me.body.error.code], [401, 'account_disabled']);
  const login = await built.agent().post('/api/auth/login').send({ username: 'carol', password: PASSWORD });
  assert.deepEqual([login.status, login.body.error.code], [401, 'account_disabled']);
  const refresh = await built.agent().post('/api/auth/refresh').set('Cookie', carol.refresh).set('X-Requested-With', 'x');
  assert.equal(refresh.status, 401);

  await built.root.change('carol', { disabled: false }).expect(200);
  assert.equal((await built.as(carol.token).me()).status, 401, 'a token from before the disabling stays dead');
  await built.agent().post('/api/auth/login').send({ username: 'carol', password: PASSWORD }).expect(200);
});

test('PATCH /api/auth/users/:username {password} — old sessions end (token and cookie), the new password works, the lockout is lifted', async () => {
  const built = await withAdmin({ AUTH_RATE_LIMIT: '2', TRUST_PROXY: 'loopback' });
  const carol = await loginAs(built, 'carol', 'viewer');
  const login = (password, from) => built.agent().post('/api/auth/login').set('X-Forwarded-For', from)
    .send({ username: 'carol', password });
  for (const from of ['10.0.0.1', '10.0.0.2', '10.0.0.3']) await login('wrong-password', from);
  assert.equal((await login(PASSWORD, '10.0.0.4')).status, 429, 'carol is locked out');

  const res = await built.root.change('carol', { password: 'a brand new password' });
  assert.equal(res.status, 200);

  assert.equal((await built.as(carol.token).me()).status, 401, 'the access token from before is refused');
  const refresh = await built.agent().post('/api/auth/refresh').set('Cookie', carol.refresh).set('X-Requested-With', 'x');
  assert.equal(refresh.status, 401, 'the refresh cookie from before is revoked');
  assert.equal((await login(PASSWORD, '10.0.0.5')).status, 401, 'the old password is gone');
  assert.equal((await login('a brand new password', '10.0.0.6')).status, 200, 'unlocked, with the new password');
  const [row] = auditRows(built).filter((r) => r.action === 'user_changed');
  assert.deepEqual(row.detail, { username: 'carol', password_changed: true });
  assert.ok(!JSON.stringify(auditRows(built)).includes('brand new'));
});

test('POST /api/auth/users/:username/unlock — lifts that username\'s lockout (204), recorded', async () => {
  const built = await withAdmin({ AUTH_RATE_LIMIT: '2', TRUST_PROXY: 'loopback' });
  await loginAs(built, 'carol', 'viewer');
  const login = (password, from) => built.agent().post('/api/auth/login').set('X-Forwarded-For', from)
    .send({ username: 'carol', password });
  for (const from of ['10.0.0.1', '10.0.0.2', '10.0.0.3']) await login('wrong-password', from);
  assert.equal((await login(PASSWORD, '10.0.0.4')).status, 429);
  assert.equal((await built.root.unlock('Carol')).status, 204);
  assert.equal((await login(PASSWORD, '10.0.0.5')).status, 200);
  assert.equal((await built.root.unlock('nobody')).status, 404);
  assert.deepEqual(auditRows(built).filter((r) => r.action === 'user_unlocked').map((r) => [r.actor, r.detail.username]),
    [['user:root', 'carol']]);
});

test('DELETE /api/auth/users/:username — 204; their token, cookie and order history are gone; the name can be used again', async () => {
  const built = await withAdmin();
  const dave = await loginAs(built, 'dave', 'trader');
  built.users.db.prepare(`INSERT INTO orders (user_id, client_order_id, symbol, request, outcome, http_status, response,
    created_at, updated_at) VALUES (?, 'u2-x', 'BTCUSDT', '{}', 'placed', 201, '{}', 'now', 'now')`).run(dave.user.id);
  assert.equal((await built.root.remove('DAVE')).status, 204);
  assert.equal((await built.as(dave.token).me()).status, 401);
  assert.equal(built.users.db.prepare('SELECT COUNT(*) AS n FROM orders').get().n, 0);
  assert.equal((await built.root.remove('dave')).status, 404);
  const again = await built.root.create({ username: 'dave', password: PASSWORD, role: 'viewer' });
  assert.equal(again.status, 201);
  assert.notEqual(again.body.user.id, dave.user.id, 'ids are never reused: u<id>- order ids never change owner');
  assert.equal((await built.as(dave.token).me()).status, 401, 'the old token does not reach the new dave');
});

test('last admin — demoting, disabling or deleting the only enabled admin — 409 last_admin; with a second admin it goes', async () => {
  const built = await withAdmin();
  for (const res of [await built.root.change('root', { role: 'trader' }), await built.root.change('root', { disabled: true }),
    await built.root.remove('root')]) {
    assert.equal(res.status, 409);
    assert.equal(res.body.error.code, 'last_admin');
  }
  assert.equal(built.users.findByUsername('root').role, 'admin');

  await built.root.create({ username: 'second', password: PASSWORD, role: 'admin' }).expect(201);
  await built.root.change('second', { disabled: true }).expect(200);
  assert.equal((await built.root.remove('root')).status, 409, 'a disabled admin does not count');
  await built.root.change('second', { disabled: false }).expect(200);
  assert.equal((await built.root.change('root', { role: 'viewer' })).status, 200, 'another enabled admin remains');
  assert.equal((await built.root.list()).status, 403, 'root is a viewer now, on its next request');
});

test('PATCH /api/auth/users/:username — an empty body or an unknown field — 400; an unknown user — 404 unknown_user', async () => {
  const { root } = await withAdmin();
  assert.equal((await root.change('root', {})).status, 400);
  assert.equal((await root.change('root', { admin: true })).status, 400);
  const unknown = await root.change('ghost', { role: 'viewer' });
  assert.deepEqual([unknown.status, unknown.body.error.code], [404, 'unknown_user']);
  assert.equal((await root.change('a b', { role: 'viewer' })).body.error.code, 'invalid_username');
});

test('audit — each admin action is one row naming its admin, with roles and flags but no password or hash', async () => {
  const built = await withAdmin();
  await built.root.create({ username: 'erin', password: 'erin-secret-password', role: 'viewer' }).expect(201);
  await built.root.change('erin', { role: 'trader', disabled: true, password: 'erin-other-password' }).expect(200);
  await built.root.remove('erin').expect(204);
  const rows = auditRows(built);
  assert.deepEqual(rows.map((r) => [r.actor, r.action, r.outcome]), [['user:root', 'user_created', 'ok'],
    ['user:root', 'user_changed', 'ok'], ['user:root', 'user_deleted', 'ok']]);
  assert.deepEqual(rows[1].detail, { username: 'erin', role: { from: 'viewer', to: 'trader' },
    disabled: { from: false, to: true }, password_changed: true });
  const text = JSON.stringify(rows);
  assert.ok(!text.includes('erin-secret') && !text.includes('erin-other') && !text.includes('scrypt'));
});
