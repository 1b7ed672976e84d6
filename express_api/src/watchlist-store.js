'use strict';
// Each user's watchlist (the symbols their client shows first), in the user store's database: one row per
// user, the symbols as a JSON array in the user's order. A user without a row has DEFAULT_WATCHLIST; a
// deleted user's row goes with them (ON DELETE CASCADE).

const DEFAULT_WATCHLIST = ['BTCUSDT', 'ETHUSDT', 'BNBUSDT', 'SOLUSDT', 'XRPUSDT'];
const MAX_SYMBOLS = 100; // the document says the same (src/openapi.js)

function openWatchlistStore(db) {
  db.exec(`CREATE TABLE IF NOT EXISTS watchlists (
    user_id INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    symbols TEXT NOT NULL,
    updated_at TEXT NOT NULL
  )`);
  const byUser = db.prepare('SELECT symbols FROM watchlists WHERE user_id = ?');
  const put = db.prepare(`INSERT INTO watchlists (user_id, symbols, updated_at) VALUES (?, ?, ?)
    ON CONFLICT (user_id) DO UPDATE SET symbols = excluded.symbols, updated_at = excluded.updated_at`);

  return {
    /** The user's symbols, in their order (the default until they save one). */
    of(userId) {
      const row = byUser.get(userId);
      return row ? JSON.parse(row.symbols) : [...DEFAULT_WATCHLIST];
    },
    /** Replaces the user's symbols (already checked: src/handlers/watchlist.js). */
    save(userId, symbols) {
      put.run(userId, JSON.stringify(symbols), new Date().toISOString());
    },
  };
}

module.exports = { openWatchlistStore, DEFAULT_WATCHLIST, MAX_SYMBOLS };
