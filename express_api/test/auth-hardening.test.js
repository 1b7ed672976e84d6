'use strict';
// Issue 12, item 4: login and users against hostile clients.
const { test } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const jwt = require('jsonwebtoken');
const { buildApp, registerAndLogin } = require('./helpers');
const { loadConfig, ConfigError } = require('../src/config');

const SECRET = 'test-jwt-secret-0123456789abcdef';
const login = (agent, username, password, from) => {
  const req = agent().post('/api/auth/login').send({ username, password });
  return from ? req.set('X-Forwarded-For', from) : req;
};

test('login limiter — bad passwords for one username from many addresses — that username is limited, others are not', async () => {
  const { agent } = buildApp({ env: { AUTH_RATE_LIMIT: '3', TRUST_PROXY: 'loopback' } });
  const statuses = [];
  for (let i = 1; i <= 4; i += 1) statuses.push((await login(agent, 'bob', 'wrong-password', `10.0.0.${i}`)).status);
  const other = await login(agent, 'carol', 'wrong-password', '10.0.0.9');
  assert.deepEqual(statuses, [401, 401, 401, 429]);
  assert.equal(other.status, 401);
});

test('login limiter — behind a trusted proxy, one address over the limit does not lock out another address', async () => {
  const { agent } = buildApp({ env: { AUTH_RATE_LIMIT: '3', TRUST_PROXY: 'loopback' } });
  await agent().post('/api/auth/register').send({ username: 'erin', password: 'erin-password-1' }).expect(201);
  const attacker = [];
  for (let i = 1; i <= 4; i += 1) attacker.push((await login(agent, `user${i}`, 'wrong-password', '9.9.9.9')).status);
  const victim = await login(agent, 'erin', 'erin-password-1', '8.8.8.8');
  assert.deepEqual(attacker, [401, 401, 401, 429]);
  assert.equal(victim.status, 200);
});

test('login limiter — successful logins are not counted', async () => {
  const { agent } = buildApp({ env: { AUTH_RATE_LIMIT: '2' } });
  await agent().post('/api/auth/register').send({ username: 'erin', password: 'erin-password-1' }).expect(201);
  const statuses = [];
  for (let i = 0; i < 4; i += 1) statuses.push((await login(agent, 'erin', 'erin-password-1')).status);
  assert.deepEqual(statuses, [200, 200, 200, 200]);
});

test('register has its own limiter — failed logins do not stop registration, and registrations are limited', async () => {
  const { agent } = buildApp({ env: { AUTH_RATE_LIMIT: '2' } });
  await login(agent, 'x-user', 'wrong-password');
  await login(agent, 'y-user', 'wrong-password');
  const register = (name) => agent().post('/api/auth/register').send({ username: name, password: 'erin-password-1' });
  const statuses = [(await register('first')).status, (await register('second')).status, (await register('third')).status];
  assert.deepEqual(statuses, [201, 201, 429]);
});

test('Cache-Control: no-store on every /api/auth answer, errors included', async () => {
  const { agent } = buildApp({ env: { AUTH_RATE_LIMIT: '1' } });
  const answers = [
    await agent().post('/api/auth/register').send({ username: 'erin', password: 'erin-password-1' }),
    await login(agent, 'erin', 'erin-password-1'),
    await agent().get('/api/auth/me'),
    await agent().post('/api/auth/login').set('Content-Type', 'application/json').send('{"username": '),
    await login(agent, 'erin', 'wrong-password'),
    await login(agent, 'erin', 'wrong-password'),
    await agent().delete('/api/auth/me'),
    await agent().get('/api/auth/nothing'),
  ];
  assert.deepEqual(answers.map((r) => r.status), [201, 200, 401, 400, 401, 429, 405, 404]);
  for (const res of answers) assert.equal(res.headers['cache-control'], 'no-store', `${res.status} ${res.req.path}`);
});

test('GET /api/auth/me — a validly signed token without exp — 401', async () => {
  const { agent } = buildApp();
  await registerAndLogin(agent);
  const forever = jwt.sign({ sub: '1', username: 'alice' }, SECRET, { algorithm: 'HS256' });
  const res = await agent().get('/api/auth/me').set('Authorization', `Bearer ${forever}`);
  assert.equal(res.status, 401);
  assert.equal(res.body.error.code, 'unauthorized');
});

