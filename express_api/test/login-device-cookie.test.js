'use strict';
// Issue 24, item 5: failed logins for a username must not lock its owner out.
const { test } = require('node:test');
const assert = require('node:assert/strict');
const { buildApp } = require('./helpers');

const LIMITS = { AUTH_RATE_LIMIT: '3', TRUST_PROXY: 'loopback' };
const PASSWORD = 'correct horse battery';

let nextAddress = 0;
const freshAddress = () => { nextAddress += 1; return `10.${nextAddress >> 8}.${nextAddress & 255}.1`; };

/** A login from `from` (a fresh address unless given). */
function login(agent, username, password, { from = freshAddress() } = {}) {
  return agent().post('/api/auth/login').set('X-Forwarded-For', from).send({ username, password });
}

async function register(agent, username) {
  await agent().post('/api/auth/register').send({ username, password: PASSWORD }).expect(201);
}

/** An attacker's wrong passwords for `username` from many addresses, until it is locked (the last is 429). */
async function lockOut(agent, username = 'alice', attempts = 4) {
  const statuses = [];
  for (let i = 0; i < attempts; i += 1) statuses.push((await login(agent, username, 'wrong-password')).status);
  assert.deepEqual(statuses, [401, 401, 401, 429].slice(0, attempts));
}

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
