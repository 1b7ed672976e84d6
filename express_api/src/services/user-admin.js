'use strict';
// Changing and deleting users, under one rule: the deployment always keeps an enabled admin. Each
// check runs in the same transaction as the write it guards, so two admins demoting each other at once
// cannot both succeed. A password change or disabling ends the user's sessions: their refresh families
// are revoked and their access tokens stop working (token_version, checked in src/middleware/auth.js).
const { ApiError } = require('../errors');

const isEnabledAdmin = (user) => user.role === 'admin' && !user.disabled;

function lastAdmin() {
  return new ApiError(409, 'last_admin', 'That would leave no enabled admin: make another user an admin first');
}

function found(users, username) {
  const user = users.findByUsername(username);
  if (!user) throw new ApiError(404, 'unknown_user', 'No user by that name');
  return user;
}

/** changes: any of role, passwordHash, disabled. Returns { before, after } (the user's rows). */
function changeUser({ users, sessions }, username, { role, passwordHash, disabled }) {
  return users.atomically(() => {
    const before = found(users, username);
    const wouldBe = { role: role ?? before.role, disabled: disabled ?? Boolean(before.disabled) };
    if (isEnabledAdmin(before) && !isEnabledAdmin(wouldBe) && users.enabledAdminCount() <= 1) throw lastAdmin();
    const endsSessions = passwordHash !== undefined || (disabled === true && !before.disabled);
    const after = users.update(before.id, { role, passwordHash, disabled,
      tokenVersion: endsSessions ? before.token_version + 1 : undefined });
    if (endsSessions) sessions.revokeUser(before.id);
    return { before, after };
  });
}

/** Deletes the user with their sessions and order history. Returns the deleted user's row. */
function deleteUser({ users, orderStore }, username) {
  return users.atomically(() => {
    const user = found(users, username);
    if (isEnabledAdmin(user) && users.enabledAdminCount() <= 1) throw lastAdmin();
    users.remove(user.id, (id) => orderStore.forgetUser(id));
    return user;
  });
}

module.exports = { changeUser, deleteUser, found };
