'use strict';
// python_service's public market-data routes, forwarded unchanged so the React client
// needs one origin. Only the routes listed here are forwarded, never with the internal
// token; anything else under /api/binance is a 404 that python_service never sees.
// (handlers: src/handlers/forward.js; the POST body is passed on as raw bytes)
const express = require('express');
const { ApiError } = require('../errors');
const { forward, forwardStream } = require('../handlers/forward');
const { rawBody } = require('../middleware/bodies');
const { methodNotAllowed } = require('../middleware/method-not-allowed');
const { limitRequests } = require('../middleware/rate-limit');
const { withDeps } = require('./handle');

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

// Dot segments, encoded dots and slashes, backslashes: fetch would resolve them out of the prefix.
const ESCAPING_PATH = /(?:^|\/)\.{1,2}(?:\/|$)|%2e|%2f|%5c|\\/i;

function rejectEscapingPaths(req, res, next) {
  const rawPath = req.originalUrl.split('?', 1)[0];
  if (ESCAPING_PATH.test(rawPath)) {
    return next(new ApiError(400, 'invalid_path', 'The path may not contain dot segments, encoded dots or slashes, or backslashes'));
  }
  return next();
}

/** deps: createApp's collaborators (pythonService, config). */
function forwardRouter(deps) {
  const handle = withDeps(deps);
  const router = express.Router();
  router.use(FORWARDED_PREFIXES, rejectEscapingPaths, limitRequests({
    windowMs: 60_000,
    limit: deps.config.forwardRateLimitPerMin,
    message: 'Too many requests from this address; try again later',
  }));
  for (const [method, path] of PUBLIC_ROUTES) {
    const route = router.route(path);
    if (method === 'POST') route.post(rawBody, handle(forward));
    else route.get(handle(STREAMED_ROUTES.has(path) ? forwardStream : forward));
    route.all(methodNotAllowed([method]));
  }
  return router;
}

module.exports = { forwardRouter, PUBLIC_ROUTES };
