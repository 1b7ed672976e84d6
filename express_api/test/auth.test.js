'use strict';
const { test } = require('node:test');
const assert = require('node:assert/strict');
const jwt = require('jsonwebtoken');
const { buildApp, registerAndLogin } = require('./helpers');

const SECRET = 'test-jwt-secret-0123456789abcdef';

test('POST /api/auth/register — with a valid username and password — 201 and the user, never the password', async () => {
  const { agent, users } = buildApp();
  const res = await agent().post('/api/auth/register').send({ username: 'alice', password: 'correct horse battery' });
  assert.equal(res.status, 201);
  assert.equal(res.body.user.username, 'alice');
  assert.ok(!JSON.stringify(res.body).includes('correct horse'));
  const stored = users.findByUsername('alice').password_hash;
  assert.match(stored, /^scrypt\$/);
  assert.ok(!stored.includes('correct horse'));
});

test('POST /api/auth/register — same username in another case — 409 username_taken', async () => {
  const { agent } = buildApp();
  await agent().post('/api/auth/register').send({ username: 'alice', password: 'password-one' }).expect(201);
  const res = await agent().post('/api/auth/register').send({ username: 'ALICE', password: 'password-two' });
  assert.equal(res.status, 409);
  assert.equal(res.body.error.code, 'username_taken');
});

for (const [body, code] of [
  [{ username: 'al', password: 'long enough pw' }, 'invalid_username'],
  [{ username: 'a l i c e', password: 'long enough pw' }, 'invalid_username'],
  [{ username: 'alice', password: 'short' }, 'invalid_password'],
  [{ username: 'alice', password: 'x'.repeat(129) }, 'invalid_password'],
  [{ username: 'alice', password: 12345678 }, 'invalid_password'],
  [{}, 'invalid_username'],
]) {
  test(`POST /api/auth/register — ${JSON.stringify(body).slice(0, 60)} — 400 ${code}`, async () => {
    const res = await buildApp().agent().post('/api/auth/register').send(body);
    assert.equal(res.status, 400);
    assert.equal(res.body.error.code, code);
  });
}

test('POST /api/auth/login — right password — a Bearer token with its expiry', async () => {
  const { agent } = buildApp({ env: { TOKEN_TTL_S: '600' } });
  await agent().post('/api/auth/register').send({ username: 'bob', password: 'hunter2hunter2' }).expect(201);
  const res = await agent().post('/api/auth/login').send({ username: 'bob', password: 'hunter2hunter2' });
  assert.equal(res.status, 200);
  assert.equal(res.body.token_type, 'Bearer');
  assert.equal(res.body.expires_in, 600);
  const claims = jwt.verify(res.body.token, SECRET);
  assert.equal(claims.username, 'bob');
  assert.equal(new Date(res.body.expires_at).getTime(), claims.exp * 1000);
});

test('POST /api/auth/login — wrong password and unknown user — the same 401', async () => {
  const { agent } = buildApp();
  await agent().post('/api/auth/register').send({ username: 'bob', password: 'hunter2hunter2' }).expect(201);
  const wrong = await agent().post('/api/auth/login').send({ username: 'bob', password: 'not-the-password' });
  const unknown = await agent().post('/api/auth/login').send({ username: 'nobody', password: 'hunter2hunter2' });
  assert.equal(wrong.status, 401);
  assert.deepEqual(wrong.body, unknown.body);
  assert.equal(wrong.body.error.code, 'invalid_credentials');
});

test('GET /api/auth/me — with a valid token — the user', async () => {
  const { agent } = buildApp();
  const token = await registerAndLogin(agent);
  const res = await agent().get('/api/auth/me').set('Authorization', `Bearer ${token}`);
  assert.equal(res.status, 200);
  assert.equal(res.body.user.username, 'alice');
});

