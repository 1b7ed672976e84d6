'use strict';
// Builds the Express app; src/server.js listens. Tests hand the app to supertest.
const express = require('express');
const helmet = require('helmet');
const cors = require('cors');
const pinoHttp = require('pino-http');
const { ApiError, notFound, errorHandler } = require('./errors');
const { createGateway } = require('./gateway');
const { createTokens } = require('./tokens');
const { authRouter } = require('./routes/auth');
const { binanceRouter } = require('./routes/binance');
const { forwardRouter } = require('./routes/forward');

const REDACT = ['req.headers.authorization', 'req.headers.cookie', 'req.headers["x-internal-token"]',
  'res.headers["set-cookie"]'];

function createApp({ config, users, holdings, logger }) {
  const app = express();
  const gateway = createGateway({ baseUrl: config.pythonServiceUrl, internalApiToken: config.internalApiToken });
  const tokens = createTokens({ secret: config.jwtSecret, ttlS: config.tokenTtlS });

  app.disable('x-powered-by');
  app.use(pinoHttp({ logger, redact: { paths: REDACT, censor: '[redacted]' } }));
  app.use(helmet());
  app.use(cors({
    origin: (origin, done) => done(null, !origin || config.corsOrigins.includes(origin)),
  }));
  app.use(forwardRouter({ gateway, config })); // before express.json: it forwards raw bodies
  app.use(express.json({ limit: '10kb' }));

  app.use('/api/auth', authRouter({ users, tokens, config }));
  app.use('/direct-api/binance', binanceRouter({ gateway, holdings, config, tokens, users }));

  app.use(notFound);
  app.use(errorHandler);
  return app;
}

module.exports = { createApp, ApiError };
