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

/** Binance's record of an order as its user sees it. A cancel's answer names the order in
 * origClientOrderId (its clientOrderId is the cancel's own id): that is the order's id too. */
function asUsers(user, order) {
  if (!order || typeof order !== 'object') return order;
  const { origClientOrderId, ...rest } = order;
  const binanceClientOrderId = origClientOrderId ?? order.clientOrderId;
  return { ...rest, clientOrderId: ownIdOf(user, binanceClientOrderId), binanceClientOrderId };
}

/** Binance's orders that are this user's, each as the user sees it. */
function usersOrders(user, orders) {
  return (orders || []).filter((o) => ownIdOf(user, o && o.clientOrderId) !== null).map((o) => asUsers(user, o));
}

module.exports = { binanceIdOf, ownIdOf, ownOrderId, symbolOf, asUsers, usersOrders };
