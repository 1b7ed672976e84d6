'use strict';
// Handlers of the USDT-M futures routes of /direct-api/binance/futures (wired in src/routes/futures.js):
// orders as the spot ones (src/handlers/orders.js: the same ids, history, ownership and scope=account), a
// position closed, the leverage set, and the account and positions read. Placements, cancels, closes and
// leverage changes name their user to python_service (X-Gateway-User); a risk limit's refusal (403
// risk_limit, with limit and value) is passed on as python_service said it.
const { ApiError } = require('../errors');
const { callOptions, errorFrom, forUser } = require('../python-service');
const { symbolOf, asUsers } = require('../services/user-orders');
const { place, show, cancel, listOpen, JSON_CONTENT } = require('./orders');

/** POST /direct-api/binance/futures/orders: placed once through python_service, recorded (market futures). */
const placeFuturesOrder = (deps, req, res) => place(deps, req, res, 'futures');
/** GET /direct-api/binance/futures/orders/:symbol/:clientOrderId: one of the user's, as Binance has it now. */
const showFuturesOrder = (deps, req, res) => show(deps, req, res, 'futures');
/** DELETE the same: cancelled (conditional ones too); an admin any of the account's with ?scope=account. */
const cancelFuturesOrder = (deps, req, res) => cancel(deps, req, res, 'futures');
/** GET /direct-api/binance/futures/open-orders[?symbol=]: the account's, waiting conditional ones included. */
const listFuturesOpenOrders = (deps, req, res) => listOpen(deps, req, res, 'futures');

async function passedOn({ pythonService, config }, req, res, path) {
  const answer = await pythonService.getJson(path, callOptions(req, config, { withInternalToken: true }));
  if (answer.status !== 200) throw errorFrom(answer);
  res.json(answer.body);
}

/** GET /direct-api/binance/futures/positions: the account's futures positions, as python_service has them. */
const showFuturesPositions = (deps, req, res) => passedOn(deps, req, res, '/api/binance/futures/positions');
/** GET /direct-api/binance/futures/account: the USDT-M wallet, as python_service has it. */
const showFuturesAccount = (deps, req, res) => passedOn(deps, req, res, '/api/binance/futures/account');

/** POST /direct-api/binance/futures/positions/:symbol/close: the whole position closed by a reduce-only MARKET
 * order python_service names (gw-...); recorded in the user's history under that id. */
async function closePosition({ pythonService, orderHistory, config }, req, res) {
  const symbol = symbolOf(req.params.symbol);
  let answer;
  try {
    answer = await pythonService.getJson(`/api/binance/futures/positions/${encodeURIComponent(symbol)}/close`,
      callOptions(req, config, { method: 'POST', withInternalToken: true, headers: forUser(req) }));
  } catch (err) {
    throw new ApiError(err.status, err.code, `${err.message}; the position may have been closed: see `
      + 'GET /direct-api/binance/futures/positions before closing it again', { retryAfter: err.retryAfter });
  }
  if (answer.status >= 300) throw errorFrom(answer); // 404 no_position, 403 risk_limit...
  const id = answer.body.clientOrderId;
  orderHistory.record({ userId: req.user.id, clientOrderId: id, symbol, request: { symbol, closePosition: true },
    outcome: answer.body.outcome, httpStatus: answer.status, response: answer.body, market: 'futures' },
  answer.body.order);
  res.status(answer.status).json({ ...answer.body, order: asUsers(req.user, answer.body.order), clientOrderId: id,
    binanceClientOrderId: id });
}

/** POST /direct-api/binance/futures/leverage {symbol, leverage}: a symbol's initial leverage set (python_service
 * refuses over RISK_MAX_LEVERAGE: 403 risk_limit). */
async function setLeverage({ pythonService, config }, req, res) {
  const body = { symbol: symbolOf(req.body.symbol), leverage: req.body.leverage };
  const answer = await pythonService.getJson('/api/binance/futures/leverage', callOptions(req, config, {
    method: 'POST', withInternalToken: true, headers: { ...JSON_CONTENT, ...forUser(req) }, body: JSON.stringify(body) }));
  if (answer.status !== 200) throw errorFrom(answer);
  res.json(answer.body);
}

module.exports = { placeFuturesOrder, showFuturesOrder, cancelFuturesOrder, listFuturesOpenOrders, showFuturesPositions,
  showFuturesAccount, closePosition, setLeverage };
