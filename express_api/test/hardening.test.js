'use strict';
const { test } = require('node:test');
const assert = require('node:assert/strict');
const express = require('express');
const request = require('supertest');
const { buildApp, registerAndLogin } = require('./helpers');
const { ApiError, errorHandler } = require('../src/errors');
const { loadConfig, ConfigError } = require('../src/config');

test('every answer carries helmet security headers and no X-Powered-By', async () => {
  const res = await buildApp().agent().get('/nowhere');
  assert.equal(res.headers['x-content-type-options'], 'nosniff');
  assert.ok(res.headers['content-security-policy']);
  assert.equal(res.headers['x-powered-by'], undefined);
});

test('CORS — an allowed origin gets Access-Control-Allow-Origin, another does not', async () => {
  const { agent } = buildApp({ env: { CORS_ORIGINS: 'http://localhost:3000,https://app.example' } });
  const allowed = await agent().get('/nowhere').set('Origin', 'https://app.example');
  const denied = await agent().get('/nowhere').set('Origin', 'https://evil.example');
  assert.equal(allowed.headers['access-control-allow-origin'], 'https://app.example');
  assert.equal(denied.headers['access-control-allow-origin'], undefined);
});

test('an unknown route — 404 not_found in the error shape', async () => {
  const res = await buildApp().agent().get('/api/nowhere');
  assert.equal(res.status, 404);
  assert.equal(res.body.error.code, 'not_found');
});

for (const status of [400, 404, 409, 503]) {
  test(`the error handler keeps status ${status} (no collapse into 400 or 500)`, async () => {
    const app = express();
    app.get('/', () => { throw new ApiError(status, 'some_code', 'message'); });
    app.use(errorHandler);
    const res = await request(app).get('/');
    assert.equal(res.status, status);
    assert.deepEqual(res.body, { error: { code: 'some_code', message: 'message' } });
  });
}

test('an unexpected exception — 500 internal_error with no stack trace or message leaked', async () => {
  const app = express();
  app.get('/', () => { throw new Error('secret detail at /srv/app.js:12'); });
  app.use(errorHandler);
  const res = await request(app).get('/');
  assert.equal(res.status, 500);
  assert.deepEqual(res.body, { error: { code: 'internal_error', message: 'An unexpected error occurred.' } });
});

test('request logs never contain passwords, tokens or the internal token', async () => {
  const { agent, logs } = buildApp({ env: { INTERNAL_API_TOKEN: 'internal-canary-123' } });
  const token = await registerAndLogin(agent, 'dave', 'password-canary-456');
  await agent().get('/api/auth/me').set('Authorization', `Bearer ${token}`).expect(200);
  const text = logs.join('');
  assert.ok(logs.length >= 3);
  for (const secret of ['password-canary-456', token, 'test-jwt-secret-0123456789abcdef', 'internal-canary-123']) {
    assert.ok(!text.includes(secret), `log contains ${secret.slice(0, 12)}`);
  }
});

test('config — a bad setting names the variable; JWT_SECRET unset warns and uses a random one', () => {
  assert.throws(() => loadConfig({ PORT: 'abc', JWT_SECRET: 'x'.repeat(20) }), (err) => err instanceof ConfigError && /PORT/.test(err.message));
  assert.throws(() => loadConfig({ PYTHON_SERVICE_URL: 'ftp://x', JWT_SECRET: 'x'.repeat(20) }), /PYTHON_SERVICE_URL/);
  const warnings = [];
  const a = loadConfig({}, { warn: (m) => warnings.push(m) });
  const b = loadConfig({}, { warn: () => {} });
  assert.match(warnings[0], /JWT_SECRET/);
  assert.notEqual(a.jwtSecret, b.jwtSecret);
  assert.equal(a.port, 5000);
  assert.equal(a.pythonServiceUrl, 'http://127.0.0.1:5001');
  assert.equal(loadConfig({ GATEWAY_PORT: '6001' }, { warn: () => {} }).pythonServiceUrl, 'http://127.0.0.1:6001');
  assert.equal(loadConfig({ GATEWAY_PORT: '6001', PYTHON_SERVICE_URL: 'http://gw:7000/' }, { warn: () => {} })
    .pythonServiceUrl, 'http://gw:7000');
});

