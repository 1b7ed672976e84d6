'use strict';
// Handlers of /api/auth/users (admins only): list, create, change, delete and unlock users. Every change
// is written to express_api's audit log, with names, roles and flags only (never a password or hash).
// Wired in src/routes/users.js; the last-admin rule is src/services/user-admin.js.
const { ApiError } = require('../errors');
const { passwordProblem } = require('../passwords');
const { publicUser } = require('../users');
const { actorOf } = require('../audit-store');
const { changeUser, deleteUser, found } = require('../services/user-admin');

/** GET /api/auth/users: every user, oldest first. */
function listUsers({ users }, req, res) {
  res.json({ users: users.list().map(publicUser) });
}

async function hashed(passwords, password) {
  const problem = passwordProblem(password);
  if (problem) throw new ApiError(400, ...problem);
  return passwords.hash(password);
}

/** POST /api/auth/users {username, password, role}: 201 the user; 409 when the username is taken. */
async function createUser({ users, passwords, audit }, req, res) {
  const { username, password, role } = req.body;
  const user = users.create(username, await hashed(passwords, password), role);
  if (!user) throw new ApiError(409, 'username_taken', 'That username is already registered');
  audit.append({ actor: actorOf(req.user), action: 'user_created', outcome: 'ok', detail: { username: user.username, role } });
  res.status(201).json({ user: publicUser(user) });
}

// What changed, for the audit log: roles and flags, and only the fact of a password change.
function changesOf(before, after, passwordChanged) {
  const detail = { username: after.username };
  if (before.role !== after.role) detail.role = { from: before.role, to: after.role };
  if (before.disabled !== after.disabled) detail.disabled = { from: Boolean(before.disabled), to: Boolean(after.disabled) };
  if (passwordChanged) detail.password_changed = true;
  return detail;
}

/** PATCH /api/auth/users/:username {role?, password?, disabled?}: the user as now. A new password also
 * lifts the username's login lockout. */
async function updateUser(deps, req, res) {
  const { role, password, disabled } = req.body;
  const passwordHash = password === undefined ? undefined : await hashed(deps.passwords, password);
  const { before, after } = changeUser(deps, req.params.username, { role, passwordHash, disabled });
  if (passwordHash !== undefined) await deps.loginLimits.unlock(after.username);
  deps.audit.append({ actor: actorOf(req.user), action: 'user_changed', outcome: 'ok',
    detail: changesOf(before, after, passwordHash !== undefined) });
  res.json({ user: publicUser(after) });
}

/** DELETE /api/auth/users/:username: 204; their sessions and order history go with them. */
function removeUser(deps, req, res) {
  const user = deleteUser(deps, req.params.username);
  deps.audit.append({ actor: actorOf(req.user), action: 'user_deleted', outcome: 'ok',
    detail: { username: user.username, id: user.id, role: user.role } });
  res.status(204).end();
}

/** POST /api/auth/users/:username/unlock: the username's login lockout lifted at once (204). */
async function unlockUser({ users, loginLimits, audit }, req, res) {
  const user = found(users, req.params.username);
  await loginLimits.unlock(user.username);
  audit.append({ actor: actorOf(req.user), action: 'user_unlocked', outcome: 'ok', detail: { username: user.username } });
  res.status(204).end();
}

module.exports = { listUsers, createUser, updateUser, removeUser, unlockUser };
