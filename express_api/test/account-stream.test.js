'use strict';
// GET /direct-api/binance/stream/account: python_service's account events piped through unbuffered, with the
// internal token; the forward timeout bounds the wait for the headers only; the upstream request ends when the
// browser leaves; HEAD subscribes nothing; a refusal comes in the error shape; a few streams per user at once.
const { test } = require('node:test');
const assert = require('node:assert/strict');
const http = require('node:http');
const { buildApp, startStandIn, json, loginAs, bearer, waitFor } = require('./helpers');
const { ACCOUNT_STREAMS_PER_USER } = require('../src/middleware/stream-slots');

const PATH = '/direct-api/binance/stream/account';
const UPSTREAM = '/api/binance/stream/account';

/** The stand-in's account stream: `user_streams` at once, then whatever the test writes to `open` responses. */
function upstream() {
  const stream = { open: new Set(), closed: 0, requests: [] };
  stream.handler = (req, res) => {
    stream.requests.push(req.method);
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    if (req.method === 'HEAD') return res.end();
    res.write('event: user_streams\ndata: {"spot":"up","futures":"up"}\n\n');
    stream.open.add(res);
    req.on('close', () => { stream.open.delete(res); stream.closed += 1; });
    return undefined;
  };
  stream.send = (text) => { for (const res of stream.open) res.write(text); };
  return stream;
}

async function setUp(t, handler, env = {}) {
  const standIn = await startStandIn({ [UPSTREAM]: handler });
  t.after(() => standIn.close());
  const built = buildApp({ env: { PYTHON_SERVICE_URL: standIn.url, INTERNAL_API_TOKEN: 'internal-tok', ...env } });
  const server = http.createServer(built.app);
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise((resolve) => { server.closeAllConnections(); server.close(resolve); }));
  const viewer = await loginAs(built, 'vic', 'viewer');
  return { standIn, built, viewer, base: `http://127.0.0.1:${server.address().port}` };
}

/** An open GET of the stream: its status and headers, the text read so far, and close() to leave. */
function open(base, token) {
  return new Promise((resolve, reject) => {
    const req = http.get(`${base}${PATH}`, { headers: { authorization: bearer(token) } }, (res) => {
      const reading = { status: res.statusCode, headers: res.headers, text: '', ended: false, close: () => req.destroy() };
      res.setEncoding('utf8');
      res.on('data', (chunk) => { reading.text += chunk; });
      res.on('end', () => { reading.ended = true; });
      res.on('error', () => {});
      resolve(reading);
    });
    req.on('error', reject);
  });
}

test(`GET ${PATH} — python_service's events — piped through as they come, with the internal token`, async (t) => {
  const stream = upstream();
  const { viewer, base, standIn } = await setUp(t, stream.handler);

  const reading = await open(base, viewer.token);
  await waitFor(() => reading.text.includes('event: user_streams'), 'the first event, before any other is written');
  stream.send('event: account\ndata: {"type":"order","status":"FILLED"}\n\n');
  await waitFor(() => reading.text.includes('"status":"FILLED"'), 'the account event');

  assert.equal(reading.status, 200);
  assert.match(reading.headers['content-type'], /^text\/event-stream/);
  assert.equal(reading.headers['x-accel-buffering'], 'no');
  assert.equal(reading.headers['cache-control'], 'no-cache');
  const [asked] = standIn.log;
  assert.deepEqual([asked.method, asked.url, asked.headers['x-internal-token']], ['GET', UPSTREAM, 'internal-tok']);
  assert.equal(asked.headers.accept, 'text/event-stream');
  reading.close();
});

test(`GET ${PATH} — the browser leaves — the request to python_service is aborted at once`, async (t) => {
  const stream = upstream();
  const { viewer, base } = await setUp(t, stream.handler);
  const reading = await open(base, viewer.token);
  await waitFor(() => stream.open.size === 1, 'the upstream stream open');

  reading.close();

  await waitFor(() => stream.closed === 1, 'python_service to see its request closed');
});

