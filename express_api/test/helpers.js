'use strict';
// Test helpers: a stand-in python_service on a loopback port chosen by the OS,
// and an app built against it with an in-memory user store, whose answers are checked
// against the OpenAPI document (test/conformance.js).
const http = require('node:http');
const { Writable } = require('node:stream');
const pino = require('pino');
const request = require('supertest');
const { createApp } = require('../src/app');
const { loadConfig } = require('../src/config');
const { openUserStore } = require('../src/users');
const { createPasswords } = require('../src/passwords');
const { DEFAULT_HOLDINGS } = require('../src/services/portfolio');
const { conformsToDocument } = require('./conformance');

/** routes: { '/api/binance/prices': (req, res) => ... }; every request is logged in `log`. */
async function startStandIn(routes = {}) {
  const log = [];
  const sockets = new Set();
  const standIn = { log, routes, fallback: null };
  const server = http.createServer((req, res) => {
    log.push({ method: req.method, url: req.url, headers: req.headers });
    const path = req.url.split('?')[0];
    const handler = routes[path] || standIn.fallback;
    if (!handler) return json(res, 404, { error: { code: 'not_found', message: 'no route' } });
    return handler(req, res);
  });
  server.on('connection', (socket) => { sockets.add(socket); socket.on('close', () => sockets.delete(socket)); });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return Object.assign(standIn, {
    url: `http://127.0.0.1:${server.address().port}`,
    close: () => new Promise((resolve) => { for (const s of sockets) s.destroy(); server.close(resolve); }),
  });
}

function json(res, status, body, headers = {}) {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

/** A port where nothing listens. */
async function closedPort() {
  const server = http.createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function captureLogs() {
  const lines = [];
  const stream = new Writable({ write(chunk, enc, done) { lines.push(chunk.toString()); done(); } });
  return { logger: pino({ level: 'info' }, stream), lines };
}

const METHODS = ['get', 'post', 'put', 'patch', 'delete', 'head', 'options'];

/** supertest's request(app), each answer checked against the OpenAPI document (test/conformance.js). */
function checkedAgent(app) {
  const agent = request(app);
  return Object.fromEntries(METHODS.map((method) => [method, (url) => agent[method](url).expect(conformsToDocument)]));
}

// scrypt at its real cost takes ~0.3 s and 128 MiB a hash; tests use a cheap one unless they check the cost.
const cheapPasswords = createPasswords({ N: 2 ** 10 });

// Most tests register their users: REGISTRATION is open here unless a test says otherwise (its default
// is closed). clock: epoch milliseconds, for refresh sessions and setup codes.
function buildApp({ env = {}, holdings = DEFAULT_HOLDINGS, logger, defaultPasswords = false, clock } = {}) {
  const config = loadConfig({ JWT_SECRET: 'test-jwt-secret-0123456789abcdef', DATABASE_PATH: ':memory:',
    REGISTRATION: 'open', ...env }, { warn: () => {} });
  const users = openUserStore(config.databasePath);
  const logs = logger ? { logger, lines: null } : captureLogs();
  const passwords = defaultPasswords ? undefined : cheapPasswords;
  const app = createApp({ config, users, holdings, logger: logs.logger, passwords, clock });
  return { app, config, users, logs: logs.lines, agent: () => checkedAgent(app) };
}

/** Registers `username` (a viewer) and logs in: the access token. */
async function registerAndLogin(agent, username = 'alice', password = 'correct horse battery') {
  await agent().post('/api/auth/register').send({ username, password }).expect(201);
  const res = await agent().post('/api/auth/login').send({ username, password }).expect(200);
  return res.body.token;
}

const PASSWORD = 'correct horse battery';

/** A user of `role` put straight in the store, then logged in: { token, user, refresh } (refresh: the
 * 'refresh=...' cookie pair). */
async function loginAs(built, username, role, password = PASSWORD) {
  const user = built.users.create(username, await cheapPasswords.hash(password), role);
  const res = await built.agent().post('/api/auth/login').send({ username, password }).expect(200);
  const refresh = (res.headers['set-cookie'] || []).find((line) => line.startsWith('refresh=')).split(';')[0];
  return { token: res.body.token, user, refresh };
}

/** Resolves with the first truthy value of `predicate()` (sync or async), asked every 10 ms; rejects naming
 * `what` after `ms`. For what a test cannot time: a background task's effect. */
async function waitFor(predicate, what, ms = 5000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await predicate();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((resolve) => { setTimeout(resolve, 10); });
  }
}

/** The 'Authorization' header value for `token`. */
const bearer = (token) => `Bearer ${token}`;

const PRICES = {
  prices: [
    { symbol: 'BTCUSDT', price: '67012.34000000' }, { symbol: 'ETHUSDT', price: '3456.78000000' },
    { symbol: 'BNBUSDT', price: '589.10000000' }, { symbol: 'SOLUSDT', price: '145.67000000' },
  ],
  count: 4, source: 'live', as_of: '2026-11-21T21:00:00.000Z', age_s: 0.0,
};

module.exports = { startStandIn, json, closedPort, buildApp, registerAndLogin, loginAs, bearer, captureLogs, PRICES,
  PASSWORD, waitFor };