test('a known path with another method — 405 method_not_allowed with an Allow header', async () => {
  const { agent } = buildApp();
  const del = await agent().delete('/api/auth/me');
  const get = await agent().get('/api/auth/login');
  assert.equal(del.status, 405);
  assert.equal(del.headers.allow, 'GET, HEAD');
  assert.equal(del.body.error.code, 'method_not_allowed');
  assert.equal(get.status, 405);
  assert.equal(get.headers.allow, 'POST');
});

// express-openapi-validator's errors, as src/middleware/validate.js raises them: the status is kept whatever
// it is, and a 400 carries the code the document names beside the broken rule (x-error-code).
const { error: validatorErrors } = require('express-openapi-validator');
const OPERATION = { parameters: [{ name: 'symbol', in: 'path', schema: { type: 'string', 'x-error-code': 'invalid_symbol' } }],
  requestBody: { content: { 'application/json': { schema: { 'x-error-code': 'invalid_order', properties: {
    username: { type: 'string', 'x-error-code': 'invalid_username' }, side: { type: 'string' } } } } } } };

function failingWith(err) {
  const app = express();
  app.get('/', (req) => {
    req.openapi = { schema: OPERATION };
    throw err;
  });
  app.use(errorHandler);
  return request(app).get('/');
}

for (const [violation, code, message] of [
  [{ path: '/body/username', message: 'must be string', errorCode: 'type.openapi.validation' }, 'invalid_username',
    'username must be string'],
  [{ path: '/body/side', message: 'must be equal to one of the allowed values: BUY, SELL', errorCode: 'enum.openapi.validation' },
    'invalid_order', 'side must be equal to one of the allowed values: BUY, SELL'],
  [{ path: '/body', message: 'must be object', errorCode: 'type.openapi.validation' }, 'invalid_order', 'the body must be object'],
  [{ path: '/params/symbol', message: 'must match pattern', errorCode: 'pattern.openapi.validation' }, 'invalid_symbol',
    'symbol must match pattern'],
  [{ path: '/query/limit', message: 'must be integer', errorCode: 'type.openapi.validation' }, 'invalid_parameter',
    'limit must be integer'],
  [{ path: '/body/username', message: "must have required property 'username'", errorCode: 'required.openapi.validation' },
    'invalid_username', 'username is required'],
]) {
  test(`the error handler — the validator's 400 at ${violation.path} (${violation.errorCode}) — 400 ${code}`, async () => {
    const err = new validatorErrors.BadRequest({ path: '/', message: 'request/... broken' });
    err.errors = [violation];
    const res = await failingWith(err);
    assert.equal(res.status, 400);
    assert.deepEqual(res.body, { error: { code, message } });
  });
}

for (const [err, status, code] of [
  [new validatorErrors.NotFound({ path: '/', message: 'not found' }), 404, 'not_found'],
  [new validatorErrors.MethodNotAllowed({ path: '/', message: 'PUT method not allowed' }), 405, 'method_not_allowed'],
  [new validatorErrors.RequestEntityTooLarge({ path: '/', message: 'too large' }), 413, 'payload_too_large'],
  [new validatorErrors.UnsupportedMediaType({ path: '/', message: 'unsupported media type undefined' }), 415,
    'unsupported_media_type'],
  [new validatorErrors.InternalServerError({ overrideStatus: 503, path: '/', message: 'spec not loaded' }), 503, 'service_unavailable'],
  [new validatorErrors.InternalServerError({ path: '/', message: 'a secret detail' }), 500, 'internal_error'],
]) {
  test(`the error handler — the validator's ${err.constructor.name} ${status} — keeps ${status} (${code}), not 400`, async () => {
    const res = await failingWith(err);
    assert.equal(res.status, status);
    assert.deepEqual(Object.keys(res.body.error).sort(), ['code', 'message']);
    assert.equal(res.body.error.code, code);
    if (status >= 500) assert.equal(res.body.error.message, 'An unexpected error occurred.');
  });
}
