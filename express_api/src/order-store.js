'use strict';
// Each user's orders, in the user store's database: who asked, what, what came of it, when, and what
// Binance has made of it since (its status, executed quantity, cumulative quote and each fill).
// One row per (user, clientOrderId): a repeat updates the outcome, it never adds an order;
// a cancel through express_api turns the outcome into "canceled".
// The fills are a table of their own, one row per (order, Binance tradeId): a fill told twice is kept once.
// Which update may change a row's Binance status is src/services/order-history.js's rule; this module
// only stores what it is given, atomically.

// Columns added since the first version of the table (spot only, no Binance status).
const ADDED_COLUMNS = {
  market: "TEXT NOT NULL DEFAULT 'spot'",
  conditional: 'INTEGER NOT NULL DEFAULT 0', // a USDT-M STOP_MARKET / TAKE_PROFIT_MARKET (Binance's Algo Order API)
  order_id: 'INTEGER', // Binance's orderId (algoId for a conditional order), once known
  status: 'TEXT', // Binance's status, null until Binance has told it
  executed_qty: 'TEXT',
  cumulative_quote: 'TEXT',
  status_time: 'INTEGER', // Binance's time (ms) of the status kept
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
  db.exec(`CREATE TABLE IF NOT EXISTS order_fills (
    order_row_id INTEGER NOT NULL REFERENCES orders(id) ON DELETE CASCADE,
    trade_id INTEGER NOT NULL,
    price TEXT NOT NULL,
    qty TEXT NOT NULL,
    commission TEXT,
    commission_asset TEXT,
    maker INTEGER NOT NULL,
    time INTEGER,
    PRIMARY KEY (order_row_id, trade_id)
  )`);
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
    fillsOfUser: db.prepare(`SELECT * FROM order_fills WHERE order_row_id IN
      (SELECT id FROM orders WHERE user_id = ? ORDER BY id DESC LIMIT ?) ORDER BY time, trade_id`),
    fillsOf: db.prepare('SELECT * FROM order_fills WHERE order_row_id = ? ORDER BY time, trade_id'),
    forgetFills: db.prepare('DELETE FROM order_fills WHERE order_row_id IN (SELECT id FROM orders WHERE user_id = ?)'),
    forget: db.prepare('DELETE FROM orders WHERE user_id = ?'),
    placer: db.prepare(`SELECT users.id AS user_id, users.username FROM orders JOIN users ON users.id = orders.user_id
      WHERE orders.client_order_id = ? ORDER BY orders.id LIMIT 1`),
    byBinanceId: db.prepare('SELECT * FROM orders WHERE client_order_id = ? ORDER BY id LIMIT 1'),
    setStatus: db.prepare(`UPDATE orders SET status = @status, executed_qty = @executedQty,
        cumulative_quote = @cumulativeQuote, status_time = @time, order_id = COALESCE(@orderId, order_id),
        updated_at = @now WHERE id = @id`),
    placed: db.prepare(`UPDATE orders SET outcome = 'placed', updated_at = ? WHERE id = ? AND outcome = 'unknown'`),
    addFill: db.prepare(`INSERT OR IGNORE INTO order_fills
      (order_row_id, trade_id, price, qty, commission, commission_asset, maker, time)
      VALUES (@rowId, @tradeId, @price, @qty, @commission, @commissionAsset, @maker, @time)`),
    // placed (or maybe placed) and not known to be over at Binance: what a reconciliation asks about
    unsettled: db.prepare(`SELECT * FROM orders WHERE outcome IN ('placed', 'unknown', 'canceled')
      AND (status IS NULL OR status NOT IN (SELECT value FROM json_each(?))) ORDER BY id DESC LIMIT ?`),
  };
}

/** A fill as answers show it. */
const fillOf = (row) => ({ tradeId: row.trade_id, price: row.price, qty: row.qty, commission: row.commission,
  commissionAsset: row.commission_asset, maker: Boolean(row.maker), time: row.time });

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
    /** The row of the order Binance holds as `clientOrderId` (whoever placed it), or null. */
    byBinanceId(clientOrderId) {
      return sql.byBinanceId.get(clientOrderId) || null;
    },
    /** Runs `change(row)` on the row of `clientOrderId` in one transaction (so a rule checked in it holds
     * when it writes); null when there is no such row. */
    changing(clientOrderId, change) {
      return db.transaction(() => {
        const row = sql.byBinanceId.get(clientOrderId);
        return row ? change(row) : null;
      })();
    },
    /** The row's Binance status, executed quantity, cumulative quote, time and (when given) orderId. */
    setStatus(rowId, { status, executedQty = null, cumulativeQuote = null, time = null, orderId = null }) {
      sql.setStatus.run({ id: rowId, status, executedQty, cumulativeQuote, time, orderId, now: now() });
    },
    /** An order whose placement's answer was lost, found at Binance: outcome placed. */
    markPlaced(rowId) {
      sql.placed.run(now(), rowId);
    },
    /** Keeps a fill of the row's order unless its tradeId is kept already; true when it was new. */
    addFill(rowId, { tradeId, price, qty, commission = null, commissionAsset = null, maker = false, time = null }) {
      return sql.addFill.run({ rowId, tradeId, price, qty, commission, commissionAsset, maker: Number(Boolean(maker)),
        time }).changes === 1;
    },
    fillsOf: (rowId) => sql.fillsOf.all(rowId).map(fillOf),
    /** The newest `limit` rows of orders placed (or perhaps placed) whose status is none of `settled`. */
    unsettled(settled, limit) {
      return sql.unsettled.all(JSON.stringify(settled), limit);
    },
    /** Removes a deleted user's history (their placements stay in python_service's audit log). */
    forgetUser(userId) {
      sql.forgetFills.run(userId);
      sql.forget.run(userId);
    },
    /** The user's orders, newest first, each with its fills; never another user's. */
    list(userId, limit = 100) {
      const fills = new Map();
      for (const row of sql.fillsOfUser.all(userId, limit)) {
        if (!fills.has(row.order_row_id)) fills.set(row.order_row_id, []);
        fills.get(row.order_row_id).push(fillOf(row));
      }
      return sql.ofUser.all(userId, limit).map((row) => ({
        id: row.id, clientOrderId: row.client_order_id, market: row.market, symbol: row.symbol,
        request: JSON.parse(row.request), outcome: row.outcome, http_status: row.http_status,
        response: JSON.parse(row.response), created_at: row.created_at, updated_at: row.updated_at,
        conditional: Boolean(row.conditional), orderId: row.order_id, status: row.status,
        executedQty: row.executed_qty, cumulativeQuote: row.cumulative_quote, status_time: row.status_time,
        fills: fills.get(row.id) || [],
      }));
    },
  };
}

module.exports = { openOrderStore };
