'use strict';
// POST /api/auth/register, POST /api/auth/login, GET /api/auth/me (handlers: src/handlers/auth.js)
const express = require('express');
const { register, login, me } = require('../handlers/auth');
const { requireAuth } = require('../middleware/auth');
const { jsonBody } = require('../middleware/bodies');
const { methodNotAllowed } = require('../middleware/method-not-allowed');
const { noStore } = require('../middleware/no-store');
const { limitRequests } = require('../middleware/rate-limit');
const { withDeps } = require('./handle');

function registerLimit(config) {
  return limitRequests({ windowMs: config.authRateWindowMs, limit: config.authRateLimit,
    message: 'Too many registrations from this address; try again later' });
}

/** deps: createApp's collaborators (users, tokens, passwords, devices, loginLimits, config, validate). */
function authRouter(deps) {
  const { validate } = deps;
  const handle = withDeps(deps);
  const router = express.Router();
  router.use(noStore, jsonBody);
  router.route('/register').post(registerLimit(deps.config), validate, handle(register))
    .all(methodNotAllowed(['POST']));
  router.route('/login').post(...deps.loginLimits.middleware, validate, handle(login)).all(methodNotAllowed(['POST']));
  router.route('/me').get(requireAuth(deps), validate, handle(me)).all(methodNotAllowed(['GET']));
  return router;
}

module.exports = { authRouter };
