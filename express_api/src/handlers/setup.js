'use strict';
// Handlers of /api/auth/setup: the first admin, made with the one-time setup code start-up logs while no
// admin exists (src/bootstrap.js, src/setup-codes.js). Wired in src/routes/auth.js.
const { ApiError } = require('../errors');
const { passwordProblem } = require('../passwords');
const { actorOf } = require('../audit-store');
const { startSession } = require('./auth');

const notNeeded = () => new ApiError(403, 'setup_not_needed', 'An admin exists: ask an admin for an account');
const badCode = () => new ApiError(403, 'invalid_setup_code',
  'Wrong, used or expired setup code (the current one is in express_api\'s log; a restart logs a new one)');

/** GET /api/auth/setup: { needed } — true while no enabled admin exists (the client then offers setup). */
function setupStatus({ users }, req, res) {
  res.json({ needed: users.enabledAdminCount() === 0 });
}

/** POST /api/auth/setup {code, username, password}: the first admin, logged in as by login (201). */
async function setUp(deps, req, res) {
  const { users, passwords, setup, audit, devices } = deps;
  const { code, username, password } = req.body; // its shape checked against the document (src/openapi.js)
  if (users.enabledAdminCount() > 0) throw notNeeded();
  if (!setup.matches(code)) throw badCode();
  const problem = passwordProblem(password);
  if (problem) throw new ApiError(400, ...problem);
  const hash = await passwords.hash(password);
  // checked again after the wait, with the write: another request may have used the code meanwhile
  const user = users.atomically(() => {
    if (users.enabledAdminCount() > 0) throw notNeeded();
    if (users.findByUsername(username)) throw new ApiError(409, 'username_taken', 'That username is already registered');
    if (!setup.consume(code)) throw badCode();
    return users.create(username, hash, 'admin');
  });
  audit.append({ actor: actorOf(user), action: 'setup_code_used', outcome: 'ok',
    detail: { username: user.username, role: 'admin' } });
  req.log.info({ username: user.username }, 'the setup code made the first admin; it is spent');
  devices.issue(req, res, user.username);
  res.status(201).json(startSession(deps, req, res, user));
}

module.exports = { setupStatus, setUp };
