'use strict';
// POST /api/auth/register, POST /api/auth/login, GET /api/auth/me
const express = require('express');
const { ApiError } = require('../errors');
const { passwordProblem } = require('../passwords');
const { publicUser } = require('../users');
const { requireAuth } = require('../middleware/auth');
const { methodNotAllowed } = require('../middleware/method-not-allowed');
const { limitRequests } = require('../middleware/rate-limit');

const USERNAME = /^[A-Za-z0-9_.-]{3,32}$/;

function newCredentials(body) {
  const { username, password } = body || {};
  if (typeof username !== 'string' || !USERNAME.test(username)) {
    throw new ApiError(400, 'invalid_username', 'username must be 3-32 characters of A-Z a-z 0-9 _ . -');
  }
  if (typeof password !== 'string') throw new ApiError(400, 'invalid_password', 'password must be a string');
  const problem = passwordProblem(password);
  if (problem) throw new ApiError(400, ...problem);
  return { username, password };
}

function registerLimit(config) {
  return limitRequests({ windowMs: config.authRateWindowMs, limit: config.authRateLimit,
    message: 'Too many registrations from this address; try again later' });
}

function noStore(req, res, next) {
  res.set('Cache-Control', 'no-store');
  next();
}

/** loginLimits: createLoginLimits(...); devices: createDeviceCookies(...), the same as loginLimits'. */
function authRouter({ users, tokens, passwords, config, loginLimits, devices }) {
  const router = express.Router();
  router.use(noStore, express.json({ limit: '10kb' }));

  router.route('/register').post(registerLimit(config), async (req, res) => {
    const { username, password } = newCredentials(req.body);
    const user = users.create(username, await passwords.hash(password));
    if (!user) throw new ApiError(409, 'username_taken', 'That username is already registered');
    res.status(201).json({ user: publicUser(user) });
  }).all(methodNotAllowed(['POST']));

  router.route('/login').post(...loginLimits.middleware, async (req, res) => {
    const { username, password } = req.body || {};
    if (typeof username !== 'string' || typeof password !== 'string') {
      throw new ApiError(400, 'invalid_credentials_format', 'username and password are required strings');
    }
    const user = users.findByUsername(username);
    const ok = user ? await passwords.verify(password, user.password_hash) : await passwords.burnVerifyTime(password);
    if (!ok) throw new ApiError(401, 'invalid_credentials', 'Unknown username or wrong password');
    devices.issue(req, res, user.username);
    res.json({ ...tokens.issue(user), user: publicUser(user) });
  }).all(methodNotAllowed(['POST']));

  router.route('/me').get(requireAuth({ tokens, users }), (req, res) => {
    res.json({ user: publicUser(req.user) });
  }).all(methodNotAllowed(['GET']));
  return router;
}

module.exports = { authRouter };
