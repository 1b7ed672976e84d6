'use strict';
// How a deployment gets its users: REGISTRATION (closed by default), the admin ADMIN_USERNAME and
// ADMIN_PASSWORD name, and while no admin exists a one-time setup code in the log.
const { test } = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { buildApp, captureLogs, PASSWORD } = require('./helpers');
const { loadConfig, ConfigError } = require('../src/config');

const HOUR_MS = 3600 * 1000;
const ADMIN = { ADMIN_USERNAME: 'root', ADMIN_PASSWORD: 'a long admin password' };

test('POST /api/auth/register — REGISTRATION unset (closed) — 403 registration_closed, nobody created', async () => {
  const built = buildApp({ env: { REGISTRATION: '' } });
  const res = await built.agent().post('/api/auth/register').send({ username: 'alice', password: PASSWORD });
  assert.equal(res.status, 403);
  assert.equal(res.body.error.code, 'registration_closed');
  assert.equal(built.users.list().length, 0);
});

test('POST /api/auth/register — REGISTRATION=open — a viewer, never more', async () => {
  const built = buildApp({ env: { REGISTRATION: 'open' } });
  const res = await built.agent().post('/api/auth/register').send({ username: 'alice', password: PASSWORD, role: 'admin' });
  assert.equal(res.status, 201);
  assert.equal(res.body.user.role, 'viewer');
  assert.equal(built.users.findByUsername('alice').role, 'viewer');
});

test('config — REGISTRATION of another value — a ConfigError naming it', () => {
  assert.throws(() => loadConfig({ REGISTRATION: 'maybe' }, { warn: () => {} }),
    (err) => err instanceof ConfigError && /REGISTRATION/.test(err.message));
});

test('start-up — ADMIN_USERNAME and ADMIN_PASSWORD, no such user — created as an admin; no setup code; the password never logged', async () => {
  const logs = captureLogs();
  const built = buildApp({ env: ADMIN, logger: logs.logger });
  const code = await built.app.locals.bootstrap();
  assert.equal(code, null);
  assert.equal(built.users.findByUsername('root').role, 'admin');
  const login = await built.agent().post('/api/auth/login').send({ username: 'root', password: ADMIN.ADMIN_PASSWORD });
  assert.equal(login.status, 200);
  assert.equal(login.body.user.role, 'admin');
  const logged = logs.lines.join('');
  assert.match(logged, /created the admin ADMIN_USERNAME names/);
  assert.ok(!logged.includes(ADMIN.ADMIN_PASSWORD));
  assert.ok(!/setup code/i.test(logged));
  assert.deepEqual((await built.agent().get('/api/auth/setup')).body, { needed: false });
});

test('start-up — ADMIN_USERNAME names an existing user — left as it is (role and password unchanged)', async () => {
  const built = buildApp({ env: ADMIN });
  await built.agent().post('/api/auth/register').send({ username: 'ROOT', password: PASSWORD }).expect(201);
  await built.app.locals.bootstrap();
  const root = built.users.findByUsername('root');
  assert.deepEqual([root.username, root.role], ['ROOT', 'viewer']);
  await built.agent().post('/api/auth/login').send({ username: 'root', password: PASSWORD }).expect(200);
});

for (const [name, env, variable] of [
  ['ADMIN_USERNAME without ADMIN_PASSWORD', { ADMIN_USERNAME: 'root' }, 'ADMIN_PASSWORD'],
  ['ADMIN_PASSWORD without ADMIN_USERNAME', { ADMIN_PASSWORD: 'a long admin password' }, 'ADMIN_USERNAME'],
  ['a short ADMIN_PASSWORD', { ADMIN_USERNAME: 'root', ADMIN_PASSWORD: 'short7x' }, 'ADMIN_PASSWORD'],
  ['a common ADMIN_PASSWORD', { ADMIN_USERNAME: 'root', ADMIN_PASSWORD: 'password1' }, 'ADMIN_PASSWORD'],
  ['an ADMIN_USERNAME with a space', { ADMIN_USERNAME: 'the root', ADMIN_PASSWORD: 'a long admin password' }, 'ADMIN_USERNAME'],
]) {
  test(`config — ${name} — a ConfigError naming ${variable}, never showing the password`, () => {
    assert.throws(() => loadConfig(env, { warn: () => {} }), (err) => err instanceof ConfigError
      && err.message.includes(variable) && !(env.ADMIN_PASSWORD && err.message.includes(env.ADMIN_PASSWORD)));
  });
}

test('server start — a common ADMIN_PASSWORD — exits 2 naming ADMIN_PASSWORD, the password nowhere in its output', () => {
  const run = spawnSync(process.execPath, [path.join(__dirname, '..', 'src', 'server.js')], {
    env: { PATH: process.env.PATH, ENV_FILE: '/nonexistent', DATABASE_PATH: ':memory:', PORT: '0',
      ADMIN_USERNAME: 'root', ADMIN_PASSWORD: 'iloveyou' }, encoding: 'utf8', timeout: 10_000 });
  assert.equal(run.status, 2, run.stderr);
  assert.match(run.stderr, /configuration error: ADMIN_PASSWORD does not meet the password rules/);
  assert.ok(!`${run.stdout}${run.stderr}`.includes('iloveyou'));
});

/** An app with no admin, its clock in the test's hands: the setup code start-up logged. */
async function noAdminYet(env = {}) {
  const clock = { now: Date.parse('2026-11-21T21:00:00Z') };
  const logs = captureLogs();
  const built = buildApp({ env, logger: logs.logger, clock: () => clock.now });
  const code = await built.app.locals.bootstrap();
  return { ...built, code, clock, logs: logs.lines };
}

