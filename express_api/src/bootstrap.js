'use strict';
// At start: the admin ADMIN_USERNAME/ADMIN_PASSWORD name, created when no user of that name exists;
// then, while the store has no enabled admin, a one-time setup code in the log (src/setup-codes.js).

async function createFirstAdmin({ config, users, passwords, audit }, logger) {
  const { username, password } = config.firstAdmin;
  if (users.findByUsername(username)) {
    logger.info({ username }, 'ADMIN_USERNAME names an existing user: left as it is (ADMIN_PASSWORD is not applied)');
    return;
  }
  const user = users.create(username, await passwords.hash(password), 'admin');
  if (!user) return; // created meanwhile under the same name in another case: left as it is
  audit.append({ actor: 'system', action: 'user_created', outcome: 'ok',
    detail: { username: user.username, role: 'admin', by: 'ADMIN_USERNAME' } });
  logger.info({ username: user.username }, 'created the admin ADMIN_USERNAME names');
}

/** deps: createApp's collaborators. Call once, before listening. Returns the setup code offered, if any. */
async function bootstrapAdmin(deps, logger) {
  if (deps.config.firstAdmin) await createFirstAdmin(deps, logger);
  if (deps.users.enabledAdminCount() > 0) return null;
  const { code, expiresAt } = deps.setup.issue();
  logger.warn({ setup_code_expires_at: expiresAt.toISOString() },
    `No admin exists yet. One-time setup code: ${code} — valid once, until ${expiresAt.toISOString()}: `
    + 'open the client and create the first admin with it, or POST /api/auth/setup {"code", "username", "password"}. '
    + 'A restart logs a new code; ADMIN_USERNAME and ADMIN_PASSWORD create an admin instead.');
  return code;
}

module.exports = { bootstrapAdmin };
