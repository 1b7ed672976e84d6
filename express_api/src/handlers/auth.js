'use strict';
// Handlers of /api/auth: register, login, me. Wired in src/routes/auth.js.
const { ApiError } = require('../errors');
const { passwordProblem } = require('../passwords');
const { publicUser } = require('../users');

/** POST /api/auth/register: a new user (201), or 409 when the username is taken (in any case). */
async function register({ users, passwords }, req, res) {
  const { username, password } = req.body; // its shape checked against the document (src/openapi.js)
  const problem = passwordProblem(password); // the password rules are code, not a schema
  if (problem) throw new ApiError(400, ...problem);
  const user = users.create(username, await passwords.hash(password));
  if (!user) throw new ApiError(409, 'username_taken', 'That username is already registered');
  res.status(201).json({ user: publicUser(user) });
}

/** POST /api/auth/login: a Bearer token, and a device cookie for this browser (src/device-cookies.js). */
async function login({ users, passwords, tokens, devices }, req, res) {
  const { username, password } = req.body; // its shape checked against the document (src/openapi.js)
  const user = users.findByUsername(username);
  // an unknown user costs the same time as a wrong password, so timing does not tell who exists
  const ok = user ? await passwords.verify(password, user.password_hash) : await passwords.burnVerifyTime(password);
  if (!ok) throw new ApiError(401, 'invalid_credentials', 'Unknown username or wrong password');
  devices.issue(req, res, user.username);
  res.json({ ...tokens.issue(user), user: publicUser(user) });
}

/** GET /api/auth/me: the user of the Bearer token. */
function me(deps, req, res) {
  res.json({ user: publicUser(req.user) });
}

module.exports = { register, login, me };
