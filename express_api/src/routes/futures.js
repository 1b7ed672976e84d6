'use strict';
// USDT-M futures (handlers: src/handlers/futures.js), by role:
//   POST /direct-api/binance/futures/orders             trader: place (the per-user placement limit), recorded
//   GET  /direct-api/binance/futures/orders/:symbol/:clientOrderId  viewer: one of the user's at Binance
//   DELETE the same                                     trader: cancel one's own; admin with ?scope=account: any
//   GET  /direct-api/binance/futures/open-orders        viewer: the account's open orders, each with placed_by
//   POST /direct-api/binance/futures/positions/:symbol/close  trader: close the whole position (a placement)
//   POST /direct-api/binance/futures/leverage           trader: a symbol's leverage
//   GET  /direct-api/binance/futures/account, positions viewer: the USDT-M wallet and positions
const express = require('express');
const handlers = require('../handlers/futures');
const { signedIn } = require('../middleware/auth');
const { jsonBody } = require('../middleware/bodies');
const { methodNotAllowed } = require('../middleware/method-not-allowed');
const { noStore } = require('../middleware/no-store');
const { withDeps } = require('./handle');

/** deps: createApp's collaborators (pythonService, orderStore, orderHistory, placementLimit, config, validate...). */
function futuresRouter(deps) {
  const { validate, placementLimit } = deps;
  const handle = withDeps(deps);
  const as = (role) => [noStore, ...signedIn(deps, role)]; // about the account: never cached, errors included
  const router = express.Router();
  router.route('/orders').post(...as('trader'), placementLimit, jsonBody, validate, handle(handlers.placeFuturesOrder))
    .all(methodNotAllowed(['POST']));
  router.route('/orders/:symbol/:clientOrderId')
    .get(...as('viewer'), validate, handle(handlers.showFuturesOrder))
    .delete(...as('trader'), validate, handle(handlers.cancelFuturesOrder))
    .all(methodNotAllowed(['GET', 'DELETE']));
  router.route('/open-orders').get(...as('viewer'), validate, handle(handlers.listFuturesOpenOrders))
    .all(methodNotAllowed(['GET']));
  router.route('/positions/:symbol/close').post(...as('trader'), placementLimit, validate, handle(handlers.closePosition))
    .all(methodNotAllowed(['POST']));
  router.route('/leverage').post(...as('trader'), jsonBody, validate, handle(handlers.setLeverage))
    .all(methodNotAllowed(['POST']));
  router.route('/account').get(...as('viewer'), validate, handle(handlers.showFuturesAccount))
    .all(methodNotAllowed(['GET']));
  router.route('/positions').get(...as('viewer'), validate, handle(handlers.showFuturesPositions))
    .all(methodNotAllowed(['GET']));
  return router;
}

module.exports = { futuresRouter };
