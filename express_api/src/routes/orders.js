'use strict';
// Orders (handlers: src/handlers/orders.js), by role:
//   POST /direct-api/binance/orders            trader: place (a per-user rate limit), recorded in the user store
//   GET  /direct-api/binance/orders            viewer: the user's own order history (never another user's)
//   GET  /direct-api/binance/orders/:symbol/:clientOrderId  viewer: one of the user's orders at Binance
//   DELETE the same                            trader: cancel one's own; admin with ?scope=account: any
//   GET  /direct-api/binance/open-orders       viewer: the account's open orders, each with placed_by
// (USDT-M futures: src/routes/futures.js)
const express = require('express');
const handlers = require('../handlers/orders');
const { signedIn } = require('../middleware/auth');
const { jsonBody } = require('../middleware/bodies');
const { methodNotAllowed } = require('../middleware/method-not-allowed');
const { noStore } = require('../middleware/no-store');
const { withDeps } = require('./handle');

/** deps: createApp's collaborators (pythonService, orderStore, orderHistory, placementLimit, config, validate...). */
function ordersRouter(deps) {
  const { validate, placementLimit: limit } = deps;
  const handle = withDeps(deps);
  // about the account's orders: never cached, errors included
  const as = (role) => [noStore, ...signedIn(deps, role)];
  const router = express.Router();
  router.route('/orders')
    .post(...as('trader'), limit, jsonBody, validate, handle(handlers.placeOrder))
    .get(...as('viewer'), validate, handle(handlers.listOrders))
    .all(methodNotAllowed(['GET', 'POST']));
  router.route('/orders/:symbol/:clientOrderId')
    .get(...as('viewer'), validate, handle(handlers.showOrder))
    .delete(...as('trader'), validate, handle(handlers.cancelOrder))
    .all(methodNotAllowed(['GET', 'DELETE']));
  router.route('/open-orders').get(...as('viewer'), validate, handle(handlers.listOpenOrders))
    .all(methodNotAllowed(['GET']));
  return router;
}

module.exports = { ordersRouter };
