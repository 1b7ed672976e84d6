'use strict';
// Builds the Express app; src/server.js listens. Tests hand the app to supertest.
const express = require('express');
const helmet = require('helmet');
const cors = require('cors');
const crypto = require('node:crypto');
const pinoHttp = require('pino-http');
const { ApiError, notFound, errorHandler } = require('./errors');
const { methodNotAllowed } = require('./middleware/method-not-allowed');
const { requestValidation } = require('./middleware/validate');
const { createPythonService } = require('./python-service');
const { createTokens } = require('./tokens');
const { createPasswords } = require('./passwords');
const { authRouter } = require('./routes/auth');
const { usersRouter } = require('./routes/users');
const { accountRouter } = require('./routes/account');
const { createDeviceCookies } = require('./device-cookies');
const { createRefreshCookies } = require('./refresh-cookies');
const { openSessionStore } = require('./session-store');
const { openAuditStore } = require('./audit-store');
const { createSetupCodes } = require('./setup-codes');
const { bootstrapAdmin } = require('./bootstrap');
const { createLoginLimits } = require('./middleware/login-limits');
const { binanceRouter } = require('./routes/binance');
const { forwardRouter } = require('./routes/forward');
const { ordersRouter } = require('./routes/orders');
const { futuresRouter } = require('./routes/futures');
const { watchlistRouter } = require('./routes/watchlist');
const { openOrderStore } = require('./order-store');
const { openWatchlistStore } = require('./watchlist-store');
const { createOrderHistory } = require('./services/order-history');
const { createAccountFollower } = require('./services/account-follower');
const { limitPlacements } = require('./middleware/rate-limit');
const { createMetrics } = require('./metrics');
const { document: openapiDocument } = require('./openapi');
const { clientRouter } = require('./client-app');

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

// The collaborators every router and handler is given (src/routes/handle.js). clock: epoch milliseconds.
function createDeps({ config, users, holdings, passwords, clock }) {
  const devices = createDeviceCookies({ secret: config.jwtSecret });
  const orderStore = openOrderStore(users.db);
  return {
    config, users, holdings, passwords, devices,
    pythonService: createPythonService({ baseUrl: config.pythonServiceUrl, internalApiToken: config.internalApiToken }),
    tokens: createTokens({ secret: config.jwtSecret, ttlS: config.tokenTtlS }),
    sessions: openSessionStore(users.db, { ttlS: config.refreshTtlS, clock }),
    refreshCookies: createRefreshCookies({ ttlS: config.refreshTtlS }),
    setup: createSetupCodes({ clock }),
    audit: openAuditStore(users.db, { clock }),
    loginLimits: createLoginLimits({ config, devices }),
    orderStore,
    orderHistory: createOrderHistory({ orderStore, clock }),
    watchlists: openWatchlistStore(users.db),
    placementLimit: limitPlacements(config), // one per-user count for every kind of placement
    validate: requestValidation(),
  };
}

function createApp({ config, users, holdings, logger, passwords = createPasswords(), clock = Date.now }) {
  const app = express();
  const deps = createDeps({ config, users, holdings, passwords, clock });
  const metrics = createMetrics();
  app.disable('x-powered-by');
  app.set('trust proxy', config.trustProxy); // req.ip: the client's address, for limits and python_service
  app.use(pinoHttp({ logger, genReqId: requestId, redact: { paths: REDACT, censor: '[redacted]' } }));
  app.use(metrics.middleware);
  app.use(helmet());
  app.use(cors({
    origin: (origin, done) => done(null, !origin || config.corsOrigins.includes(origin)),
  }));
  // loginLimits.unlock(username) lifts a username's lockout (in memory: a restart clears them all).
  app.locals.loginLimits = deps.loginLimits;
  // Before listening: the admin ADMIN_USERNAME names, or a one-time setup code in the log (src/bootstrap.js).
  app.locals.bootstrap = () => bootstrapAdmin(deps, logger);
  // The users' order histories follow Binance through python_service's account events: started with the
  // listener (src/server.js, unless ACCOUNT_FOLLOW=false), never by createApp, so tests start it when they
  // mean to (options: src/services/account-follower.js's DEFAULTS). Returns the follower (status(), stop()).
  app.locals.startAccountFollower = (options = {}) => {
    app.locals.accountFollower = app.locals.accountFollower || createAccountFollower({ ...options,
      pythonService: deps.pythonService, orderHistory: deps.orderHistory, config, logger });
    app.locals.accountFollower.start();
    return app.locals.accountFollower;
  };
  metrics.watchFollower(() => app.locals.accountFollower?.status());
  const openapi = openapiDocument();
  const onlyGet = methodNotAllowed(['GET']);
  app.route('/metrics').get(metrics.handler).all(onlyGet);
  app.route('/api/openapi.json').get((req, res) => res.json(openapi)).all(onlyGet);
  // Mounted routers, kept in app.locals so the OpenAPI test can list every route.
  app.locals.mounts = [
    ['', forwardRouter(deps)],
    ['/api/auth', authRouter(deps)],
    ['/api/auth/users', usersRouter(deps)],
    ['/direct-api/binance', binanceRouter(deps)],
    ['/direct-api/binance', ordersRouter(deps)],
    ['/direct-api/binance', accountRouter(deps)],
    ['/direct-api/binance/futures', futuresRouter(deps)],
    ['/direct-api/watchlist', watchlistRouter(deps)],
    ['', clientRouter({ distDir: config.clientDistDir })], // last: the client's pages are what the API is not
  ];
  for (const [prefix, router] of app.locals.mounts) app.use(prefix || '/', router);

  app.use(notFound);
  app.use(errorHandler);
  return app;
}

module.exports = { createApp, ApiError };
