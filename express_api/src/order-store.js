'use strict';
// Each user's orders, in the user store's database: who asked, what, what came of it, when.
// One row per (user, clientOrderId): a repeat updates the outcome, it never adds an order;
// a cancel through express_api turns the outcome into "canceled".

function openOrderStore(db) {
  db.exec(`CREATE TABLE IF NOT EXISTS orders (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL REFERENCES users(id),
    client_order_id TEXT NOT NULL,
    symbol TEXT NOT NULL,
    request TEXT NOT NULL,
    outcome TEXT NOT NULL,
    http_status INTEGER NOT NULL,
    response TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (user_id, client_order_id)
  )`);
  db.exec('CREATE INDEX IF NOT EXISTS orders_by_client_order_id ON orders (client_order_id)');
  const upsert = db.prepare(`INSERT INTO orders
      (user_id, client_order_id, symbol, request, outcome, http_status, response, created_at, updated_at)
    VALUES (@userId, @clientOrderId, @symbol, @request, @outcome, @httpStatus, @response, @now, @now)
    ON CONFLICT (user_id, client_order_id) DO UPDATE SET
      outcome = excluded.outcome, http_status = excluded.http_status, response = excluded.response,
      updated_at = excluded.updated_at`);
  const cancel = db.prepare(`UPDATE orders SET outcome = 'canceled', updated_at = ?
    WHERE user_id = ? AND client_order_id = ?`);
  const ofUser = db.prepare('SELECT * FROM orders WHERE user_id = ? ORDER BY id DESC LIMIT ?');
  const forget = db.prepare('DELETE FROM orders WHERE user_id = ?');
  const placer = db.prepare(`SELECT users.id AS user_id, users.username FROM orders JOIN users ON users.id = orders.user_id
    WHERE orders.client_order_id = ? ORDER BY orders.id LIMIT 1`);

  return {
    record({ userId, clientOrderId, symbol, request, outcome, httpStatus, response }) {
      upsert.run({ userId, clientOrderId, symbol, request: JSON.stringify(request), outcome, httpStatus,
        response: JSON.stringify(response), now: new Date().toISOString() });
    },
    markCanceled(userId, clientOrderId) {
      cancel.run(new Date().toISOString(), userId, clientOrderId);
    },
    /** { user_id, username } of the user who placed the order Binance holds as `clientOrderId`, or null. */
    placerOf(clientOrderId) {
      return placer.get(clientOrderId) || null;
    },
    /** Removes a deleted user's history (their placements stay in python_service's audit log). */
    forgetUser(userId) {
      forget.run(userId);
    },
    /** The user's orders, newest first; never another user's. */
    list(userId, limit = 100) {
      return ofUser.all(userId, limit).map((row) => ({
        id: row.id, clientOrderId: row.client_order_id, symbol: row.symbol, request: JSON.parse(row.request),
        outcome: row.outcome, http_status: row.http_status, response: JSON.parse(row.response),
        created_at: row.created_at, updated_at: row.updated_at,
      }));
    },
  };
}

module.exports = { openOrderStore };
