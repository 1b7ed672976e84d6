'use strict';
// Handlers of /direct-api/watchlist (wired in src/routes/watchlist.js): the user's own watchlist, kept
// server-side so it follows them from browser to browser.
const { ApiError } = require('../errors');
const { symbolOf } = require('../services/user-orders');

function symbolAt(raw, index) {
  try {
    return symbolOf(raw);
  } catch {
    throw new ApiError(400, 'invalid_symbol', `symbols[${index}] must be 1-50 letters, digits or -_.`);
  }
}

/** GET /direct-api/watchlist: { symbols } — the user's, or the default until they save one. */
function showWatchlist({ watchlists }, req, res) {
  res.json({ symbols: watchlists.of(req.user.id) });
}

/** PUT /direct-api/watchlist {symbols}: each checked by the symbol rule (letters and digits of any script and
 * -_., 1-50 after NFC; 400 invalid_symbol naming the first that breaks it), upper-cased, duplicates dropped
 * with the first kept in place. Answers the list as saved. */
function saveWatchlist({ watchlists }, req, res) {
  const symbols = [...new Set(req.body.symbols.map(symbolAt))];
  watchlists.save(req.user.id, symbols);
  res.json({ symbols });
}

module.exports = { showWatchlist, saveWatchlist };
