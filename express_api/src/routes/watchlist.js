'use strict';
// The user's watchlist (handlers: src/handlers/watchlist.js):
//   GET, PUT /direct-api/watchlist   viewer: one's own symbols, read and replaced
const express = require('express');
const handlers = require('../handlers/watchlist');
const { signedIn } = require('../middleware/auth');
const { jsonBody } = require('../middleware/bodies');
const { methodNotAllowed } = require('../middleware/method-not-allowed');
const { noStore } = require('../middleware/no-store');
const { withDeps } = require('./handle');

/** deps: createApp's collaborators (watchlists, tokens, users, validate). */
function watchlistRouter(deps) {
  const { validate } = deps;
  const handle = withDeps(deps);
  const viewer = [noStore, ...signedIn(deps, 'viewer')];
  const router = express.Router();
  router.route('/')
    .get(...viewer, validate, handle(handlers.showWatchlist))
    .put(...viewer, jsonBody, validate, handle(handlers.saveWatchlist))
    .all(methodNotAllowed(['GET', 'PUT']));
  return router;
}

module.exports = { watchlistRouter };