const badTokens = {
  'no token': () => null,
  'a tampered token': (good) => good.slice(0, -3) + (good.endsWith('abc') ? 'xyz' : 'abc'),
  'an expired token': () => jwt.sign({ sub: '1', username: 'alice', exp: Math.floor(Date.now() / 1000) - 10 }, SECRET),
  'a token signed with another secret': () => jwt.sign({ sub: '1', username: 'alice' }, 'another-secret-0123456789'),
  'an unsigned token (alg none)': () => jwt.sign({ sub: '1', username: 'alice' }, null, { algorithm: 'none' }),
  'a token of a user that does not exist': () => jwt.sign({ sub: '999', username: 'ghost' }, SECRET),
};
for (const [name, make] of Object.entries(badTokens)) {
  test(`GET /api/auth/me — with ${name} — 401 unauthorized in the error shape`, async () => {
    const { agent } = buildApp();
    const good = await registerAndLogin(agent);
    const token = make(good);
    const req = agent().get('/api/auth/me');
    if (token) req.set('Authorization', `Bearer ${token}`);
    const res = await req;
    assert.equal(res.status, 401);
    assert.deepEqual(Object.keys(res.body.error).sort(), ['code', 'message']);
    assert.equal(res.body.error.code, 'unauthorized');
  });
}

test('POST /api/auth/login — more attempts than AUTH_RATE_LIMIT from one address — 429 in the error shape', async () => {
  const { agent } = buildApp({ env: { AUTH_RATE_LIMIT: '3' } });
  const statuses = [];
  for (let i = 0; i < 4; i += 1) {
    statuses.push((await agent().post('/api/auth/login').send({ username: 'x', password: 'y' })).status);
  }
  const res = await agent().post('/api/auth/login').send({ username: 'x', password: 'y' });
  assert.deepEqual(statuses, [401, 401, 401, 429]);
  assert.equal(res.body.error.code, 'rate_limited');
  assert.ok(Number(res.headers['retry-after']) > 0);
});

test('POST /api/auth/login — malformed JSON — 400 invalid_json', async () => {
  const res = await buildApp().agent().post('/api/auth/login').set('Content-Type', 'application/json').send('{"username": ');
  assert.equal(res.status, 400);
  assert.equal(res.body.error.code, 'invalid_json');
});

test('POST /api/auth/register — a body over the size limit — 413 payload_too_large', async () => {
  const res = await buildApp().agent().post('/api/auth/register').send({ username: 'alice', password: 'p'.repeat(20000) });
  assert.equal(res.status, 413);
  assert.equal(res.body.error.code, 'payload_too_large');
});

test('users survive a restart of the store (SQLite file)', async (t) => {
  const fs = require('node:fs');
  const os = require('node:os');
  const path = require('node:path');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'users-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const env = { DATABASE_PATH: path.join(dir, 'users.sqlite') };
  const first = buildApp({ env });
  await first.agent().post('/api/auth/register').send({ username: 'carol', password: 'carol-password' }).expect(201);
  first.users.close();
  const second = buildApp({ env });
  await second.agent().post('/api/auth/login').send({ username: 'carol', password: 'carol-password' }).expect(200);
  second.users.close();
});

for (const body of [[], ['alice', 'pw'], { username: 'bob' }, { username: 'bob', password: 12345678 }, { username: ['bob'], password: 'x' }]) {
  test(`POST /api/auth/login — ${JSON.stringify(body)} — 400 invalid_credentials_format`, async () => {
    const res = await buildApp().agent().post('/api/auth/login').send(body);
    assert.equal(res.status, 400);
    assert.equal(res.body.error.code, 'invalid_credentials_format');
  });
}

for (const path of ['/api/auth/login', '/api/auth/register']) {
  test(`POST ${path} — a body that is not JSON — 415 unsupported_media_type`, async () => {
    const res = await buildApp().agent().post(path).type('form').send({ username: 'alice', password: 'correct horse battery' });
    assert.equal(res.status, 415);
    assert.equal(res.body.error.code, 'unsupported_media_type');
  });
}
