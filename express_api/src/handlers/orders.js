'use strict';
// Handlers of the order routes of /direct-api/binance (wired in src/routes/orders.js). Orders are
// placed through python_service, which places each at most once; ids: services/user-orders.js.
// A repeat by the same user reaches the same journalled order; no user can reach another's.
// Bodies and parameters are checked against the document before these run (src/middleware/validate.js).
const { ORDER_FIELDS } = require('../openapi');
const { callOptions, errorFrom } = require('../python-service');
const { binanceIdOf, ownOrderId, symbolOf, asUsers, usersOrders } = require('../services/user-orders');

const JSON_CONTENT = { 'content-type': 'application/json' };

/** The user's id of an order and the one Binance holds for it. */
const idsOf = (user, clientOrderId) => ({ clientOrderId, binanceClientOrderId: binanceIdOf(user, clientOrderId) });

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
function orderFrom(body) {
  return Object.fromEntries(ORDER_FIELDS.filter((name) => body[name] !== undefined).map((name) => [name, body[name]]));
}

/** POST /direct-api/binance/orders: placed once through python_service, recorded in the user store. */
async function placeOrder({ pythonService, orderStore, config }, req, res) {
  const order = orderFrom(req.body);
  const ids = idsOf(req.user, ownOrderId(req.body.clientOrderId));
  const record = (outcome, httpStatus, response) => orderStore.record({ userId: req.user.id,
    clientOrderId: ids.binanceClientOrderId, symbol: order.symbol, request: { ...order, clientOrderId: ids.clientOrderId },
    outcome, httpStatus, response });
  let answer;
  try {
    answer = await pythonService.getJson('/api/binance/orders', callOptions(req, config, { method: 'POST',
      withInternalToken: true, headers: JSON_CONTENT, body: JSON.stringify({ ...order, clientOrderId: ids.binanceClientOrderId }) }));
  } catch (err) {
    record('unknown', err.status, { error: { code: err.code, message: err.message } });
    return answerUnknown(res, err, ids);
  }
  record(outcomeOf(answer), answer.status, answer.body);
  return answerPlacement(req.user, res, answer, ids);
}

/** GET /direct-api/binance/orders: the user's own orders from the user store, newest first. */
function listOrders({ orderStore }, req, res) {
  const mine = orderStore.list(req.user.id).map((row) => asUsers(req.user, row));
  res.json({ orders: mine, count: mine.length });
}

// One order by the user's clientOrderId: asked of (or cancelled at) Binance under the user's Binance id.
async function orderAtBinance({ pythonService, config }, req, method) {
  const symbol = symbolOf(req.params.symbol);
  const ids = idsOf(req.user, req.params.clientOrderId);
  const path = `/api/binance/orders/${encodeURIComponent(symbol)}/${encodeURIComponent(ids.binanceClientOrderId)}`;
  const answer = await pythonService.getJson(path, callOptions(req, config, { method, withInternalToken: true }));
  if (answer.status !== 200) throw errorFrom(answer);
  return { ...answer.body, ...ids, order: asUsers(req.user, answer.body.order) };
}

/** GET /direct-api/binance/orders/:symbol/:clientOrderId: one of the user's orders, as Binance has it now. */
async function showOrder(deps, req, res) {
  res.json(await orderAtBinance(deps, req, 'GET'));
}

/** DELETE /direct-api/binance/orders/:symbol/:clientOrderId: cancelled at Binance (never retried). */
async function cancelOrder(deps, req, res) {
  const canceled = await orderAtBinance(deps, req, 'DELETE');
  deps.orderStore.markCanceled(req.user.id, canceled.binanceClientOrderId);
  res.json(canceled);
}

/** GET /direct-api/binance/open-orders: the user's open orders at Binance. */
async function listOpenOrders({ pythonService, config }, req, res) {
  const answer = await pythonService.getJson('/api/binance/open-orders', callOptions(req, config, { withInternalToken: true }));
  if (answer.status !== 200) throw errorFrom(answer);
  const mine = usersOrders(req.user, answer.body.orders);
  res.json({ orders: mine, count: mine.length });
}

/** GET /direct-api/binance/futures/positions: the account's futures positions, as python_service has them. */
async function showFuturesPositions({ pythonService, config }, req, res) {
  const answer = await pythonService.getJson('/api/binance/futures/positions',
    callOptions(req, config, { withInternalToken: true }));
  if (answer.status !== 200) throw errorFrom(answer);
  res.json(answer.body);
}

module.exports = { placeOrder, listOrders, showOrder, cancelOrder, listOpenOrders, showFuturesPositions };
