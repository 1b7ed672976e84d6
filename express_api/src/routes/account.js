'use strict';
// The configured Binance account (handlers: src/handlers/account.js), never cached, errors included:
//   GET /direct-api/binance/portfolio   spot balances, futures wallet and positions, valued in USDT (viewer)
//   GET /direct-api/binance/fills       the account's fills on one symbol (viewer)
//   GET /direct-api/binance/risk        the risk limits in force (viewer); PUT: an admin tightens them
//   GET /direct-api/binance/audit       python_service's audit log and express_api's, merged (admin)
//   GET /direct-api/binance/stream/account  the account's events, server-sent (viewer; a few per user at once)
const express = require('express');
const handlers = require('../handlers/account');
const { signedIn } = require('../middleware/auth');
const { jsonBody } = require('../middleware/bodies');
const { methodNotAllowed } = require('../middleware/method-not-allowed');
const { noStore } = require('../middleware/no-store');
const { limitOpenStreams, ACCOUNT_STREAMS_PER_USER } = require('../middleware/stream-slots');
const { withDeps } = require('./handle');

/** deps: createApp's collaborators (pythonService, audit, config, tokens, users, validate). */
function accountRouter(deps) {
  const { validate } = deps;
  const handle = withDeps(deps);
  const as = (role) => [noStore, ...signedIn(deps, role)];
  const router = express.Router();
  router.route('/portfolio').get(...as('viewer'), validate, handle(handlers.showPortfolio)).all(methodNotAllowed(['GET']));
  router.route('/fills').get(...as('viewer'), validate, handle(handlers.listFills)).all(methodNotAllowed(['GET']));
  router.route('/risk')
    .get(...as('viewer'), validate, handle(handlers.showRisk))
    .put(...as('admin'), jsonBody, validate, handle(handlers.changeRisk))
    .all(methodNotAllowed(['GET', 'PUT']));
  router.route('/audit').get(...as('admin'), validate, handle(handlers.showAudit)).all(methodNotAllowed(['GET']));
  router.route('/stream/account')
    .get(...as('viewer'), validate, limitOpenStreams(ACCOUNT_STREAMS_PER_USER), handle(handlers.streamAccount))
    .all(methodNotAllowed(['GET']));
  return router;
}

module.exports = { accountRouter };