for (const [name, password, status] of [
  ['8 emoji (16 UTF-16 units, 8 code points)', '😀'.repeat(8), 201],
  ['100 emoji (200 UTF-16 units, 100 code points)', '🔐'.repeat(100), 201],
  ['5 emoji (10 UTF-16 units, 5 code points)', '😀'.repeat(5), 400],
  ['129 emoji', '🔐'.repeat(129), 400],
]) {
  test(`POST /api/auth/register — a password of ${name} — ${status}: length counts code points`, async () => {
    const res = await buildApp().agent().post('/api/auth/register').send({ username: 'emoji', password });
    assert.equal(res.status, status);
    if (status === 400) assert.equal(res.body.error.code, 'invalid_password');
  });
}

for (const password of ['password1', 'iloveyou', '12345678', 'Password1', 'QWERTYUIOP']) {
  test(`POST /api/auth/register — the common password "${password}" — 400 common_password`, async () => {
    const res = await buildApp().agent().post('/api/auth/register').send({ username: 'frank', password });
    assert.equal(res.status, 400);
    assert.deepEqual(Object.keys(res.body.error).sort(), ['code', 'message']);
    assert.equal(res.body.error.code, 'common_password');
    assert.ok(!res.body.error.message.includes(password));
  });
}

test('passwords — hashed with scrypt at OWASP cost (N=2^17, r=8, p=1), parameters stored with the hash', async () => {
  const { createPasswords } = require('../src/passwords');
  const passwords = createPasswords();
  const stored = await passwords.hash('erin-password-1');
  assert.match(stored, /^scrypt\$131072\$8\$1\$/);
  assert.equal(await passwords.verify('erin-password-1', stored), true);
  assert.equal(await passwords.verify('erin-password-2', stored), false);
});

test('passwords — a hash stored at the earlier cost (N=2^14) still verifies', async () => {
  const { createPasswords } = require('../src/passwords');
  const old = await createPasswords({ N: 2 ** 14 }).hash('erin-password-1');
  assert.match(old, /^scrypt\$16384\$8\$1\$/);
  const { agent, users } = buildApp();
  users.create('erin', old);
  const res = await login(agent, 'erin', 'erin-password-1');
  assert.equal(res.status, 200);
});

test('passwords — a stored hash with absurd parameters is refused, not computed', async () => {
  const { createPasswords } = require('../src/passwords');
  const stored = `scrypt$${2 ** 30}$8$1$${Buffer.alloc(16).toString('base64')}$${Buffer.alloc(64).toString('base64')}`;
  assert.equal(await createPasswords().verify('anything', stored), false);
});

test('the app hashes new users at the OWASP cost by default', async () => {
  const { agent, users } = buildApp({ defaultPasswords: true });
  await agent().post('/api/auth/register').send({ username: 'erin', password: 'erin-password-1' }).expect(201);
  assert.match(users.findByUsername('erin').password_hash, /^scrypt\$131072\$8\$1\$/);
});

test('user store — the SQLite file is created mode 0600 in a directory created 0700', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'users-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'var', 'users.sqlite');
  const { agent, users } = buildApp({ env: { DATABASE_PATH: file } });
  await agent().post('/api/auth/register').send({ username: 'erin', password: 'erin-password-1' }).expect(201);
  users.close();
  assert.equal(fs.statSync(file).mode & 0o777, 0o600);
  assert.equal(fs.statSync(path.dirname(file)).mode & 0o777, 0o700);
});

test('user store — an existing SQLite file readable by others is made 0600 when opened', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'users-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'users.sqlite');
  fs.writeFileSync(file, '');
  fs.chmodSync(file, 0o644);
  const { users } = buildApp({ env: { DATABASE_PATH: file } });
  users.close();
  assert.equal(fs.statSync(file).mode & 0o777, 0o600);
});

for (const [name, secret] of [['one repeated character', 'a'.repeat(64)], ['31 characters', 'x1y2z3'.repeat(5) + 'q']]) {
  test(`config — JWT_SECRET of ${name} — refused with a ConfigError naming JWT_SECRET, not showing it`, () => {
    assert.throws(() => loadConfig({ JWT_SECRET: secret }), (err) => err instanceof ConfigError &&
      /JWT_SECRET/.test(err.message) && !err.message.includes(secret));
  });
}

test('config — JWT_SECRET of 32 varied characters — accepted', () => {
  assert.equal(loadConfig({ JWT_SECRET: SECRET }).jwtSecret, SECRET);
});
