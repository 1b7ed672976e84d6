'use strict';
const { test } = require('node:test');
const assert = require('node:assert/strict');
const { buildApp } = require('./helpers');
const { document } = require('../src/openapi');

// Express route paths to OpenAPI paths: ':id' -> '{id}'.
function appRoutes(app) {
  const routes = [];
  const collect = (prefix, stack) => {
    for (const layer of stack) {
      if (!layer.route) continue;
      for (const method of Object.keys(layer.route.methods).filter((m) => m !== '_all')) { // _all: 405 handler
        // a router's '/' under a prefix is the prefix itself
        const path = prefix && layer.route.path === '/' ? prefix : prefix + layer.route.path;
        routes.push({ method, path: path.replace(/:(\w+)/g, '{$1}') });
      }
    }
  };
  collect('', app.router.stack);
  for (const [prefix, router] of app.locals.mounts) collect(prefix, router.stack);
  return routes;
}

function documented() {
  const ops = [];
  for (const [path, item] of Object.entries(document().paths)) {
    for (const method of Object.keys(item)) ops.push({ method, path });
  }
  return ops;
}

const matches = (route, op) => route.method === op.method && route.path === op.path;

test('OpenAPI — every express route is in the document', () => {
  const { app } = buildApp();
  const missing = appRoutes(app).filter((route) => !documented().some((op) => matches(route, op)));
  assert.deepEqual(missing, []);
});

test('OpenAPI — every documented operation has an express route', () => {
  const { app } = buildApp();
  const routes = appRoutes(app);
  const missing = documented().filter((op) => !routes.some((route) => matches(route, op)));
  assert.deepEqual(missing, []);
});

test('GET /api/openapi.json — serves the document', async () => {
  const res = await buildApp().agent().get('/api/openapi.json');
  assert.equal(res.status, 200);
  assert.equal(res.body.openapi, '3.0.3');
  assert.ok(res.body.paths['/direct-api/binance/demo-balance']);
  assert.ok(res.body.paths['/api/binance/klines'], 'forwarded python_service routes are documented');
});

