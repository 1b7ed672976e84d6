'use strict';
// One rule for order ids, both ways. A user's `clientOrderId` (theirs, or one generated for
// them) is sent to Binance as `u<userId>-<clientOrderId>` — `binanceClientOrderId` in every
// answer — so two users' ids never collide at Binance and no user can name another's order.
// Every order express_api shows carries both; all other fields are Binance's.
const crypto = require('node:crypto');
const { ApiError } = require('../errors');

// Binance's symbols: letters and digits of any script plus -_. (1-50, after NFC), as python_service checks.
// The document's pattern (Python's and JavaScript's regular expressions share no Unicode classes) lets
// through some non-ASCII text this refuses; NFC and upper case are this rule's too.
const SYMBOL = /^[\p{L}\p{N}_.-]{1,50}$/u;
const OWN_ID = /^[A-Za-z0-9_-]{1,24}$/; // a user's own clientOrderId; the document says the same (src/openapi.js)

const prefixOf = (user) => `u${user.id}-`;
const binanceIdOf = (user, clientOrderId) => prefixOf(user) + clientOrderId;

/** The user's own id inside Binance's, or null when that order is not this user's. */
function ownIdOf(user, binanceClientOrderId) {
  const prefix = prefixOf(user);
  const mine = typeof binanceClientOrderId === 'string' && binanceClientOrderId.startsWith(prefix);
  return mine ? binanceClientOrderId.slice(prefix.length) : null;
}

/** The user's clientOrderId of a new order: the one given (the document says its shape), or a new one. */
function ownOrderId(given) {
  return given ?? crypto.randomBytes(8).toString('hex');
}

function symbolOf(raw) {
  const symbol = typeof raw === 'string' ? raw.normalize('NFC') : '';
  if (!SYMBOL.test(symbol)) {
    throw new ApiError(400, 'invalid_symbol', 'symbol must be 1-50 letters, digits or -_.');
  }
  return symbol.toUpperCase();
}

// The id Binance holds for an order in its record: a cancel's answer names the order in origClientOrderId
// (its clientOrderId is the cancel's own id); a conditional USDT-M order's record (the Algo Order API's)
// in clientAlgoId.
const binanceIdIn = (order) => order.origClientOrderId ?? order.clientOrderId ?? order.clientAlgoId;

function withoutOrigId(order) {
  const rest = { ...order };
  delete rest.origClientOrderId;
  return rest;
}

/** Binance's record of an order as its user sees it: clientOrderId is theirs; for an order python_service
 * named (a position's close: gw-...) it is the id Binance holds. */
function asUsers(user, order) {
  if (!order || typeof order !== 'object') return order;
  const rest = withoutOrigId(order);
  const binanceClientOrderId = binanceIdIn(order);
  return { ...rest, clientOrderId: ownIdOf(user, binanceClientOrderId) ?? binanceClientOrderId, binanceClientOrderId };
}

/** A clientOrderId named in a path as the user's own (a cancel's path also takes Binance's longer ids). */
function ownIdIn(raw) {
  if (!OWN_ID.test(raw)) {
    throw new ApiError(400, 'invalid_client_order_id', 'clientOrderId must be 1-24 of A-Z a-z 0-9 _ - (yours)');
  }
  return raw;
}

/** One of the account's orders as `user` sees it, whoever placed it: clientOrderId is the user's own id
 * when the order is theirs (mine), else the id Binance holds; placed_by names the user who placed it through
 * express_api (`placerOf(binanceClientOrderId)`: from the order store), else null (a bot, Binance's site). */
function asAccounts(user, order, placerOf) {
  if (!order || typeof order !== 'object') return order;
  const rest = withoutOrigId(order);
  const binanceClientOrderId = binanceIdIn(order);
  const own = ownIdOf(user, binanceClientOrderId);
  return { ...rest, clientOrderId: own ?? binanceClientOrderId, binanceClientOrderId,
    placed_by: placerOf(binanceClientOrderId), mine: own !== null };
}

module.exports = { binanceIdOf, ownIdOf, ownOrderId, ownIdIn, symbolOf, asUsers, asAccounts };
