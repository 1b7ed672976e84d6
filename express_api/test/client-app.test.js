'use strict';
// The React client's build served at /: index.html for the client's own pages, hashed assets
// cached for good, and the API never answered with HTML.
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { buildApp } = require('./helpers');

function fakeBuild() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'client-dist-'));
  fs.mkdirSync(path.join(dir, 'assets'));
  fs.writeFileSync(path.join(dir, 'index.html'), '<!doctype html><script type="module" src="/assets/index-abc.js"></script>');
  fs.writeFileSync(path.join(dir, 'assets', 'index-abc.js'), 'console.log(1)');
  return dir;
}

test('GET / and a client page such as /symbol/BTCUSDT — the client\'s index.html, not cached', async () => {
  const { agent } = buildApp({ env: { CLIENT_DIST_DIR: fakeBuild() } });
  for (const page of ['/', '/symbol/BTCUSDT', '/trade']) {
    const res = await agent().get(page);
    assert.equal(res.status, 200, page);
    assert.match(res.headers['content-type'], /text\/html/);
    assert.match(res.text, /\/assets\/index-abc\.js/);
    assert.equal(res.headers['cache-control'], 'no-cache');
  }
});

test('GET /assets/<hashed file> — served with a year-long immutable cache; a missing one is a JSON 404', async () => {
  const { agent } = buildApp({ env: { CLIENT_DIST_DIR: fakeBuild() } });
  const asset = await agent().get('/assets/index-abc.js');
  assert.equal(asset.status, 200);
  assert.match(asset.headers['cache-control'], /max-age=31536000, immutable/);
  const missing = await agent().get('/assets/index-gone.js');
  assert.equal(missing.status, 404);
  assert.equal(missing.body.error.code, 'not_found');
});

test('GET an unknown API path — the JSON 404 of the API, never the client\'s HTML', async () => {
  const { agent } = buildApp({ env: { CLIENT_DIST_DIR: fakeBuild() } });
  for (const url of ['/api/nope', '/direct-api/binance/nope', '/api', '/direct-api', '/API/nope', '/Direct-API/x',
    '/favicon.ico', '/robots.txt']) {
    const res = await agent().get(url);
    assert.notEqual(res.status, 200, url);
    assert.match(res.headers['content-type'], /application\/json/, url);
  }
});

test('HEAD / and a client page — the headers of index.html; a path escaping the build — never served', async () => {
  const { agent } = buildApp({ env: { CLIENT_DIST_DIR: fakeBuild() } });
  const head = await agent().head('/trade');
  assert.equal(head.status, 200);
  assert.match(head.headers['content-type'], /text\/html/);
  for (const url of ['/assets/..%2f..%2fpackage.json', '/assets/%2e%2e/%2e%2e/package.json', '/..%2fpackage.json']) {
    const res = await agent().get(url);
    assert.ok(!/"dependencies"/.test(res.text), url);
  }
  const index = await agent().get('/index.html');
  assert.equal(index.headers['cache-control'], 'no-cache');
});

test('POST / — 405 with Allow; POST to a client page — the JSON 404', async () => {
  const { agent } = buildApp({ env: { CLIENT_DIST_DIR: fakeBuild() } });
  const root = await agent().post('/').send({});
  assert.equal(root.status, 405);
  assert.equal(root.headers.allow, 'GET, HEAD');
  const page = await agent().post('/trade').send({});
  assert.equal(page.status, 404);
  assert.equal(page.body.error.code, 'not_found');
});

test('GET / — when the client is not built — 503 client_not_built in the error shape, saying how to build it', async () => {
  const { agent } = buildApp({ env: { CLIENT_DIST_DIR: path.join(os.tmpdir(), 'no-such-client-build') } });
  const res = await agent().get('/');
  assert.equal(res.status, 503);
  assert.equal(res.body.error.code, 'client_not_built');
  assert.match(res.body.error.message, /make run/);
});
