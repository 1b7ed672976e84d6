'use strict';
// Users, for admins (handlers: src/handlers/users.js):
//   GET, POST /api/auth/users                       list; create {username, password, role}
//   PATCH, DELETE /api/auth/users/:username         change {role?, password?, disabled?}; delete
//   POST /api/auth/users/:username/unlock           lift the username's login lockout
const express = require('express');
const handlers = require('../handlers/users');
const { signedIn } = require('../middleware/auth');
const { jsonBody } = require('../middleware/bodies');
const { methodNotAllowed } = require('../middleware/method-not-allowed');
const { noStore } = require('../middleware/no-store');
const { withDeps } = require('./handle');

/** deps: createApp's collaborators (users, sessions, passwords, loginLimits, orderStore, audit, validate). */
function usersRouter(deps) {
  const { validate } = deps;
  const handle = withDeps(deps);
  const admin = [noStore, ...signedIn(deps, 'admin')];
  const router = express.Router();
  router.route('/')
    .get(...admin, validate, handle(handlers.listUsers))
    .post(...admin, jsonBody, validate, handle(handlers.createUser))
    .all(methodNotAllowed(['GET', 'POST']));
  router.route('/:username')
    .patch(...admin, jsonBody, validate, handle(handlers.updateUser))
    .delete(...admin, validate, handle(handlers.removeUser))
    .all(methodNotAllowed(['PATCH', 'DELETE']));
  router.route('/:username/unlock').post(...admin, validate, handle(handlers.unlockUser))
    .all(methodNotAllowed(['POST']));
  return router;
}

module.exports = { usersRouter };
