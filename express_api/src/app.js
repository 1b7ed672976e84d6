'use strict';
// Builds the Express app; src/server.js listens. Tests hand the app to supertest.
const path = require('node:path');
const express = require('express');
const helmet = require('helmet');
const cors = require('cors');
const crypto = require('node:crypto');
const pinoHttp = require('pino-http');
const { ApiError, notFound, errorHandler } = require('./errors');
const { methodNotAllowed } = require('./middleware/method-not-allowed');
const { createGateway } = require('./gateway');
const { createTokens } = require('./tokens');
const { authRouter } = require('./routes/auth');
const { binanceRouter } = require('./routes/binance');
const { forwardRouter } = require('./routes/forward');
const { createMetrics } = require('./metrics');
const { document: openapiDocument } = require('./openapi');

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

// X-Request-ID: the caller's when well-formed, else a new one; echoed and passed to python_service.
function requestId(req, res) {
  const incoming = req.get('x-request-id');
  const id = incoming && REQUEST_ID.test(incoming) ? incoming : crypto.randomUUID().replace(/-/g, '');
  res.set('X-Request-ID', id);
  return id;
}

const REDACT = ['req.headers.authorization', 'req.headers.cookie', 'req.headers["x-internal-token"]',
  'res.headers["set-cookie"]'];

function createApp({ config, users, holdings, logger }) {
  const app = express();
  const gateway = createGateway({ baseUrl: config.pythonServiceUrl, internalApiToken: config.internalApiToken });
  const tokens = createTokens({ secret: config.jwtSecret, ttlS: config.tokenTtlS });

  const metrics = createMetrics();
  app.disable('x-powered-by');
  app.use(pinoHttp({ logger, genReqId: requestId, redact: { paths: REDACT, censor: '[redacted]' } }));
  app.use(metrics.middleware);
  app.use(helmet());
  app.use(cors({
    origin: (origin, done) => done(null, !origin || config.corsOrigins.includes(origin)),
  }));
  const openapi = openapiDocument();
  const publicDir = path.join(__dirname, '..', 'public');
  app.get('/', (req, res) => res.sendFile(path.join(publicDir, 'index.html')));
  app.use(express.static(publicDir, { index: false }));
  app.get('/metrics', metrics.handler);
  app.get('/api/openapi.json', (req, res) => res.json(openapi));
  // Mounted routers, kept in app.locals so the OpenAPI test can list every route.
  app.locals.mounts = [
    ['', forwardRouter({ gateway, config })], // before express.json: it forwards raw bodies
    ['/api/auth', authRouter({ users, tokens, config })],
    ['/direct-api/binance', binanceRouter({ gateway, holdings, config, tokens, users })],
  ];
  app.use(app.locals.mounts[0][1]);
  app.use(express.json({ limit: '10kb' }));
  for (const [prefix, router] of app.locals.mounts.slice(1)) app.use(prefix, router);

  app.use(methodNotAllowed(app));
  app.use(notFound);
  app.use(errorHandler);
  return app;
}

module.exports = { createApp, ApiError };
