'use strict';
// POST /api/auth/register, POST /api/auth/login, GET /api/auth/me
const express = require('express');
const { rateLimit } = require('express-rate-limit');
const { ApiError } = require('../errors');
const { hashPassword, verifyPassword, burnVerifyTime } = require('../passwords');
const { publicUser } = require('../users');
const { requireAuth } = require('../middleware/auth');
const { methodNotAllowed } = require('../middleware/method-not-allowed');

const USERNAME = /^[A-Za-z0-9_.-]{3,32}$/;

function credentials(body) {
  const { username, password } = body || {};
  if (typeof username !== 'string' || !USERNAME.test(username)) {
    throw new ApiError(400, 'invalid_username', 'username must be 3-32 characters of A-Z a-z 0-9 _ . -');
  }
  if (typeof password !== 'string' || password.length < 8 || password.length > 128) {
    throw new ApiError(400, 'invalid_password', 'password must be 8-128 characters');
  }
  return { username, password };
}

function authRouter({ users, tokens, config }) {
  const router = express.Router();
  const limiter = rateLimit({
    windowMs: config.authRateWindowMs,
    limit: config.authRateLimit,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    handler: (req, res, next, options) => next(new ApiError(429, 'rate_limited',
      'Too many attempts from this address; try again later', { retryAfter: Math.ceil(options.windowMs / 1000) })),
  });

  router.use(express.json({ limit: '10kb' }));

  router.route('/register').post(limiter, async (req, res) => {
    const { username, password } = credentials(req.body);
    const user = users.create(username, await hashPassword(password));
    if (!user) throw new ApiError(409, 'username_taken', 'That username is already registered');
    res.status(201).json({ user: publicUser(user) });
  }).all(methodNotAllowed(['POST']));

  router.route('/login').post(limiter, async (req, res) => {
    const { username, password } = req.body || {};
    if (typeof username !== 'string' || typeof password !== 'string') {
      throw new ApiError(400, 'invalid_credentials_format', 'username and password are required strings');
    }
    const user = users.findByUsername(username);
    const ok = user ? await verifyPassword(password, user.password_hash) : await burnVerifyTime(password);
    if (!ok) throw new ApiError(401, 'invalid_credentials', 'Unknown username or wrong password');
    res.json({ ...tokens.issue(user), user: publicUser(user) });
  }).all(methodNotAllowed(['POST']));

  router.route('/me').get(requireAuth({ tokens, users }), (req, res) => {
    res.json({ user: publicUser(req.user) });
  }).all(methodNotAllowed(['GET']));

  return router;
}

module.exports = { authRouter };
