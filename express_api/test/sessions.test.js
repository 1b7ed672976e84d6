'use strict';
// Sessions: a short-lived access token and a refresh cookie that rotates at each refresh; a spent cookie
// presented again revokes its whole family (OWASP refresh token reuse detection); logout revokes it.
const { test } = require('node:test');
const assert = require('node:assert/strict');
const jwt = require('jsonwebtoken');
const { buildApp, loginAs, bearer, PASSWORD } = require('./helpers');
const { MAX_FAMILIES_PER_USER } = require('../src/session-store');

const SECRET = 'test-jwt-secret-0123456789abcdef';
const refreshLine = (res) => (res.headers['set-cookie'] || []).find((line) => line.startsWith('refresh='));
const cookieOf = (res) => refreshLine(res).split(';')[0];
const attributesOf = (res) => refreshLine(res).split(';').slice(1).map((a) => a.trim()).filter((a) => !a.startsWith('Expires='));

function refresh(built, cookie, { header = true } = {}) {
  const req = built.agent().post('/api/auth/refresh');
  if (cookie) req.set('Cookie', cookie);
  if (header) req.set('X-Requested-With', 'fetch');
  return req;
}

test('POST /api/auth/login — an access token of 900 s by default, and a refresh cookie: HttpOnly, SameSite=Strict, Path=/api/auth, 30 days; Secure over TLS', async () => {
  const built = buildApp({ env: { TRUST_PROXY: 'loopback' } }); // so Express believes X-Forwarded-Proto
  await loginAs(built, 'alice', 'trader');
  const login = () => built.agent().post('/api/auth/login').send({ username: 'alice', password: PASSWORD });
  const plain = await login();
  const tls = await login().set('X-Forwarded-Proto', 'https');

  assert.equal(plain.status, 200);
  assert.equal(plain.body.expires_in, 900);
  assert.deepEqual(plain.body.user, { id: 1, username: 'alice', role: 'trader', disabled: false,
    created_at: plain.body.user.created_at });
  assert.deepEqual(attributesOf(plain), ['Max-Age=2592000', 'Path=/api/auth', 'HttpOnly', 'SameSite=Strict']);
  assert.match(cookieOf(plain), /^refresh=[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}$/);
  assert.deepEqual(attributesOf(tls), ['Max-Age=2592000', 'Path=/api/auth', 'HttpOnly', 'Secure', 'SameSite=Strict']);
  assert.notEqual(cookieOf(plain).split('.')[0], cookieOf(tls).split('.')[0], 'each login is a family of its own');
});

test('POST /api/auth/login — the refresh token is stored only as a hash', async () => {
  const built = buildApp();
  const { refresh: cookie } = await loginAs(built, 'alice', 'viewer');
  const [family, secret] = cookie.slice('refresh='.length).split('.');
  const row = built.users.db.prepare('SELECT * FROM sessions').get();
  assert.equal(row.family, family);
  const stored = JSON.stringify({ ...row, secret_hash: Buffer.from(row.secret_hash).toString('base64url') });
  assert.ok(!stored.includes(secret));
});

test('POST /api/auth/refresh — with the cookie and X-Requested-With — a new access token, the cookie rotated and the old one spent', async () => {
  const built = buildApp({ env: { REFRESH_TTL_S: '3600' } });
  const { refresh: first, token } = await loginAs(built, 'alice', 'trader');

  const res = await refresh(built, first);

  assert.equal(res.status, 200);
  assert.equal(res.headers['cache-control'], 'no-store');
  assert.equal(res.body.user.username, 'alice');
  assert.equal(res.body.user.role, 'trader');
  assert.equal(jwt.verify(res.body.token, SECRET).username, 'alice');
  assert.notEqual(res.body.token, token, 'a new access token, even within the same second (jti)');
  const second = cookieOf(res);
  assert.notEqual(second, first);
  assert.equal(second.split('.')[0], first.split('.')[0], 'the same family');
  assert.deepEqual(attributesOf(res), ['Max-Age=3600', 'Path=/api/auth', 'HttpOnly', 'SameSite=Strict']);
  assert.equal((await built.agent().get('/api/auth/me').set('Authorization', bearer(res.body.token))).status, 200);
  assert.equal((await built.agent().get('/api/auth/me').set('Authorization', bearer(token))).status, 200,
    'the earlier access token lives out its short life');
  const third = await refresh(built, second);
  assert.equal(third.status, 200, 'the rotated cookie works');
});

