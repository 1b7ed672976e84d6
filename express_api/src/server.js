'use strict';
// Reads the settings, opens the user store and listens on PORT.
// .env in the working directory (or the file ENV_FILE names); variables already set win.
require('dotenv').config({ path: process.env.ENV_FILE || '.env', quiet: true });
const pino = require('pino');
const { loadConfig } = require('./config');
const { ConfigError } = require('./errors');
const { openUserStore } = require('./users');
const { loadHoldings } = require('./services/portfolio');
const { createApp } = require('./app');

async function main() {
  const logger = pino({ level: process.env.LOG_LEVEL || 'info' });
  let config;
  let holdings;
  try {
    config = loadConfig(process.env, { warn: (msg) => logger.warn(msg) });
    holdings = loadHoldings(config.demoPortfolioFile);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`express_api: configuration error: ${err.message}\n`);
    process.exit(2);
  }
  const users = openUserStore(config.databasePath);
  const app = createApp({ config, users, holdings, logger });
  await app.locals.bootstrap(); // the admin ADMIN_USERNAME names, or a one-time setup code in the log
  const server = app.listen(config.port, () => {
    logger.info({ port: server.address().port, python_service: config.pythonServiceUrl }, 'express_api listening');
  });
  // the order histories follow Binance's status and fills (ACCOUNT_FOLLOW, default true)
  const follower = config.accountFollow ? app.locals.startAccountFollower() : null;
  const shutdown = async () => {
    if (follower) await follower.stop();
    server.close(() => { users.close(); process.exit(0); });
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
}

main();
