'use strict';
// Server-sent events through express_api: the forward timeout bounds the wait for the headers,
// never the stream itself, which lasts as long as python_service keeps it open.
const test = require('node:test');
const assert = require('node:assert/strict');
const http = require('node:http');
const { startStandIn, buildApp } = require('./helpers');

const TIMEOUT_MS = 300;

function eventsEvery(ms, count) {
  return (req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    let sent = 0;
    const timer = setInterval(() => {
      sent += 1;
      res.write(`event: price\ndata: {"n":${sent}}\n\n`);
      if (sent === count) { clearInterval(timer); res.end(); }
    }, ms);
    req.on('close', () => clearInterval(timer));
  };
}

async function listen(app) {
  const server = http.createServer(app);
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

function readAll(url) {
  return new Promise((resolve, reject) => {
    http.get(url, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => { text += chunk; });
      res.on('end', () => resolve({ status: res.statusCode, text }));
    }).on('error', reject);
  });
}

test('GET /api/binance/stream/prices — a stream longer than FORWARD_TIMEOUT_MS — forwarded to its end', async (t) => {
  const standIn = await startStandIn({ '/api/binance/stream/prices': eventsEvery(100, 10) }); // 1 s, 3x the timeout
  t.after(() => standIn.close());
  const { app } = buildApp({ env: { PYTHON_SERVICE_URL: standIn.url, FORWARD_TIMEOUT_MS: String(TIMEOUT_MS) } });
  const server = await listen(app);
  t.after(() => server.close());

  const answer = await readAll(`http://127.0.0.1:${server.address().port}/api/binance/stream/prices?symbols=BTCUSDT`);

  assert.equal(answer.status, 200);
  assert.equal((answer.text.match(/^event: price$/gm) || []).length, 10);
  assert.match(answer.text, /data: \{"n":10\}/);
});

test('GET /api/binance/stream/prices — python_service sends no headers in time — 503 python_service_timeout', async (t) => {
  const standIn = await startStandIn({ '/api/binance/stream/prices': () => {} }); // never answers
  t.after(() => standIn.close());
  const { agent } = buildApp({ env: { PYTHON_SERVICE_URL: standIn.url, FORWARD_TIMEOUT_MS: String(TIMEOUT_MS) } });

  const res = await agent().get('/api/binance/stream/prices?symbols=BTCUSDT');

  assert.equal(res.status, 503);
  assert.equal(res.body.error.code, 'python_service_timeout');
});
