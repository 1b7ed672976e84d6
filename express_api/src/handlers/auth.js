'use strict';
// Handlers of /api/auth: register, login, refresh, logout, me. Wired in src/routes/auth.js.
// A login is a short-lived access token (JWT, TOKEN_TTL_S) in the body and a refresh cookie
// (src/refresh-cookies.js) whose family src/session-store.js keeps, rotates and revokes.
const { ApiError } = require('../errors');
const { passwordProblem } = require('../passwords');
const { publicUser } = require('../users');
const { actorOf } = require('../audit-store');

/** Logs `user` in on this answer: a new refresh family in the cookie; the body has the access token. */
function startSession({ tokens, sessions, refreshCookies }, req, res, user) {
  refreshCookies.set(req, res, sessions.start(user.id));
  return { ...tokens.issue(user), user: publicUser(user) };
}

/** POST /api/auth/register (REGISTRATION=open): a new viewer (201), or 409 when the username is taken. */
async function register({ users, passwords, audit }, req, res) {
  const { username, password } = req.body; // its shape checked against the document (src/openapi.js)
  const problem = passwordProblem(password); // the password rules are code, not a schema
  if (problem) throw new ApiError(400, ...problem);
  const user = users.create(username, await passwords.hash(password), 'viewer');
  if (!user) throw new ApiError(409, 'username_taken', 'That username is already registered');
  audit.append({ actor: actorOf(user), action: 'user_registered', outcome: 'ok', detail: { username, role: 'viewer' } });
  res.status(201).json({ user: publicUser(user) });
}

/** POST /api/auth/login: an access token, a refresh cookie and a device cookie (src/device-cookies.js). */
async function login(deps, req, res) {
  const { users, passwords, devices } = deps;
  const { username, password } = req.body; // its shape checked against the document (src/openapi.js)
  const user = users.findByUsername(username);
  // an unknown user costs the same time as a wrong password, so timing does not tell who exists
  const ok = user ? await passwords.verify(password, user.password_hash) : await passwords.burnVerifyTime(password);
  if (!ok) throw new ApiError(401, 'invalid_credentials', 'Unknown username or wrong password');
  if (user.disabled) throw new ApiError(401, 'account_disabled', 'This account is disabled');
  devices.issue(req, res, user.username);
  res.json(startSession(deps, req, res, user));
}

// A spent refresh token presented again: someone holds a copy. Its family is already revoked.
function reused({ users, audit }, req, userId) {
  const user = users.findById(userId);
  const actor = user ? actorOf(user) : `user_id:${userId}`;
  audit.append({ actor, action: 'refresh_token_reused', outcome: 'sessions_revoked', detail: {} });
  req.log.warn({ actor }, 'a spent refresh token was presented again: that login\'s sessions are revoked');
  return new ApiError(401, 'refresh_token_reused',
    'This refresh cookie was already used: the sessions of that login are ended; log in again');
}

/** POST /api/auth/refresh (the refresh cookie and X-Requested-With): a new access token; the cookie rotates. */
function refresh(deps, req, res) {
  const { sessions, refreshCookies, users } = deps;
  const token = refreshCookies.read(req);
  if (!token) throw new ApiError(401, 'refresh_cookie_missing', 'No refresh cookie: log in');
  const spent = sessions.rotate(token);
  const user = spent.status === 'rotated' ? users.findById(spent.userId) : null;
  if (user && !user.disabled) {
    refreshCookies.set(req, res, spent.token);
    return res.json({ ...deps.tokens.issue(user), user: publicUser(user) });
  }
  refreshCookies.clear(req, res);
  if (spent.status === 'reused') throw reused(deps, req, spent.userId);
  if (user) sessions.revokeUser(user.id); // disabled
  throw new ApiError(401, 'invalid_refresh', 'The session has ended (expired, logged out or revoked): log in');
}

/** POST /api/auth/logout: the refresh cookie's family revoked, the cookie cleared (204, also without one). */
function logout({ sessions, refreshCookies }, req, res) {
  const token = refreshCookies.read(req);
  if (token) sessions.revoke(token);
  refreshCookies.clear(req, res);
  res.status(204).end();
}

/** GET /api/auth/me: the user of the Bearer token. */
function me(deps, req, res) {
  res.json({ user: publicUser(req.user) });
}

module.exports = { register, login, refresh, logout, me, startSession };
