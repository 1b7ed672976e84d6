'use strict';
// The check every test's answers go through (test/conformance.js) must itself catch a broken answer.
const { test } = require('node:test');
const assert = require('node:assert/strict');
const { conformsToDocument } = require('./conformance');

const answer = (method, path, status, body, type = 'application/json; charset=utf-8') => ({
  req: { method, path }, status, body, headers: { 'content-type': type } });
const USER = { user: { id: 1, username: 'alice', role: 'viewer', disabled: false, created_at: '2026-11-21T21:00:00.000Z' } };

test('conformance — an answer as documented — passes', () => {
  conformsToDocument(answer('POST', '/api/auth/register', 201, USER));
  conformsToDocument(answer('GET', '/api/auth/me?x=1', 401, { error: { code: 'unauthorized', message: 'm' } }));
  conformsToDocument(answer('HEAD', '/direct-api/binance/orders/BTCUSDT/mine', 200, undefined, undefined));
});

test('conformance — a body off the schema — fails, naming the field', () => {
  assert.throws(() => conformsToDocument(answer('POST', '/api/auth/register', 201, { user: { ...USER.user, id: '1' } })),
    /POST \/api\/auth\/register .* answered 201 with a body off the document: body\/user\/id must be integer/);
  assert.throws(() => conformsToDocument(answer('GET', '/api/auth/me', 401, { error: { code: 'unauthorized' } })),
    /must have required property 'message'/);
});

test('conformance — a status or Content-Type the operation does not list — fails', () => {
  assert.throws(() => conformsToDocument(answer('POST', '/api/auth/register', 422, {})), /answered 422, a status the document/);
  assert.throws(() => conformsToDocument(answer('GET', '/api/auth/me', 200, 'hi', 'text/plain')), /as text\/plain/);
});

test('conformance — forwarded routes, undocumented paths and methods — not checked here', () => {
  conformsToDocument(answer('GET', '/api/binance/prices', 200, { reached: '/api/binance/prices' }));
  conformsToDocument(answer('GET', '/api/nowhere', 404, {}));
  conformsToDocument(answer('DELETE', '/api/auth/me', 405, {}));
});
