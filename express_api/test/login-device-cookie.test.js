'use strict';
// Issue 24, item 5: failed logins for a username must not lock its owner out of a browser that has
// logged in as that user before (OWASP device cookies).
const { test } = require('node:test');
const assert = require('node:assert/strict');
const { buildApp } = require('./helpers');

const LIMITS = { AUTH_RATE_LIMIT: '3', TRUST_PROXY: 'loopback' };
const SECRET = 'test-jwt-secret-0123456789abcdef';
const PASSWORD = 'correct horse battery';

let nextAddress = 0;
const freshAddress = () => { nextAddress += 1; return `10.${nextAddress >> 8}.${nextAddress & 255}.1`; };

/** A login from `from` (a fresh address unless given) with `cookie` ('device=...') when given. */
function login(agent, username, password, { from = freshAddress(), cookie } = {}) {
  const req = agent().post('/api/auth/login').set('X-Forwarded-For', from);
  if (cookie) req.set('Cookie', cookie);
  return req.send({ username, password });
}

const setCookieOf = (res) => (res.headers['set-cookie'] || []).find((line) => line.startsWith('device='));
const cookieOf = (res) => setCookieOf(res).split(';')[0];

async function register(agent, username) {
  await agent().post('/api/auth/register').send({ username, password: PASSWORD }).expect(201);
}

/** A browser that has logged in as `username` before: its device cookie. */
async function knownBrowser(agent, username = 'alice') {
  const res = await login(agent, username, PASSWORD);
  assert.equal(res.status, 200);
  return cookieOf(res);
}

/** An attacker's wrong passwords for `username` from many addresses, until it is locked (the last is 429). */
async function lockOut(agent, username = 'alice', attempts = 4) {
  const statuses = [];
  for (let i = 0; i < attempts; i += 1) statuses.push((await login(agent, username, 'wrong-password')).status);
  assert.deepEqual(statuses, [401, 401, 401, 429].slice(0, attempts));
}

test('POST /api/auth/login — username locked by an attacker — its owner logs in from a known browser (200), not without its cookie (429)', async () => {
  const { agent } = buildApp({ env: LIMITS });
  await register(agent, 'alice');
  const cookie = await knownBrowser(agent);
  await lockOut(agent, 'ALICE');

  const withCookie = await login(agent, 'alice', PASSWORD, { cookie });
  const anyCase = await login(agent, 'Alice', PASSWORD, { cookie });
  const without = await login(agent, 'alice', PASSWORD);
  const attacker = await login(agent, 'alice', 'wrong-password');

  assert.equal(withCookie.status, 200);
  assert.equal(withCookie.body.user.username, 'alice');
  assert.equal(anyCase.status, 200);
  assert.equal(without.status, 429);
  assert.equal(without.body.error.code, 'rate_limited');
  assert.equal(attacker.status, 429, 'the owner logging in does not lift the lock for others');
});

test('POST /api/auth/login — a device cookie gets past the username limit, never past the address limit', async () => {
  const { agent } = buildApp({ env: LIMITS });
  await register(agent, 'alice');
  const cookie = await knownBrowser(agent);
  await lockOut(agent, 'alice');
  const busy = '192.0.2.7';
  for (let i = 1; i <= 3; i += 1) await login(agent, `nobody${i}`, 'wrong-password', { from: busy }).expect(401);

  assert.equal((await login(agent, 'alice', PASSWORD, { cookie })).status, 200);
  assert.equal((await login(agent, 'alice', PASSWORD, { cookie, from: busy })).status, 429);
});

test('POST /api/auth/login — failed logins with a device cookie — counted per cookie, not against the username', async () => {
  const { agent } = buildApp({ env: LIMITS });
  await register(agent, 'alice');
  const cookie = await knownBrowser(agent);
  const statuses = [];
  for (let i = 0; i < 3; i += 1) statuses.push((await login(agent, 'alice', 'wrong-password', { cookie })).status);

  assert.deepEqual(statuses, [401, 401, 401]);
  assert.equal((await login(agent, 'alice', 'wrong-password')).status, 401, 'the username limit is untouched');
});

