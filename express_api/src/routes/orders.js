'use strict';
// Orders for logged-in users, placed through python_service (which places each at most once):
//   POST /direct-api/binance/orders            place (a per-user rate limit), recorded in the user store
//   GET  /direct-api/binance/orders            the user's own order history (never another user's)
//   GET  /direct-api/binance/open-orders       the user's open orders at Binance
//   GET  /direct-api/binance/futures/positions the futures positions of the account
// The clientOrderId sent to Binance is the user's id plus the user's own (or a generated) id, so
// a repeat by the same user reaches the same journalled order and no user can reach another's.
const crypto = require('node:crypto');
const express = require('express');
const { ApiError } = require('../errors');
const { errorFrom } = require('../python-service');
const { requireAuth } = require('../middleware/auth');
const { methodNotAllowed } = require('../middleware/method-not-allowed');
const { limitRequests } = require('../middleware/rate-limit');

const USER_ORDER_ID = /^[A-Za-z0-9_-]{1,24}$/;
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

function ownOrderId(given) {
  if (given === undefined) return crypto.randomBytes(8).toString('hex');
  if (typeof given !== 'string' || !USER_ORDER_ID.test(given)) {
    throw new ApiError(400, 'invalid_client_order_id', 'clientOrderId must be 1-24 of A-Z a-z 0-9 _ -');
  }
  return given;
}

const prefixOf = (user) => `u${user.id}-`;

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
    const own = ownOrderId(req.body.clientOrderId);
    const clientOrderId = prefixOf(req.user) + own;
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
      return res.status(err.status).json({ error: { code: err.code, clientOrderId: own, outcome: 'unknown',
        message: `${err.message}; the order may have been placed: repeat with the same clientOrderId to find out` } });
    }
    record(outcomeOf(answer), answer.status, answer.body);
    const retryAfter = answer.headers.get('retry-after');
    if (retryAfter) res.set('Retry-After', retryAfter);
    const status = answer.status >= 500 && answer.status !== 503 ? 502 : answer.status;
    const body = answer.body && answer.body.error ? { error: { ...answer.body.error, clientOrderId: own } }
      : { ...answer.body, clientOrderId: own, binanceClientOrderId: clientOrderId };
    return res.status(status).set('Cache-Control', 'no-store').json(body);
  }

  router.route('/orders')
    .post(auth, placements, express.json({ limit: '10kb' }), place)
    .get(auth, (req, res) => {
      const mine = orders.list(req.user.id);
      res.set('Cache-Control', 'no-store').json({ orders: mine, count: mine.length });
    })
    .all(methodNotAllowed(['GET', 'POST']));

  router.route('/open-orders')
    .get(auth, async (req, res) => {
      const answer = await pythonService.getJson('/api/binance/open-orders', call(req));
      if (answer.status !== 200) throw errorFrom(answer);
      const mine = (answer.body.orders || []).filter((o) => String(o.clientOrderId).startsWith(prefixOf(req.user)));
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
