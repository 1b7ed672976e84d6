'use strict';
// python_service's public market-data routes, forwarded unchanged so the React client
// needs one origin. Only the routes listed here are forwarded, never with the internal
// token; anything else under /api/binance is a 404 that python_service never sees.
// The POST body is passed as raw bytes: parsing it in JavaScript would round JSON numbers.
const { Readable } = require('node:stream');
const express = require('express');
const { ApiError } = require('../errors');
const { methodNotAllowed } = require('../middleware/method-not-allowed');
const { limitRequests } = require('../middleware/rate-limit');

const PUBLIC_ROUTES = [
  ['GET', '/api/status'],
  ['GET', '/api/binance/price/:symbol'],
  ['GET', '/api/binance/prices'],
  ['GET', '/api/binance/ticker/24hr'],
  ['GET', '/api/binance/klines'],
  ['GET', '/api/binance/depth'],
  ['GET', '/api/binance/trades'],
  ['GET', '/api/binance/avg-price/:symbol'],
  ['GET', '/api/binance/exchange-info'],
  ['POST', '/api/binance/order/validate'], // public: it checks an order against the filters, never sends one
  ['GET', '/api/binance/futures/ticker/24hr'],
  ['GET', '/api/binance/futures/klines'],
  ['GET', '/api/binance/futures/depth'],
  ['GET', '/api/binance/futures/open-interest/:symbol'],
  ['GET', '/api/binance/futures/funding-rate'],
  ['GET', '/api/binance/futures/premium-index'],
  ['GET', '/api/binance/connection-status'],
  ['GET', '/api/binance/stream/prices'], // server-sent events: streamed through, never buffered
  ['GET', '/api/binance/stream/klines'],
];
const STREAMED_ROUTES = new Set(['/api/binance/stream/prices', '/api/binance/stream/klines']);
const FORWARDED_PREFIXES = ['/api/status', '/api/binance'];
const KEPT_HEADERS = ['content-type', 'x-data-source', 'retry-after', 'allow', 'x-request-id'];

// Dot segments, encoded dots and slashes, backslashes: fetch would resolve them out of the prefix.
const ESCAPING_PATH = /(?:^|\/)\.{1,2}(?:\/|$)|%2e|%2f|%5c|\\/i;

function rejectEscapingPaths(req, res, next) {
  const rawPath = req.originalUrl.split('?', 1)[0];
  if (ESCAPING_PATH.test(rawPath)) {
    return next(new ApiError(400, 'invalid_path', 'The path may not contain dot segments, encoded dots or slashes, or backslashes'));
  }
  return next();
}

function forwardRouter({ pythonService, config }) {
  const router = express.Router();
  const forward = async (req, res) => {
    const post = req.method === 'POST';
    const answer = await pythonService.request(req.originalUrl, {
      timeoutMs: config.forwardTimeoutMs,
      requestId: req.id,
      clientAddress: req.ip,
      method: req.method,
      body: post ? req.body : undefined,
      headers: post ? { 'content-type': 'application/json' } : {},
    });
    for (const name of KEPT_HEADERS) {
      const value = answer.headers.get(name);
      if (value) res.set(name, value);
    }
    res.status(answer.status).send(answer.text);
  };
  // The event stream is piped on as python_service writes it; when the browser leaves, the
  // request to python_service is aborted, so its subscription ends at once.
  const forwardStream = async (req, res) => {
    if (req.method === 'HEAD') return forward(req, res); // headers only: python_service subscribes nothing
    const leaving = new AbortController();
    res.on('close', () => leaving.abort());
    const answer = await pythonService.stream(req.originalUrl, {
      timeoutMs: config.forwardTimeoutMs, signal: leaving.signal, requestId: req.id, clientAddress: req.ip,
    });
    for (const name of KEPT_HEADERS) {
      const value = answer.headers.get(name);
      if (value) res.set(name, value);
    }
    if (answer.ok) res.set({ 'cache-control': 'no-cache', 'x-accel-buffering': 'no' });
    res.status(answer.status);
    res.flushHeaders();
    if (!answer.body) return res.end();
    const body = Readable.fromWeb(answer.body);
    body.on('error', () => res.end()); // python_service went away or we aborted: end our side too
    body.pipe(res);
  };
  router.use(FORWARDED_PREFIXES, rejectEscapingPaths, limitRequests({
    windowMs: 60_000,
    limit: config.forwardRateLimitPerMin,
    message: 'Too many requests from this address; try again later',
  }));
  const rawBody = express.raw({ type: () => true, limit: '10kb' });
  for (const [method, path] of PUBLIC_ROUTES) {
    const route = router.route(path);
    if (method === 'POST') route.post(rawBody, forward);
    else route.get(STREAMED_ROUTES.has(path) ? forwardStream : forward);
    route.all(methodNotAllowed([method]));
  }
  return router;
}

module.exports = { forwardRouter, PUBLIC_ROUTES };
