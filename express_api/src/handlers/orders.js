'use strict';
// Handlers of the order routes of /direct-api/binance (wired in src/routes/orders.js; the USDT-M ones in
// src/handlers/futures.js call the same functions for the futures market). Orders are placed through
// python_service, which places each at most once; ids: services/user-orders.js.
// A repeat by the same user reaches the same journalled order; a user reaches only their own orders by
// their ids, and only an admin cancels another's (scope=account). Placements and cancels name their
// user to python_service's audit log (X-Gateway-User). Every answer about one of the users' orders also
// updates its Binance status in the history (services/order-history.js: never backwards).
// Bodies and parameters are checked against the document before these run (src/middleware/validate.js).
const { ORDER_FIELDS, FUTURES_ORDER_FIELDS } = require('../openapi');
const { ApiError } = require('../errors');
const { callOptions, errorFrom, forUser } = require('../python-service');
const { hasRole } = require('../users');
const { binanceIdOf, ownOrderId, ownIdIn, symbolOf, asUsers, asAccounts } = require('../services/user-orders');

const JSON_CONTENT = { 'content-type': 'application/json' };
// python_service's routes per market, and the fields of an order passed on (the document's)
const MARKETS = {
  spot: { prefix: '/api/binance', fields: ORDER_FIELDS },
  futures: { prefix: '/api/binance/futures', fields: FUTURES_ORDER_FIELDS },
};
const CONDITIONAL_TYPES = ['STOP_MARKET', 'TAKE_PROFIT_MARKET']; // USDT-M: Binance's Algo Order API

/** The user's id of an order and the one Binance holds for it. */
const idsOf = (user, clientOrderId) => ({ clientOrderId, binanceClientOrderId: binanceIdOf(user, clientOrderId) });
const orderPath = (market, symbol, binanceClientOrderId) => `${MARKETS[market].prefix}/orders/`
  + `${encodeURIComponent(symbol)}/${encodeURIComponent(binanceClientOrderId)}`;

function outcomeOf(answer) {
  const body = answer.body || {};
  if (body.outcome) return body.outcome;
  const error = body.error || {};
  if (error.outcome) return error.outcome;
  if (answer.status === 400) return 'invalid';
  return 'not_placed';
}

// No answer from python_service: the order may have been placed. A repeat finds out, never doubles it.
function answerUnknown(res, err, ids) {
  if (err.retryAfter) res.set('Retry-After', String(err.retryAfter));
  return res.status(err.status).json({ error: { code: err.code, ...ids, outcome: 'unknown',
    message: `${err.message}; the order may have been placed: repeat with the same clientOrderId to find out` } });
}

// python_service's answer under the user's ids (its 5xx but 503 become 502, as every answer from it).
function answerPlacement(user, res, answer, ids) {
  const retryAfter = answer.headers.get('retry-after');
  if (retryAfter) res.set('Retry-After', retryAfter);
  const status = answer.status >= 500 && answer.status !== 503 ? 502 : answer.status;
  const body = answer.body && answer.body.error ? { error: { ...answer.body.error, ...ids } }
    : { ...answer.body, order: asUsers(user, answer.body.order), ...ids };
  return res.status(status).json(body);
}

// The documented fields of the order the user sent (others are not passed on, nor recorded).
function orderFrom(body, fields) {
  return Object.fromEntries(fields.filter((name) => body[name] !== undefined).map((name) => [name, body[name]]));
}

/** A placement on `market` (spot or futures): placed once through python_service, recorded in the user store
 * with what Binance answered (its status, and the fills of a FULL answer). */
async function place({ pythonService, orderHistory, config }, req, res, market) {
  const order = orderFrom(req.body, MARKETS[market].fields);
  const symbol = symbolOf(order.symbol); // python_service's rule: refused here, before anything is sent
  const ids = idsOf(req.user, ownOrderId(req.body.clientOrderId));
  const record = (outcome, httpStatus, response) => orderHistory.record({ userId: req.user.id,
    clientOrderId: ids.binanceClientOrderId, symbol,
    request: { ...order, clientOrderId: ids.clientOrderId }, outcome, httpStatus, response, market,
    conditional: market === 'futures' && CONDITIONAL_TYPES.includes(order.type) }, response && response.order);
  let answer;
  try {
    answer = await pythonService.getJson(`${MARKETS[market].prefix}/orders`, callOptions(req, config, {
      method: 'POST', withInternalToken: true, headers: { ...JSON_CONTENT, ...forUser(req) },
      body: JSON.stringify({ ...order, clientOrderId: ids.binanceClientOrderId }) }));
  } catch (err) {
    record('unknown', err.status, { error: { code: err.code, message: err.message } });
    return answerUnknown(res, err, ids);
  }
  record(outcomeOf(answer), answer.status, answer.body);
  return answerPlacement(req.user, res, answer, ids);
}

/** POST /direct-api/binance/orders: a spot order placed once through python_service, recorded in the user store. */
const placeOrder = (deps, req, res) => place(deps, req, res, 'spot');

