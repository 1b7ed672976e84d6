'use strict';
// The demo portfolio and its value in USDT, with exact decimal arithmetic (big.js).
const fs = require('node:fs');
const Big = require('big.js');
const { ApiError, ConfigError } = require('../errors');
const { errorFrom } = require('../python-service');

Big.NE = -40; // never exponential notation in toString/toFixed
Big.PE = 40;

const DEFAULT_HOLDINGS = { BTC: '0.5', ETH: '4.25', BNB: '12', SOL: '30', USDT: '1500.75' };
const QUOTE = 'USDT';
const DECIMAL = /^\d{1,20}(\.\d{1,18})?$/;
const ASSET = /^[A-Z0-9]{1,15}$/;

function validHoldings(holdings, origin) {
  if (!holdings || typeof holdings !== 'object' || Array.isArray(holdings) || !Object.keys(holdings).length) {
    throw new ConfigError(`${origin} must be a JSON object of asset -> amount`);
  }
  for (const [asset, amount] of Object.entries(holdings)) {
    if (!ASSET.test(asset) || typeof amount !== 'string' || !DECIMAL.test(amount)) {
      throw new ConfigError(`${origin}: ${asset} must map to a decimal string such as "0.5"`);
    }
  }
  return holdings;
}

function loadHoldings(file) {
  if (!file) return DEFAULT_HOLDINGS;
  const origin = `DEMO_PORTFOLIO_FILE ${file}`;
  let holdings;
  try {
    holdings = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new ConfigError(`${origin} cannot be read as JSON: ${err.code || err.message}`);
  }
  return validHoldings(holdings, origin);
}

function pricedSymbols(holdings) {
  return Object.keys(holdings).filter((asset) => asset !== QUOTE).map((asset) => asset + QUOTE);
}

// A 200 from python_service without the price of every symbol asked is not an answer we can use.
function priceOf(bySymbol, symbol) {
  const price = bySymbol.get(symbol);
  if (typeof price !== 'string' || !DECIMAL.test(price)) {
    throw new ApiError(502, 'upstream_error', `python_service answered no usable price for ${symbol}`);
  }
  return price;
}

/** prices: python_service's /api/binance/prices body. */
function valuePortfolio(holdings, prices) {
  const bySymbol = new Map((Array.isArray(prices.prices) ? prices.prices : []).map((row) => [row.symbol, row.price]));
  let total = new Big(0);
  const assets = Object.entries(holdings).map(([asset, amount]) => {
    const isQuote = asset === QUOTE;
    const price = isQuote ? '1' : priceOf(bySymbol, asset + QUOTE);
    const value = new Big(amount).times(price);
    total = total.plus(value);
    return {
      asset, amount, symbol: isQuote ? null : asset + QUOTE, price, value_usdt: value.toFixed(),
      source: isQuote ? 'quote_asset' : prices.source, as_of: isQuote ? null : prices.as_of,
    };
  });
  const live = ['live', 'stream', 'cache'].includes(prices.source); // current prices
  return {
    assets,
    total_usdt: total.toFixed(),
    source: prices.source,
    as_of: prices.as_of,
    age_s: prices.age_s,
    prices_are_current: live,
    note: live ? null : (prices.source === 'stale'
      ? `Binance is unavailable: valued at the last known prices, as of ${prices.as_of}`
      : `Binance is unavailable: valued at the shipped fallback snapshot of ${prices.as_of}, not current prices`),
  };
}

/** The demo portfolio valued at python_service's current prices (one prices call). */
async function demoBalance(pythonService, holdings, options) {
  const query = encodeURIComponent(pricedSymbols(holdings).join(','));
  const answer = await pythonService.getJson(`/api/binance/prices?symbols=${query}`, options);
  if (answer.status !== 200) throw errorFrom(answer);
  return valuePortfolio(holdings, answer.body);
}

module.exports = { demoBalance, DEFAULT_HOLDINGS, loadHoldings, pricedSymbols, valuePortfolio, validHoldings };
