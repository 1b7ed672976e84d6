'use strict';
// The order history as Binance tells it: each order a user placed through express_api (spot or USDT-M)
// follows Binance's status (NEW → PARTIALLY_FILLED → FILLED, CANCELED, EXPIRED...; a conditional USDT-M
// order NEW → TRIGGERED → FINISHED) with its executed quantity, cumulative quote and fills.
//
// Updates come from four places, in any order: the placement's answer, the account's event stream
// (src/services/account-follower.js), an order read or cancelled through express_api, and the
// reconciliation after the stream (re)connects. So one rule decides, checked and written in one
// transaction: an update is kept only when it moves the order forward — its progress (the status's rank,
// then the executed quantity, then Binance's time) is greater than the row's. An older event arriving
// after a newer one changes nothing, and two reports of one change keep the first. Fills are facts, not
// progress: each is kept once by its tradeId, whenever it is told.
//
// An event can come before the placement's answer is recorded (a MARKET order's fill is pushed while
// python_service is still answering): events for an order the store does not know yet wait, a bounded
// while, and are applied when it is recorded.
const Big = require('big.js');

// How far along an order is. Binance's statuses; a conditional order's algo statuses beside them.
const RANK = { PENDING_NEW: 0, NEW: 0, TRIGGERING: 1, PARTIALLY_FILLED: 1, TRIGGERED: 2, PENDING_CANCEL: 2,
  FILLED: 3, CANCELED: 3, EXPIRED: 3, EXPIRED_IN_MATCH: 3, REJECTED: 3, FINISHED: 3 };
/** Statuses after which nothing more happens to an order. */
const SETTLED = Object.keys(RANK).filter((status) => RANK[status] === 3);

const DECIMAL = /^\d+(\.\d+)?$/;
const quantity = (text) => new Big(DECIMAL.test(text ?? '') ? text : 0);
const rank = (status) => RANK[status] ?? 0; // a status Binance adds later: as early as NEW, never past one known

/** > 0 when `update` is ahead of the row's status (rank, executed quantity, time), else <= 0. */
function progress(update, row) {
  if (!update.status) return -1;
  if (!row.status) return 1;
  return (rank(update.status) - rank(row.status)) || quantity(update.executedQty).cmp(quantity(row.executed_qty))
    || Math.sign((update.time ?? 0) - (row.status_time ?? 0));
}

// Binance's ids and times are integers; the algo API gives some as strings ("actualOrderId": "").
function integer(value) {
  const number = Number(value);
  return value !== null && value !== undefined && value !== '' && Number.isSafeInteger(number) ? number : null;
}

/** An `order` event of python_service's account stream (its AccountEvent) as an update and its fill. */
function fromEvent(event) {
  const update = { status: event.status, executedQty: event.executedQty ?? null,
    cumulativeQuote: event.cumulativeQuote ?? null, time: integer(event.time), orderId: integer(event.orderId) };
  const fill = event.fill && Number.isSafeInteger(event.fill.tradeId) ? { ...event.fill, time: update.time } : null;
  return { update, fills: fill ? [fill] : [] };
}

/** Binance's record of an order (a placement's, a query's or a cancel's answer; spot, USDT-M or a conditional
 * order's) as an update; a FULL placement answer's fills with it (taken at once: the order was the taker). */
function fromRecord(order) {
  if (!order || typeof order !== 'object') return { update: {}, fills: [] };
  const time = integer(order.updateTime ?? order.transactTime ?? order.time);
  const update = { status: order.status ?? order.algoStatus, executedQty: order.executedQty ?? null,
    cumulativeQuote: order.cummulativeQuoteQty ?? order.cumQuote ?? null, time,
    orderId: integer(order.orderId ?? order.algoId) };
  const fills = (Array.isArray(order.fills) ? order.fills : []).filter((fill) => Number.isSafeInteger(fill.tradeId))
    .map((fill) => ({ tradeId: fill.tradeId, price: fill.price, qty: fill.qty, commission: fill.commission,
      commissionAsset: fill.commissionAsset, maker: false, time }));
  return { update, fills };
}

const PARK_MS = 120_000;
const PARK_MAX = 1000;

/** orderStore: src/order-store.js; clock: epoch milliseconds. */
function createOrderHistory({ orderStore, clock = Date.now }) {
  const parked = new Map(); // Binance clientOrderId -> [{ at, told }] not yet known to the store

  // Applies `told` ({update, fills}) to the row of `binanceId`: false when the store has no such order.
  function apply(binanceId, { update, fills }, { found = false } = {}) {
    return orderStore.changing(binanceId, (row) => {
      if (progress(update, row) > 0) orderStore.setStatus(row.id, update);
      for (const fill of fills) orderStore.addFill(row.id, fill);
      if (found) orderStore.markPlaced(row.id);
      return true;
    }) ?? false;
  }

  function park(binanceId, told) {
    const now = clock();
    for (const [id, waiting] of parked) { // oldest first: drop what has waited too long, then past the bound
      if (now - waiting[0].at <= PARK_MS && parked.size < PARK_MAX) break;
      parked.delete(id);
    }
    parked.set(binanceId, [...(parked.get(binanceId) || []), { at: now, told }]);
  }

  return {
    /** An `order` event of the account stream: 'applied' (whether or not it moved the order), 'parked' (not
     * known yet), or 'ignored' (not an order event). */
    applyEvent(event) {
      if (!event || event.type !== 'order' || typeof event.clientOrderId !== 'string') return 'ignored';
      const told = fromEvent(event);
      if (apply(event.clientOrderId, told)) return 'applied';
      park(event.clientOrderId, told);
      return 'parked';
    },
    /** Binance's record of the order it holds as `binanceId` (an answer through express_api or a reconciliation's
     * read); found: it was looked for, so an order whose placement's answer was lost is placed after all. */
    applyRecord(binanceId, order, { found = false } = {}) {
      return apply(binanceId, fromRecord(order), { found });
    },
    /** Fills of the order Binance holds as `binanceId`, each kept once (by tradeId). */
    applyFills(binanceId, fills) {
      return apply(binanceId, { update: {}, fills });
    },
    /** The row of `binanceId` when Binance executed more of it than its kept fills add up to (some were
     * missed), else null. */
    lackingFills(binanceId) {
      const row = orderStore.byBinanceId(binanceId);
      if (!row || row.order_id === null) return null;
      const filled = orderStore.fillsOf(row.id).reduce((sum, fill) => sum.plus(quantity(fill.qty)), new Big(0));
      return quantity(row.executed_qty).gt(filled) ? row : null;
    },
    /** A placement recorded (src/order-store.js's record) with what its answer told, then the events that
     * came before it. */
    record(entry, order) {
      orderStore.record(entry);
      apply(entry.clientOrderId, fromRecord(order));
      const waiting = parked.get(entry.clientOrderId) || [];
      parked.delete(entry.clientOrderId);
      for (const { told } of waiting) apply(entry.clientOrderId, told);
    },
    /** Rows to ask Binance about after a gap: placed (or perhaps placed), not settled; newest first. */
    unsettled: (limit) => orderStore.unsettled(SETTLED, limit),
    parkedCount: () => parked.size,
  };
}

module.exports = { createOrderHistory, progress, fromEvent, fromRecord, SETTLED };