const setUp = (built, body) => built.agent().post('/api/auth/setup').send(body);

test('start-up — no admin and neither setting — logs a one-time setup code, a new one at each start', async () => {
  const first = await noAdminYet();
  const second = await noAdminYet();
  assert.match(first.code, /^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/);
  assert.notEqual(first.code, second.code);
  const line = JSON.parse(first.logs.find((l) => l.includes(first.code)));
  assert.equal(line.level, 40, 'a warning');
  assert.match(line.msg, /No admin exists yet\. One-time setup code: .* POST \/api\/auth\/setup/);
  assert.deepEqual((await first.agent().get('/api/auth/setup')).body, { needed: true });
});

test('POST /api/auth/setup — the right code — 201: the first admin, logged in (token and cookies); the code is spent', async () => {
  const built = await noAdminYet();
  const res = await setUp(built, { code: built.code.toLowerCase().replace(/-/g, ''), username: 'root', password: PASSWORD });
  assert.equal(res.status, 201);
  assert.equal(res.body.user.role, 'admin');
  assert.equal(res.body.token_type, 'Bearer');
  const cookies = (res.headers['set-cookie'] || []).map((line) => line.split('=')[0]);
  assert.deepEqual(cookies.sort(), ['device', 'refresh']);
  await built.agent().get('/api/auth/users').set('Authorization', `Bearer ${res.body.token}`).expect(200);

  const again = await setUp(built, { code: built.code, username: 'other', password: PASSWORD });
  assert.equal(again.status, 403);
  assert.equal(again.body.error.code, 'setup_not_needed');
  assert.deepEqual((await built.agent().get('/api/auth/setup')).body, { needed: false });
  const [row] = built.users.db.prepare("SELECT * FROM audit WHERE action = 'setup_code_used'").all();
  assert.equal(row.actor, 'user:root');
  assert.ok(!JSON.stringify(row).includes(built.code) && !JSON.stringify(row).includes(PASSWORD));
  assert.equal(built.logs.filter((l) => l.includes(built.code)).length, 1, 'the code is logged once, at start');
});

test('POST /api/auth/setup — a wrong code — 403 invalid_setup_code; the right one still works', async () => {
  const built = await noAdminYet();
  const wrong = await setUp(built, { code: 'AAAA-BBBB-CCCC', username: 'root', password: PASSWORD });
  assert.equal(wrong.status, 403);
  assert.equal(wrong.body.error.code, 'invalid_setup_code');
  assert.equal(built.users.list().length, 0);
  assert.equal((await setUp(built, { code: built.code, username: 'root', password: PASSWORD })).status, 201);
});

test('POST /api/auth/setup — the code after its hour (injected clock) — 403 invalid_setup_code', async () => {
  const built = await noAdminYet();
  built.clock.now += HOUR_MS - 1;
  assert.equal((await setUp(built, { code: built.code, username: 'root', password: 'x' })).status, 400,
    'still valid a moment before its hour: the password is what is wrong');
  built.clock.now += 1;
  const late = await setUp(built, { code: built.code, username: 'root', password: PASSWORD });
  assert.equal(late.status, 403);
  assert.equal(late.body.error.code, 'invalid_setup_code');
});

test('POST /api/auth/setup — a spent code — makes no second admin, even with no enabled admin left (403 invalid_setup_code)', async () => {
  const built = await noAdminYet();
  await setUp(built, { code: built.code, username: 'root', password: PASSWORD }).expect(201);
  // even with no enabled admin again (the store edited by hand), the spent code makes no second admin
  built.users.update(built.users.findByUsername('root').id, { disabled: true });
  const res = await setUp(built, { code: built.code, username: 'second', password: PASSWORD });
  assert.equal(res.status, 403);
  assert.equal(res.body.error.code, 'invalid_setup_code');
});

test('POST /api/auth/setup — with an admin from ADMIN_USERNAME — 403 setup_not_needed, and no code was offered', async () => {
  const built = await noAdminYet(ADMIN);
  assert.equal(built.code, null);
  const res = await setUp(built, { code: 'AAAA-BBBB-CCCC', username: 'other', password: PASSWORD });
  assert.equal(res.status, 403);
  assert.equal(res.body.error.code, 'setup_not_needed');
});

test('POST /api/auth/setup — a bad password or a taken username — 400 / 409, and the code is not spent', async () => {
  const built = await noAdminYet();
  await built.agent().post('/api/auth/register').send({ username: 'taken', password: PASSWORD }).expect(201);
  assert.equal((await setUp(built, { code: built.code, username: 'root', password: 'password1' })).body.error.code,
    'common_password');
  assert.equal((await setUp(built, { code: built.code, username: 'TAKEN', password: PASSWORD })).status, 409);
  assert.equal((await setUp(built, { code: built.code, username: 'root', password: PASSWORD })).status, 201);
});

test('POST /api/auth/setup — guessing — limited per address like failed logins (429)', async () => {
  const built = await noAdminYet({ AUTH_RATE_LIMIT: '3' });
  const statuses = [];
  for (let i = 0; i < 4; i += 1) {
    statuses.push((await setUp(built, { code: `AAAA-BBBB-CCC${i}`, username: 'root', password: PASSWORD })).status);
  }
  assert.deepEqual(statuses, [403, 403, 403, 429]);
});
