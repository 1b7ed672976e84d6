'use strict';
// GET /direct-api/binance/demo-balance (public), GET /direct-api/binance/connection-test (Bearer)
const express = require('express');
const { demoBalance } = require('../services/portfolio');
const { checkConnection } = require('../services/connection-report');
const { requireAuth } = require('../middleware/auth');
const { methodNotAllowed } = require('../middleware/method-not-allowed');

function binanceRouter({ pythonService, holdings, config, tokens, users }) {
  const router = express.Router();

  router.route('/demo-balance')
    .get(async (req, res) => {
      const balance = await demoBalance(pythonService, holdings,
        { timeoutMs: config.pythonServiceTimeoutMs, requestId: req.id, clientAddress: req.ip });
      res.set('X-Data-Source', balance.source).json(balance);
    })
    .all(methodNotAllowed(['GET']));

  router.route('/connection-test')
    .get(requireAuth({ tokens, users }), async (req, res) => {
      res.json(await checkConnection(pythonService,
        { timeoutMs: config.forwardTimeoutMs, requestId: req.id, clientAddress: req.ip }));
    })
    .all(methodNotAllowed(['GET']));

  return router;
}

module.exports = { binanceRouter };
