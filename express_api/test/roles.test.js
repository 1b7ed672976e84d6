'use strict';
// Every operation of express_api's own document says the role it needs (x-role), and every route enforces
// it on the server: for each operation and each caller (anonymous, viewer, trader, admin, a disabled
// user's token, a deleted user's token), the role gate lets through exactly who the document says.
// The same matrix runs through the real processes in tests/test_roles_matrix.py, with exact statuses.
const { test } = require('node:test');
const assert = require('node:assert/strict');
const request = require('supertest');
const { buildApp, startStandIn, json, loginAs, bearer } = require('./helpers');
const { document } = require('../src/openapi');
const { PUBLIC_ROUTES } = require('../src/routes/forward');
const { ROLES, hasRole } = require('../src/users');

const FORWARDED = new Set(PUBLIC_ROUTES.map(([, route]) => route.replace(/:(\w+)/g, '{$1}')));
const METHODS = ['get', 'post', 'put', 'patch', 'delete'];
const operations = Object.entries(document().paths).flatMap(([path, item]) => METHODS.filter((m) => item[m])
  .map((method) => ({ path, method, role: item[method]['x-role'], forwarded: FORWARDED.has(path) })));
const concrete = (path) => path.replace('{symbol}', 'BTCUSDT').replace('{clientOrderId}', 'mine')
  .replace('{username}', 'target');

test('OpenAPI — every operation names its role (x-role), and says it in its description', () => {
  for (const { path, method, role } of operations) {
    assert.ok(['none', ...ROLES].includes(role), `${method.toUpperCase()} ${path}: x-role ${role}`);
    const { description = '' } = document().paths[path][method];
    assert.ok(description.startsWith(`Role: ${role}`), `${method.toUpperCase()} ${path}: ${description}`);
  }
});

/** An app whose python_service answers 200 {} to everything, with a user of each role and two lost ones. */
async function callers(t) {
  const standIn = await startStandIn();
  standIn.fallback = (req, res) => json(res, 200, {});
  t.after(() => standIn.close());
  const built = buildApp({ env: { PYTHON_SERVICE_URL: standIn.url } });
  const tokens = {};
  for (const role of ROLES) tokens[role] = (await loginAs(built, role, role)).token;
  await loginAs(built, 'target', 'viewer');
  const disabled = await loginAs(built, 'disabled', 'admin');
  const deleted = await loginAs(built, 'deleted', 'admin');
  built.users.update(disabled.user.id, { disabled: true });
  built.users.remove(deleted.user.id);
  return { built, standIn, tokens: { ...tokens, disabled: disabled.token, deleted: deleted.token } };
}

const own = operations.filter((op) => !op.forwarded && op.path !== '/');
for (const { path, method, role } of own) {
  test(`${method.toUpperCase()} ${path} — x-role ${role} — who gets past the role gate`, async (t) => {
    const { built, tokens } = await callers(t);
    const call = (token) => {
      const req = request(built.app)[method](concrete(path));
      return token ? req.set('Authorization', bearer(token)) : req;
    };
    const anonymous = await call(null);
    const lost = { disabled: await call(tokens.disabled), deleted: await call(tokens.deleted) };
    if (role === 'none') {
      assert.ok(!['unauthorized', 'forbidden'].includes(anonymous.body.error && anonymous.body.error.code));
      return;
    }
    assert.equal(anonymous.status, 401, 'anonymous');
    assert.deepEqual([lost.disabled.status, lost.disabled.body.error.code], [401, 'account_disabled']);
    assert.deepEqual([lost.deleted.status, lost.deleted.body.error.code], [401, 'unauthorized']);
    for (const caller of ROLES) {
      const res = await call(tokens[caller]);
      const code = res.body && res.body.error && res.body.error.code;
      if (hasRole(caller, role)) {
        assert.ok(res.status !== 401 && code !== 'forbidden', `${caller}: ${res.status} ${code}`);
      } else {
        assert.deepEqual([res.status, code], [403, 'forbidden'], caller);
      }
    }
  });
}

test('role gate — a refused caller reaches nothing: python_service is never asked', async (t) => {
  const { built, standIn, tokens } = await callers(t);
  for (const { path, method } of own.filter((op) => op.role === 'trader' || op.role === 'admin')) {
    await request(built.app)[method](concrete(path)).set('Authorization', bearer(tokens.viewer)).expect(403);
  }
  for (const { path, method } of own.filter((op) => op.role === 'admin')) {
    await request(built.app)[method](concrete(path)).set('Authorization', bearer(tokens.trader)).expect(403);
  }
  assert.deepEqual(standIn.log, []);
});
