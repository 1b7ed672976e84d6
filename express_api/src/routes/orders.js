'use strict';
// Orders for logged-in users (handlers: src/handlers/orders.js):
//   POST /direct-api/binance/orders            place (a per-user rate limit), recorded in the user store
//   GET  /direct-api/binance/orders            the user's own order history (never another user's)
//   GET, DELETE /direct-api/binance/orders/:symbol/:clientOrderId  one of the user's orders at Binance
//   GET  /direct-api/binance/open-orders       the user's open orders at Binance
//   GET  /direct-api/binance/futures/positions the futures positions of the account
const express = require('express');
const handlers = require('../handlers/orders');
const { requireAuth } = require('../middleware/auth');
const { jsonBody } = require('../middleware/bodies');
const { methodNotAllowed } = require('../middleware/method-not-allowed');
const { noStore } = require('../middleware/no-store');
const { limitRequests } = require('../middleware/rate-limit');
const { withDeps } = require('./handle');

function placementLimit(config) {
  return limitRequests({ windowMs: 60_000, limit: config.orderRateLimitPerMin,
    keyGenerator: (req) => `user:${req.user.id}`, message: 'Too many orders from this user; try again later' });
}

/** deps: createApp's collaborators (pythonService, orderStore, config, tokens, users, validate). */
function ordersRouter(deps) {
  const { validate } = deps;
  const handle = withDeps(deps);
  const signedIn = [noStore, requireAuth(deps)]; // about one user's orders: never cached, errors included
  const router = express.Router();
  router.route('/orders')
    .post(...signedIn, placementLimit(deps.config), jsonBody, validate, handle(handlers.placeOrder))
    .get(...signedIn, validate, handle(handlers.listOrders))
    .all(methodNotAllowed(['GET', 'POST']));
  router.route('/orders/:symbol/:clientOrderId')
    .get(...signedIn, validate, handle(handlers.showOrder))
    .delete(...signedIn, validate, handle(handlers.cancelOrder))
    .all(methodNotAllowed(['GET', 'DELETE']));
  router.route('/open-orders').get(...signedIn, validate, handle(handlers.listOpenOrders))
    .all(methodNotAllowed(['GET']));
  router.route('/futures/positions').get(...signedIn, validate, handle(handlers.showFuturesPositions))
    .all(methodNotAllowed(['GET']));
  return router;
}

module.exports = { ordersRouter };
