'use strict';
// The configured account as viewers see it (GET /direct-api/binance/portfolio): the spot balances and
// the futures wallet and positions, read from python_service in parallel, one part's failure shown
// beside the other part rather than hiding it.
const Big = require('big.js');
const { ApiError } = require('../errors');
const { errorFrom } = require('../python-service');

const DECIMAL = /^-?\d+(\.\d+)?$/;

async function bodyOf(pythonService, path, options) {
  const answer = await pythonService.getJson(path, options);
  if (answer.status !== 200) throw errorFrom(answer);
  return answer.body;
}

// A part that failed: its error as the answer shows it. Anything but an ApiError is a bug: thrown on.
function failure(settled) {
  if (!(settled.reason instanceof ApiError)) throw settled.reason;
  return { code: settled.reason.code, message: settled.reason.message };
}

function totalOf(spot, futures) {
  const margin = futures && futures.account.totalMarginBalance;
  if (!spot || !DECIMAL.test(spot.total_usdt || '') || !DECIMAL.test(margin || '')) return null;
  return new Big(spot.total_usdt).plus(margin).toFixed();
}

/** { spot, futures: {account, positions}, total_usdt, errors }; 503 keys_not_configured when python_service
 * has no keys; the spot part's error when neither part could be read. */
async function portfolio(pythonService, options) {
  const ask = (path) => bodyOf(pythonService, path, { ...options, withInternalToken: true });
  const [spot, account, positions] = await Promise.allSettled([ask('/api/binance/account'),
    ask('/api/binance/futures/account'), ask('/api/binance/futures/positions')]);
  const failed = [spot, account, positions].filter((part) => part.status === 'rejected');
  const keysMissing = failed.find((part) => part.reason && part.reason.code === 'keys_not_configured');
  if (keysMissing) throw keysMissing.reason;
  const futuresFailed = [account, positions].find((part) => part.status === 'rejected');
  const futures = futuresFailed ? null : { account: account.value, positions: positions.value.positions };
  if (spot.status === 'rejected' && !futures) throw spot.reason;
  const errors = {};
  if (spot.status === 'rejected') errors.spot = failure(spot);
  if (futuresFailed) errors.futures = failure(futuresFailed);
  const spotPart = spot.status === 'fulfilled' ? spot.value : null;
  return { spot: spotPart, futures, total_usdt: totalOf(spotPart, futures), errors };
}

module.exports = { portfolio };