/** GET /direct-api/binance/orders: the user's own orders (spot and futures) from the user store, newest first,
 * each with its Binance status and fills. */
function listOrders({ orderStore }, req, res) {
  const mine = orderStore.list(req.user.id).map((row) => asUsers(req.user, row));
  res.json({ orders: mine, count: mine.length });
}

// One order by the user's clientOrderId: asked of (or cancelled at) Binance under the user's Binance id.
async function orderAtBinance({ pythonService, orderHistory, config }, req, method, market) {
  const symbol = symbolOf(req.params.symbol);
  const ids = idsOf(req.user, ownIdIn(req.params.clientOrderId));
  const headers = method === 'DELETE' ? forUser(req) : {};
  const answer = await pythonService.getJson(orderPath(market, symbol, ids.binanceClientOrderId),
    callOptions(req, config, { method, withInternalToken: true, headers }));
  if (answer.status !== 200) throw errorFrom(answer);
  orderHistory.applyRecord(ids.binanceClientOrderId, recordOf(method, answer.body.order));
  return { ...answer.body, ...ids, order: asUsers(req.user, answer.body.order) };
}

// A cancel's answer is Binance's record of the order cancelled; a conditional order's (the Algo Order API's)
// says only that it was: CANCELED either way.
const recordOf = (method, order) => (method === 'DELETE' ? { status: 'CANCELED', ...order } : order);

/** One of the user's orders on `market`, as Binance has it now. */
async function show(deps, req, res, market) {
  res.json(await orderAtBinance(deps, req, 'GET', market));
}

/** GET /direct-api/binance/orders/:symbol/:clientOrderId: one of the user's spot orders, as Binance has it now. */
const showOrder = (deps, req, res) => show(deps, req, res, 'spot');

const placerName = (orderStore) => (binanceClientOrderId) => {
  const placer = orderStore.placerOf(binanceClientOrderId);
  return placer ? placer.username : null;
};

// An admin's cancel of any of the account's orders, named by the id Binance holds (open-orders lists it).
async function cancelAccountOrder({ pythonService, config, orderStore, orderHistory }, req, res, market) {
  if (!hasRole(req.user.role, 'admin')) {
    throw new ApiError(403, 'forbidden', 'Cancelling an order of the account (scope=account) needs the admin role');
  }
  const symbol = symbolOf(req.params.symbol);
  const binanceClientOrderId = req.params.clientOrderId;
  const answer = await pythonService.getJson(orderPath(market, symbol, binanceClientOrderId),
    callOptions(req, config, { method: 'DELETE', withInternalToken: true, headers: forUser(req) }));
  if (answer.status !== 200) throw errorFrom(answer);
  const placer = orderStore.placerOf(binanceClientOrderId);
  if (placer) orderStore.markCanceled(placer.user_id, binanceClientOrderId);
  orderHistory.applyRecord(binanceClientOrderId, recordOf('DELETE', answer.body.order));
  const order = asAccounts(req.user, answer.body.order, placerName(orderStore));
  res.json({ ...answer.body, clientOrderId: binanceClientOrderId, binanceClientOrderId,
    placed_by: placer ? placer.username : null, order });
}

/** One of the user's orders on `market` cancelled at Binance (never retried); with ?scope=account (admins)
 * any of the account's, by the id Binance holds. */
async function cancel(deps, req, res, market) {
  if (req.query.scope === 'account') return cancelAccountOrder(deps, req, res, market);
  const canceled = await orderAtBinance(deps, req, 'DELETE', market);
  deps.orderStore.markCanceled(req.user.id, canceled.binanceClientOrderId);
  return res.json(canceled);
}

/** DELETE /direct-api/binance/orders/:symbol/:clientOrderId: a spot order of the user's cancelled. */
const cancelOrder = (deps, req, res) => cancel(deps, req, res, 'spot');

/** The account's open orders on `market`, whoever placed them, each with placed_by (the user who placed it
 * through express_api, else null) and mine. */
async function listOpen({ pythonService, config, orderStore }, req, res, market) {
  const query = req.query.symbol === undefined ? '' : `?symbol=${encodeURIComponent(symbolOf(req.query.symbol))}`;
  const answer = await pythonService.getJson(`${MARKETS[market].prefix}/open-orders${query}`,
    callOptions(req, config, { withInternalToken: true }));
  if (answer.status !== 200) throw errorFrom(answer);
  const placedBy = placerName(orderStore);
  const orders = (answer.body.orders || []).map((order) => asAccounts(req.user, order, placedBy));
  res.json({ orders, count: orders.length });
}

/** GET /direct-api/binance/open-orders[?symbol=]: the account's open spot orders. */
const listOpenOrders = (deps, req, res) => listOpen(deps, req, res, 'spot');

module.exports = { placeOrder, listOrders, showOrder, cancelOrder, listOpenOrders, place, show, cancel, listOpen,
  JSON_CONTENT };
