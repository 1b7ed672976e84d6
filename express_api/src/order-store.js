'use strict';
// Each user's orders, in the user store's database: who asked, what (spot or USDT-M futures), what came
// of it, when. One row per (user, clientOrderId): a repeat updates the outcome, it never adds an order;
// a cancel through express_api turns the outcome into "canceled".

// Columns added since the first version of the table (spot only).
const ADDED_COLUMNS = {
  market: "TEXT NOT NULL DEFAULT 'spot'",
  conditional: 'INTEGER NOT NULL DEFAULT 0', // a USDT-M STOP_MARKET / TAKE_PROFIT_MARKET (Binance's Algo Order API)
};

function migrate(db) {
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
  const present = new Set(db.pragma('table_info(orders)').map((column) => column.name));
  for (const [name, definition] of Object.entries(ADDED_COLUMNS)) {
    if (!present.has(name)) db.exec(`ALTER TABLE orders ADD COLUMN ${name} ${definition}`);
  }
  db.exec('CREATE INDEX IF NOT EXISTS orders_by_client_order_id ON orders (client_order_id)');
}

function statements(db) {
  return {
    upsert: db.prepare(`INSERT INTO orders (user_id, client_order_id, symbol, request, outcome, http_status, response,
        created_at, updated_at, market, conditional)
      VALUES (@userId, @clientOrderId, @symbol, @request, @outcome, @httpStatus, @response, @now, @now, @market,
        @conditional)
      ON CONFLICT (user_id, client_order_id) DO UPDATE SET
        outcome = excluded.outcome, http_status = excluded.http_status, response = excluded.response,
        updated_at = excluded.updated_at, conditional = MAX(conditional, excluded.conditional)`),
    cancel: db.prepare(`UPDATE orders SET outcome = 'canceled', updated_at = ? WHERE user_id = ? AND client_order_id = ?`),
    ofUser: db.prepare('SELECT * FROM orders WHERE user_id = ? ORDER BY id DESC LIMIT ?'),
    forget: db.prepare('DELETE FROM orders WHERE user_id = ?'),
    placer: db.prepare(`SELECT users.id AS user_id, users.username FROM orders JOIN users ON users.id = orders.user_id
      WHERE orders.client_order_id = ? ORDER BY orders.id LIMIT 1`),
  };
}

function openOrderStore(db) {
  migrate(db);
  const sql = statements(db);
  const now = () => new Date().toISOString();

  return {
    /** market: spot (default) or futures; conditional: a USDT-M conditional order. */
    record({ userId, clientOrderId, symbol, request, outcome, httpStatus, response, market = 'spot',
      conditional = false }) {
      sql.upsert.run({ userId, clientOrderId, symbol, request: JSON.stringify(request), outcome, httpStatus,
        response: JSON.stringify(response), now: now(), market, conditional: Number(conditional) });
    },
    markCanceled(userId, clientOrderId) {
      sql.cancel.run(now(), userId, clientOrderId);
    },
    /** { user_id, username } of the user who placed the order Binance holds as `clientOrderId`, or null. */
    placerOf(clientOrderId) {
      return sql.placer.get(clientOrderId) || null;
    },
    /** Removes a deleted user's history (their placements stay in python_service's audit log). */
    forgetUser(userId) {
      sql.forget.run(userId);
    },
    /** The user's orders, newest first; never another user's. */
    list(userId, limit = 100) {
      return sql.ofUser.all(userId, limit).map((row) => ({
        id: row.id, clientOrderId: row.client_order_id, market: row.market, symbol: row.symbol,
        request: JSON.parse(row.request), outcome: row.outcome, http_status: row.http_status,
        response: JSON.parse(row.response), created_at: row.created_at, updated_at: row.updated_at,
        conditional: Boolean(row.conditional),
      }));
    },
  };
}

module.exports = { openOrderStore };
