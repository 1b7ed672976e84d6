'use strict';
// Handlers of /direct-api/binance/demo-balance and /connection-test. Wired in src/routes/binance.js.
const { callOptions } = require('../python-service');
const { demoBalance } = require('../services/portfolio');
const { checkConnection } = require('../services/connection-report');

/** GET /direct-api/binance/demo-balance: the demo portfolio valued at python_service's prices. */
async function showDemoBalance({ pythonService, holdings, config }, req, res) {
  const balance = await demoBalance(pythonService, holdings,
    callOptions(req, config, { timeoutMs: config.pythonServiceTimeoutMs }));
  res.set('X-Data-Source', balance.source).json(balance);
}

/** GET /direct-api/binance/connection-test: can python_service reach Binance, with the configured keys? */
async function testConnection({ pythonService, config }, req, res) {
  res.json(await checkConnection(pythonService, callOptions(req, config)));
}

module.exports = { showDemoBalance, testConnection };
