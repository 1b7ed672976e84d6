'use strict';
// Handlers of the account routes of /direct-api/binance (wired in src/routes/account.js): the configured
// account's portfolio and fills, the risk limits and the audit log, read from python_service with the
// internal token. A risk limit change names its admin to python_service (X-Gateway-User).
const { callOptions, errorFrom, forUser } = require('../python-service');
const { actorOf } = require('../audit-store');
const { portfolio } = require('../services/account');
const { auditLog } = require('../services/audit');
const { symbolOf } = require('../services/user-orders');
const { openEvents, pipeEvents, keepHeaders } = require('./forward');

const ACCOUNT_EVENTS = '/api/binance/stream/account';

const credential = (req, config, extra = {}) => callOptions(req, config, { withInternalToken: true, ...extra });

async function passedOn({ pythonService, config }, req, res, path, extra) {
  const answer = await pythonService.getJson(path, credential(req, config, extra));
  if (answer.status !== 200) throw errorFrom(answer);
  res.json(answer.body);
}

/** GET /direct-api/binance/portfolio: spot and futures, each shown even when the other failed. */
async function showPortfolio({ pythonService, config }, req, res) {
  res.json(await portfolio(pythonService, callOptions(req, config)));
}

/** GET /direct-api/binance/fills?symbol=&limit=: the account's fills on one symbol (python_service's my-trades). */
function listFills(deps, req, res) {
  const query = new URLSearchParams({ symbol: symbolOf(req.query.symbol) });
  if (req.query.limit !== undefined) query.set('limit', String(req.query.limit));
  return passedOn(deps, req, res, `/api/binance/my-trades?${query}`);
}

/** GET /direct-api/binance/risk: the limits in force, the settings' ceilings and the admin's limits. */
function showRisk(deps, req, res) {
  return passedOn(deps, req, res, '/api/binance/risk');
}

/** PUT /direct-api/binance/risk: an admin's limits (python_service refuses looser than the settings).
 * Recorded in express_api's audit log whatever came of it; python_service records its decision too. */
async function changeRisk({ pythonService, config, audit }, req, res) {
  const record = (outcome, status) => audit.append({ actor: actorOf(req.user), action: 'risk_change_requested',
    outcome, detail: { requested: req.body, status } });
  let answer;
  try {
    answer = await pythonService.getJson('/api/binance/risk', credential(req, config, { method: 'PUT',
      headers: { 'content-type': 'application/json', ...forUser(req) }, body: JSON.stringify(req.body) }));
  } catch (err) {
    record(`failed: ${err.code || 'error'}`, err.status || null);
    throw err;
  }
  if (answer.status !== 200) {
    const error = errorFrom(answer);
    record(`refused: ${error.code}`, answer.status);
    throw error;
  }
  record('ok', 200);
  res.json(answer.body);
}

/** GET /direct-api/binance/audit?limit=&before=: python_service's audit log and ours, newest first. */
async function showAudit(deps, req, res) {
  const limit = Number(req.query.limit ?? 100);
  res.json(await auditLog(deps, callOptions(req, deps.config), { limit, before: req.query.before }));
}

async function bodyOf(response) {
  try {
    return JSON.parse(await response.text());
  } catch {
    return null;
  }
}

/** GET /direct-api/binance/stream/account: python_service's account events (order updates with their fills,
 * balances, positions, margin calls, user_streams), piped on as they come. HEAD: the headers only, python_service
 * subscribes nothing. A refusal (no keys, streams off, too many streams) in the error shape. */
async function streamAccount(deps, req, res) {
  if (req.method === 'HEAD') {
    const answer = await deps.pythonService.request(ACCOUNT_EVENTS, credential(req, deps.config, { method: 'HEAD' }));
    keepHeaders(answer, res);
    return res.status(answer.status >= 500 && answer.status !== 503 ? 502 : answer.status).end();
  }
  const answer = await openEvents(deps, req, res, ACCOUNT_EVENTS, { withInternalToken: true });
  if (!answer.ok) throw errorFrom({ status: answer.status, headers: answer.headers, body: await bodyOf(answer) });
  return pipeEvents(answer, res);
}

module.exports = { showPortfolio, listFills, showRisk, changeRisk, showAudit, streamAccount };