test('POST /api/auth/refresh — a spent cookie presented again — 401 refresh_token_reused, and the whole family is revoked', async () => {
  const built = buildApp();
  const { refresh: stolen } = await loginAs(built, 'alice', 'trader');
  const other = await built.agent().post('/api/auth/login').send({ username: 'alice', password: PASSWORD });
  const otherBrowser = cookieOf(other); // another login of alice's: another family
  const owners = cookieOf(await refresh(built, stolen)); // the owner refreshes: `stolen` is spent

  const replay = await refresh(built, stolen); // the thief replays the copy

  assert.equal(replay.status, 401);
  assert.equal(replay.body.error.code, 'refresh_token_reused');
  assert.match(refreshLine(replay), /^refresh=;.*Expires=Thu, 01 Jan 1970/, 'the cookie is cleared');
  const after = await refresh(built, owners);
  assert.equal(after.status, 401, "the owner's current cookie of that family is revoked too");
  assert.equal(after.body.error.code, 'invalid_refresh');
  assert.equal((await refresh(built, otherBrowser)).status, 200, 'another login (family) of the same user goes on');
  const [row] = built.users.db.prepare("SELECT * FROM audit WHERE action = 'refresh_token_reused'").all();
  assert.deepEqual([row.actor, row.outcome], ['user:alice', 'sessions_revoked']);
});

test('POST /api/auth/refresh — without X-Requested-With — 403 csrf_header_missing, and the cookie is not spent', async () => {
  const built = buildApp();
  const { refresh: cookie } = await loginAs(built, 'alice', 'viewer');
  const res = await refresh(built, cookie, { header: false });
  assert.equal(res.status, 403);
  assert.equal(res.body.error.code, 'csrf_header_missing');
  assert.equal(refreshLine(res), undefined);
  assert.equal((await refresh(built, cookie)).status, 200);
});

for (const [name, cookie, code] of [['no cookie', null, 'refresh_cookie_missing'],
  ['a made-up cookie', `refresh=${'A'.repeat(22)}.${'B'.repeat(43)}`, 'invalid_refresh'],
  ['a malformed cookie', 'refresh=nonsense', 'invalid_refresh']]) {
  test(`POST /api/auth/refresh — ${name} — 401 ${code}`, async () => {
    const built = buildApp();
    const res = await refresh(built, cookie);
    assert.equal(res.status, 401);
    assert.equal(res.body.error.code, code);
  });
}

test('POST /api/auth/refresh — past REFRESH_TTL_S since the last rotation — 401 invalid_refresh (injected clock)', async () => {
  let now = Date.parse('2026-11-21T21:00:00Z');
  const built = buildApp({ env: { REFRESH_TTL_S: '600' }, clock: () => now });
  const { refresh: cookie } = await loginAs(built, 'alice', 'viewer');
  now += 599_000;
  const renewed = await refresh(built, cookie);
  assert.equal(renewed.status, 200, 'within its life');
  now += 601_000;
  const late = await refresh(built, cookieOf(renewed));
  assert.equal(late.status, 401);
  assert.equal(late.body.error.code, 'invalid_refresh');
  assert.equal(built.users.db.prepare('SELECT COUNT(*) AS n FROM sessions').get().n, 0, 'the expired family is pruned');
});

test('POST /api/auth/logout — revokes the cookie\'s family and clears the cookie; idempotent; works with the cookie alone', async () => {
  const built = buildApp();
  const { refresh: cookie } = await loginAs(built, 'alice', 'viewer');
  const res = await built.agent().post('/api/auth/logout').set('Cookie', cookie);
  assert.equal(res.status, 204);
  assert.match(refreshLine(res), /^refresh=; Path=\/api\/auth; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; SameSite=Strict$/);
  assert.equal((await refresh(built, cookie)).status, 401);
  assert.equal((await built.agent().post('/api/auth/logout').set('Cookie', cookie)).status, 204, 'again');
  assert.equal((await built.agent().post('/api/auth/logout')).status, 204, 'without a cookie');
});

test('refresh — a disabled user\'s cookie — 401, and a deleted user\'s — 401 (their sessions are gone)', async () => {
  const built = buildApp();
  const admin = await loginAs(built, 'root', 'admin');
  const carol = await loginAs(built, 'carol', 'trader');
  const dave = await loginAs(built, 'dave', 'trader');
  const as = (req) => req.set('Authorization', bearer(admin.token));
  await as(built.agent().patch('/api/auth/users/carol')).send({ disabled: true }).expect(200);
  await as(built.agent().delete('/api/auth/users/dave')).expect(204);

  for (const cookie of [carol.refresh, dave.refresh]) {
    const res = await refresh(built, cookie);
    assert.equal(res.status, 401);
    assert.equal(res.body.error.code, 'invalid_refresh');
  }
  assert.equal(built.users.db.prepare('SELECT COUNT(*) AS n FROM sessions WHERE user_id <> 1').get().n, 0);
});

test(`sessions — bounded: a user keeps at most ${MAX_FAMILIES_PER_USER} logins, the oldest dropped`, async () => {
  const built = buildApp();
  const { refresh: oldest } = await loginAs(built, 'alice', 'viewer');
  for (let i = 0; i < MAX_FAMILIES_PER_USER; i += 1) {
    await built.agent().post('/api/auth/login').send({ username: 'alice', password: PASSWORD }).expect(200);
  }
  assert.equal(built.users.db.prepare('SELECT COUNT(*) AS n FROM sessions').get().n, MAX_FAMILIES_PER_USER);
  assert.equal((await refresh(built, oldest)).status, 401);
});
