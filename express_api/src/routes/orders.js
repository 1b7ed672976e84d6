'use strict';
// Orders for logged-in users, placed through python_service (which places each at most once):
//   POST /direct-api/binance/orders            place (a per-user rate limit), recorded in the user store
//   GET  /direct-api/binance/orders            the user's own order history (never another user's)
//   GET, DELETE /direct-api/binance/orders/:symbol/:clientOrderId  one of the user's orders at Binance
//   GET  /direct-api/binance/open-orders       the user's open orders at Binance
//   GET  /direct-api/binance/futures/positions the futures positions of the account
// Ids: services/user-orders.js. A repeat by the same user reaches the same journalled order;
// no user can reach another's.
const express = require('express');
const { ApiError } = require('../errors');
const { errorFrom } = require('../python-service');
const { requireAuth } = require('../middleware/auth');
const { methodNotAllowed } = require('../middleware/method-not-allowed');
const { limitRequests } = require('../middleware/rate-limit');
const { binanceIdOf, userOrderId, symbolOf, asUsers, usersOrders } = require('../services/user-orders');

const DECIMALS = ['quantity', 'price', 'stopPrice', 'quoteOrderQty'];
const WORDS = ['symbol', 'side', 'type', 'timeInForce', 'newOrderRespType'];

/** The order fields python_service takes; decimals must be strings so nothing is rounded here. */
function orderFrom(body) {
  if (!body || typeof body !== 'object' || Array.isArray(body)) {
    throw new ApiError(400, 'invalid_parameter', 'The body must be a JSON object');
  }
  const order = {};
  for (const name of WORDS) {
    if (body[name] === undefined) continue;
    if (typeof body[name] !== 'string' || body[name].length > 50) {
      throw new ApiError(400, 'invalid_parameter', `${name} must be a short string`);
    }
    order[name] = body[name];
  }
  for (const name of DECIMALS) {
    if (body[name] === undefined) continue;
    if (typeof body[name] !== 'string') {
      throw new ApiError(400, 'invalid_parameter', `${name} must be a decimal string such as "0.001" (numbers lose digits)`);
    }
    order[name] = body[name];
  }
  if (typeof order.symbol !== 'string') throw new ApiError(400, 'invalid_symbol', 'symbol is required');
  return order;
}

function outcomeOf(answer) {
  const body = answer.body || {};
  if (body.outcome) return body.outcome;
  const error = body.error || {};
  if (error.outcome) return error.outcome;
  if (answer.status === 400) return 'invalid';
  return 'not_placed';
}

function ordersRouter({ pythonService, orders, config, tokens, users }) {
  const router = express.Router();
  const auth = requireAuth({ tokens, users });
  const placements = limitRequests({ windowMs: 60_000, limit: config.orderRateLimitPerMin,
    keyGenerator: (req) => `user:${req.user.id}`, message: 'Too many orders from this user; try again later' });
  const call = (req, extra = {}) => ({ timeoutMs: config.forwardTimeoutMs, requestId: req.id, clientAddress: req.ip,
    withInternalToken: true, ...extra });

  async function place(req, res) {
    const order = orderFrom(req.body);
    const own = userOrderId(req.body.clientOrderId, { generate: true });
    const clientOrderId = binanceIdOf(req.user, own);
    const record = (outcome, httpStatus, response) => orders.record({ userId: req.user.id, clientOrderId,
      symbol: order.symbol, request: { ...order, clientOrderId: own }, outcome, httpStatus, response });
    let answer;
    try {
      answer = await pythonService.getJson('/api/binance/orders', call(req, { method: 'POST',
        headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ...order, clientOrderId }) }));
    } catch (err) {
      // No answer from python_service: the order may have been placed. A repeat finds out, never doubles it.
      record('unknown', err.status, { error: { code: err.code, message: err.message } });
      if (err.retryAfter) res.set('Retry-After', String(err.retryAfter));
      return res.status(err.status).json({ error: { code: err.code, clientOrderId: own, binanceClientOrderId: clientOrderId,
        outcome: 'unknown',
        message: `${err.message}; the order may have been placed: repeat with the same clientOrderId to find out` } });
    }
    record(outcomeOf(answer), answer.status, answer.body);
    const retryAfter = answer.headers.get('retry-after');
    if (retryAfter) res.set('Retry-After', retryAfter);
    const status = answer.status >= 500 && answer.status !== 503 ? 502 : answer.status;
    const ids = { clientOrderId: own, binanceClientOrderId: clientOrderId };
    const body = answer.body && answer.body.error ? { error: { ...answer.body.error, ...ids } }
      : { ...answer.body, order: asUsers(req.user, answer.body.order), ...ids };
    return res.status(status).set('Cache-Control', 'no-store').json(body);
  }

  router.route('/orders')
    .post(auth, placements, express.json({ limit: '10kb' }), place)
    .get(auth, (req, res) => {
      const mine = orders.list(req.user.id).map((row) => asUsers(req.user, row));
      res.set('Cache-Control', 'no-store').json({ orders: mine, count: mine.length });
    })
    .all(methodNotAllowed(['GET', 'POST']));

  // One order by the user's clientOrderId: asked of (or cancelled at) Binance under the user's Binance id.
  async function oneOrder(req, method) {
    const symbol = symbolOf(req.params.symbol);
    const own = userOrderId(req.params.clientOrderId);
    const binanceClientOrderId = binanceIdOf(req.user, own);
    const path = `/api/binance/orders/${encodeURIComponent(symbol)}/${encodeURIComponent(binanceClientOrderId)}`;
    const answer = await pythonService.getJson(path, call(req, { method }));
    if (answer.status !== 200) throw errorFrom(answer);
    return { ...answer.body, clientOrderId: own, binanceClientOrderId, order: asUsers(req.user, answer.body.order) };
  }

  router.route('/orders/:symbol/:clientOrderId')
    .get(auth, async (req, res) => {
      res.set('Cache-Control', 'no-store').json(await oneOrder(req, 'GET'));
    })
    .delete(auth, async (req, res) => {
      const canceled = await oneOrder(req, 'DELETE');
      orders.markCanceled(req.user.id, canceled.binanceClientOrderId);
      res.set('Cache-Control', 'no-store').json(canceled);
    })
    .all(methodNotAllowed(['GET', 'DELETE']));

  router.route('/open-orders')
    .get(auth, async (req, res) => {
      const answer = await pythonService.getJson('/api/binance/open-orders', call(req));
      if (answer.status !== 200) throw errorFrom(answer);
      const mine = usersOrders(req.user, answer.body.orders);
      res.set('Cache-Control', 'no-store').json({ orders: mine, count: mine.length });
    })
    .all(methodNotAllowed(['GET']));

  router.route('/futures/positions')
    .get(auth, async (req, res) => {
      const answer = await pythonService.getJson('/api/binance/futures/positions', call(req));
      if (answer.status !== 200) throw errorFrom(answer);
      res.set('Cache-Control', 'no-store').json(answer.body);
    })
    .all(methodNotAllowed(['GET']));

  return router;
}

module.exports = { ordersRouter, orderFrom };