test(`GET ${PATH} — a stream longer than FORWARD_TIMEOUT_MS — kept open: the limit is on the headers only`, async (t) => {
  const stream = upstream();
  const { viewer, base } = await setUp(t, stream.handler, { FORWARD_TIMEOUT_MS: '200' });
  const reading = await open(base, viewer.token);
  await waitFor(() => stream.open.size === 1, 'the upstream stream open');
  const opened = Date.now();
  await waitFor(() => Date.now() - opened > 600, 'three times the limit to pass');

  stream.send('event: account\ndata: {"type":"balance"}\n\n');

  await waitFor(() => reading.text.includes('"type":"balance"'), 'an event after the limit');
  assert.equal(reading.ended, false);
  reading.close();
});

test(`GET ${PATH} — python_service sends no headers in time — 503 python_service_timeout`, async (t) => {
  const { built, viewer } = await setUp(t, () => {}, { FORWARD_TIMEOUT_MS: '200' });
  const res = await built.agent().get(PATH).set('Authorization', bearer(viewer.token));
  assert.deepEqual([res.status, res.body.error.code], [503, 'python_service_timeout']);
});

for (const [status, code] of [[503, 'keys_not_configured'], [503, 'streams_disabled'], [429, 'too_many_subscriptions']]) {
  test(`GET ${PATH} — python_service refuses with ${status} ${code} — passed on in the error shape`, async (t) => {
    const { built, viewer } = await setUp(t, (req, res) => json(res, status, { error: { code, message: 'no' } },
      { 'retry-after': '5' }));
    const res = await built.agent().get(PATH).set('Authorization', bearer(viewer.token));
    assert.deepEqual([res.status, res.body.error.code, res.headers['retry-after']], [status, code, '5']);
  });
}

test(`HEAD ${PATH} — headers only: python_service is asked with HEAD and subscribes nothing; no place taken`, async (t) => {
  const stream = upstream();
  const { built, viewer } = await setUp(t, stream.handler);
  for (let i = 0; i <= ACCOUNT_STREAMS_PER_USER; i += 1) {
    const res = await built.agent().head(PATH).set('Authorization', bearer(viewer.token));
    assert.equal(res.status, 200);
    assert.match(res.headers['content-type'], /^text\/event-stream/);
  }
  assert.deepEqual(stream.requests, Array(ACCOUNT_STREAMS_PER_USER + 1).fill('HEAD'));
  assert.equal(stream.open.size, 0);
});

test(`GET ${PATH} — past ${ACCOUNT_STREAMS_PER_USER} open streams of one user — 429 too_many_streams, nothing asked; others unaffected; a place freed is usable`, async (t) => {
  const stream = upstream();
  const { built, viewer, base } = await setUp(t, stream.handler);
  const other = await loginAs(built, 'olga', 'viewer');
  const readings = [];
  for (let i = 0; i < ACCOUNT_STREAMS_PER_USER; i += 1) readings.push(await open(base, viewer.token));
  await waitFor(() => stream.open.size === ACCOUNT_STREAMS_PER_USER, 'the streams open upstream');

  const refused = await built.agent().get(PATH).set('Authorization', bearer(viewer.token));
  assert.deepEqual([refused.status, refused.body.error.code, refused.headers['retry-after']], [429, 'too_many_streams', '5']);
  assert.equal(stream.requests.length, ACCOUNT_STREAMS_PER_USER, 'the refused one reached nothing');
  const others = await open(base, other.token);
  assert.equal(others.status, 200);

  readings[0].close();
  await waitFor(() => stream.open.size === ACCOUNT_STREAMS_PER_USER, 'the left stream closed upstream');
  const again = await open(base, viewer.token);
  assert.equal(again.status, 200);
  for (const reading of [...readings, others, again]) reading.close();
});

test(`GET ${PATH} — without a token — 401, python_service not asked`, async (t) => {
  const stream = upstream();
  const { built, standIn } = await setUp(t, stream.handler);
  const res = await built.agent().get(PATH);
  assert.deepEqual([res.status, res.body.error.code], [401, 'unauthorized']);
  assert.equal(standIn.log.length, 0);
});
