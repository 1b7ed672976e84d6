'use strict';
// GET /direct-api/binance/demo-balance (public), GET /direct-api/binance/connection-test (viewer)
// (handlers: src/handlers/binance.js)
const express = require('express');
const { showDemoBalance, testConnection } = require('../handlers/binance');
const { signedIn } = require('../middleware/auth');
const { methodNotAllowed } = require('../middleware/method-not-allowed');
const { withDeps } = require('./handle');

/** deps: createApp's collaborators (pythonService, holdings, config, tokens, users, validate). */
function binanceRouter(deps) {
  const { validate } = deps;
  const handle = withDeps(deps);
  const router = express.Router();
  router.route('/demo-balance').get(validate, handle(showDemoBalance)).all(methodNotAllowed(['GET']));
  router.route('/connection-test').get(...signedIn(deps, 'viewer'), validate, handle(testConnection))
    .all(methodNotAllowed(['GET']));
  return router;
}

module.exports = { binanceRouter };