test('POST /api/auth/login — a device cookie over its own limit — no longer lets its holder past the username limit; other known browsers still pass', async () => {
  const { agent } = buildApp({ env: LIMITS });
  await register(agent, 'alice');
  const guessing = await knownBrowser(agent);
  const other = await knownBrowser(agent);
  await lockOut(agent, 'alice');

  const guesses = [];
  for (let i = 0; i < 4; i += 1) guesses.push((await login(agent, 'alice', 'wrong-password', { cookie: guessing })).status);
  const withoutCookie = await login(agent, 'alice', PASSWORD);
  const spent = await login(agent, 'alice', PASSWORD, { cookie: guessing });
  const fresh = await login(agent, 'alice', PASSWORD, { cookie: other });

  assert.deepEqual(guesses, [401, 401, 401, 429], 'three failures per cookie, then the username limit again');
  assert.equal(withoutCookie.status, 429, 'failures with a cookie do not lift the username limit');
  assert.equal(spent.status, 429);
  assert.equal(fresh.status, 200);
});

test('POST /api/auth/login — a tampered device cookie, or one for another user — no way past the username limit', async () => {
  const { agent } = buildApp({ env: LIMITS });
  await register(agent, 'alice');
  await register(agent, 'bob');
  const alices = await knownBrowser(agent, 'alice');
  const bobs = await knownBrowser(agent, 'bob');
  await lockOut(agent, 'alice');
  const [, nonce, mac] = decodeURIComponent(bobs.slice('device='.length)).split(',');
  const flip = (text) => text.slice(0, -1) + (text.endsWith('A') ? 'B' : 'A');
  const forged = [
    bobs, // a valid cookie, for bob
    `device=${encodeURIComponent(`alice,${nonce},${mac}`)}`, // bob's nonce and MAC, renamed
    flip(alices), // its MAC changed
    `${alices}!!`, // characters base64 decoding would skip
    `device=${encodeURIComponent(`alice,${flip(nonce)},${mac}`)}`,
    'device=alice%2Cnonce', 'device=%E0%A4%A', `device=${'a'.repeat(300)}`,
  ];

  for (const cookie of forged) assert.equal((await login(agent, 'alice', PASSWORD, { cookie })).status, 429, cookie);
  assert.equal((await login(agent, 'alice', PASSWORD, { cookie: alices })).status, 200, 'the genuine cookie passes');
});

test('POST /api/auth/login — success — sets the device cookie HttpOnly, SameSite=Strict, Path=/api/auth, 180 days; Secure over TLS', async () => {
  const { agent, logs } = buildApp({ env: LIMITS });
  await register(agent, 'alice');
  const plain = await login(agent, 'alice', PASSWORD);
  const tls = await login(agent, 'alice', PASSWORD).set('X-Forwarded-Proto', 'https');
  const failed = await login(agent, 'alice', 'wrong-password');

  const attributes = (res) => setCookieOf(res).split(';').slice(1).map((a) => a.trim());
  assert.deepEqual(attributes(plain).filter((a) => !a.startsWith('Expires=')),
    ['Max-Age=15552000', 'Path=/api/auth', 'HttpOnly', 'SameSite=Strict']);
  assert.ok(attributes(tls).includes('Secure'));
  assert.equal(setCookieOf(failed), undefined, 'a failed login gets no cookie');

  const value = decodeURIComponent(cookieOf(plain).slice('device='.length));
  assert.match(value, /^alice,[A-Za-z0-9_-]{22},[A-Za-z0-9_-]{43}$/);
  for (const secret of [PASSWORD, SECRET, plain.body.token]) assert.ok(!value.includes(secret));
  assert.notEqual(cookieOf(plain), cookieOf(tls), 'each login gets a new nonce');
  const logged = logs.join('');
  assert.ok(!logged.includes(value.split(',')[2]) && !logged.includes(value.split(',')[1]), 'never in the logs');
  assert.match(logged, /"set-cookie":"\[redacted\]"/);
});

test('POST /api/auth/login — a device cookie in the request — redacted from the request log', async () => {
  const { agent, logs } = buildApp({ env: LIMITS });
  await register(agent, 'alice');
  const cookie = await knownBrowser(agent);
  await login(agent, 'alice', 'wrong-password', { cookie }).expect(401);
  const logged = logs.join('');
  assert.ok(!logged.includes(cookie.split('%2C')[2]));
  assert.match(logged, /"cookie":"\[redacted\]"/);
});

test('loginLimits.unlock(username) — lifts that username\'s lockout at once, any case, and no other', async () => {
  const { app, agent } = buildApp({ env: LIMITS });
  await register(agent, 'alice');
  await register(agent, 'bob');
  await lockOut(agent, 'alice');
  await lockOut(agent, 'bob');

  await app.locals.loginLimits.unlock('ALICE');

  assert.equal((await login(agent, 'alice', PASSWORD)).status, 200);
  assert.equal((await login(agent, 'bob', PASSWORD)).status, 429);
});
