'use strict';
// Sessions and sign-up (handlers: src/handlers/auth.js, src/handlers/setup.js):
//   POST /api/auth/register   REGISTRATION=open only: a new viewer (else 403 registration_closed)
//   POST /api/auth/login      an access token and a refresh cookie
//   POST /api/auth/refresh    the refresh cookie and X-Requested-With: a new access token, the cookie rotated
//   POST /api/auth/logout     the refresh cookie's family revoked, the cookie cleared
//   GET  /api/auth/me         the user (viewer)
//   GET, POST /api/auth/setup the first admin, with the one-time setup code in the log
const express = require('express');
const { ApiError } = require('../errors');
const { register, login, refresh, logout, me } = require('../handlers/auth');
const { setupStatus, setUp } = require('../handlers/setup');
const { signedIn } = require('../middleware/auth');
const { jsonBody } = require('../middleware/bodies');
const { methodNotAllowed } = require('../middleware/method-not-allowed');
const { noStore } = require('../middleware/no-store');
const { limitRequests } = require('../middleware/rate-limit');
const { withDeps } = require('./handle');

// Failed attempts per address (successes are not counted), as for logins.
function failuresLimit(config, message) {
  return limitRequests({ windowMs: config.authRateWindowMs, limit: config.authRateLimit, skipSuccessfulRequests: true,
    message });
}

function registerLimit(config) {
  return limitRequests({ windowMs: config.authRateWindowMs, limit: config.authRateLimit,
    message: 'Too many registrations from this address; try again later' });
}

const registrationOpen = (config) => (req, res, next) => next(config.registration === 'open' ? undefined
  : new ApiError(403, 'registration_closed', 'Registration is closed: an admin creates accounts'));

// A page of another site cannot send this header without CORS's permission (a preflight it will not get),
// so a refresh it triggers in the browser (with the cookie) fails here; SameSite=Strict already stops most.
function requireRequestedWith(req, res, next) {
  if (req.get('x-requested-with')) return next();
  return next(new ApiError(403, 'csrf_header_missing', 'POST /api/auth/refresh needs the header X-Requested-With'));
}

/** deps: createApp's collaborators (users, tokens, sessions, passwords, devices, loginLimits, setup, config...). */
function authRouter(deps) {
  const { validate, config } = deps;
  const handle = withDeps(deps);
  const router = express.Router();
  router.use(noStore, jsonBody);
  router.route('/register').post(registerLimit(config), registrationOpen(config), validate, handle(register))
    .all(methodNotAllowed(['POST']));
  router.route('/login').post(...deps.loginLimits.middleware, validate, handle(login)).all(methodNotAllowed(['POST']));
  // No limit per address here: a refresh cookie's secret is 256 random bits (guessing is hopeless), and
  // counting failures per address would let logged-out colleagues behind one NAT lock out the rest.
  router.route('/refresh').post(requireRequestedWith, validate, handle(refresh)).all(methodNotAllowed(['POST']));
  router.route('/logout').post(validate, handle(logout)).all(methodNotAllowed(['POST']));
  router.route('/me').get(...signedIn(deps, 'viewer'), validate, handle(me)).all(methodNotAllowed(['GET']));
  router.route('/setup').get(validate, handle(setupStatus))
    .post(failuresLimit(config, 'Too many setup attempts from this address; try again later'), validate, handle(setUp))
    .all(methodNotAllowed(['GET', 'POST']));
  return router;
}

module.exports = { authRouter };
