'use strict';
// express_api's one background subscription to python_service's account events
// (GET /api/binance/stream/account, with the internal token), which keeps the users' order histories as
// Binance has them: each `order` event goes to src/services/order-history.js, which applies it to the order
// of the user who placed it (and ignores the account's other orders).
//
// - Reconnects when the stream ends (python_service ends each one after a few minutes) or fails (python_service
//   down, keys or streams not configured), after a capped exponential back-off with jitter; a stream that stayed
//   up a while starts the back-off afresh. Never throws: every failure is logged and waited out.
// - Reconciles after each (re)connect, once the stream's first event shows python_service is listening, and
//   whenever one of python_service's user data streams comes back up (it may have missed events meanwhile):
//   each order of the history that is not settled is read again at Binance, and a spot order executed further
//   than its fills show gets its fills from the account's trades. Updates apply by the history's rule (never
//   backwards), so a reconciliation and the events it overlaps can arrive in any order.
// - Started with the listener (src/server.js; ACCOUNT_FOLLOW=false leaves it off), stopped on shutdown.
const { setTimeout: sleep } = require('node:timers/promises');
const { ApiError } = require('../errors');
const { errorFrom } = require('../python-service');
const { serverSentEvents } = require('./server-sent-events');

const STREAM_PATH = '/api/binance/stream/account';
const DEFAULTS = {
  baseMs: 500, // the first wait after a failure; doubled per failure in a row...
  capMs: 30_000, // ...up to this
  stableMs: 10_000, // a stream up at least this long was not a failure: the next wait is the first one
  reconcileLimit: 200, // unsettled orders read again per reconciliation, newest first
  concurrency: 4, // reads at once
  tradesLimit: 500, // the account's latest fills asked per symbol to recover missed ones
};

/** The wait before the next attempt after `failures` in a row (1, 2, ...): exponential, capped, the upper half
 * of it random so that many followers restarted together do not come back together. */
function backoffMs(failures, { baseMs, capMs }, random = Math.random) {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.min(Math.max(failures, 1) - 1, 30));
  return ceiling / 2 + (random() * ceiling) / 2;
}

async function inTurns(items, concurrency, work) {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}

const parsed = (text) => {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
};

/** pythonService, orderHistory, config (forwardTimeoutMs), logger; random and the DEFAULTS' names may be overridden. */
function createAccountFollower({ pythonService, orderHistory, config, logger, random = Math.random, ...overrides }) {
  const settings = { ...DEFAULTS, ...overrides };
  const status = { state: 'stopped', attempts: 0, connections: 0, reconciliations: 0, events: 0, last_error: null };
  let life = null; // AbortController of the running follower
  let loop = null;
  let reconciling = null;
  let reconcileAgain = false;
  let lastLogged = null;

  const options = (signal) => ({ timeoutMs: config.forwardTimeoutMs, withInternalToken: true, signal });

  function failed(err, what) {
    const code = err instanceof ApiError ? err.code : err.name || 'error';
    status.last_error = { code, message: err.message, at: new Date().toISOString() };
    // the same trouble again (python_service down for an hour) is said once, not at every attempt
    const log = lastLogged === `${what}:${code}` ? logger.debug.bind(logger) : logger.warn.bind(logger);
    lastLogged = `${what}:${code}`;
    log({ code, message: err.message }, `account follower: ${what} failed`);
  }

  // ----- reconciliation -----
  async function refresh(row, signal) {
    const prefix = row.market === 'futures' ? '/api/binance/futures/orders' : '/api/binance/orders';
    const path = `${prefix}/${encodeURIComponent(row.symbol)}/${encodeURIComponent(row.client_order_id)}`;
    const answer = await pythonService.getJson(path, options(signal));
    if (answer.status === 200) orderHistory.applyRecord(row.client_order_id, answer.body.order, { found: true });
    else if (answer.status !== 404) throw errorFrom(answer); // 404: never placed (an unknown outcome), or gone
  }

  // Fills missed in a gap (spot: python_service serves the account's trades), matched to orders by orderId.
  async function recoverFills(symbol, rows, signal) {
    const query = new URLSearchParams({ symbol, limit: String(settings.tradesLimit) });
    const answer = await pythonService.getJson(`/api/binance/my-trades?${query}`, options(signal));
    if (answer.status !== 200) throw errorFrom(answer);
    const byOrderId = new Map(rows.map((row) => [row.order_id, row]));
    for (const trade of answer.body.trades || []) {
      const row = byOrderId.get(trade.orderId);
      if (!row || !Number.isSafeInteger(trade.id)) continue;
      orderHistory.applyFills(row.client_order_id, [{ tradeId: trade.id, price: trade.price, qty: trade.qty,
        commission: trade.commission, commissionAsset: trade.commissionAsset, maker: Boolean(trade.maker),
        time: Date.parse(trade.time) || null }]);
    }
  }

  async function reconcile(signal) {
    const lacking = new Map(); // spot symbol -> its orders executed further than their fills show
    await inTurns(orderHistory.unsettled(settings.reconcileLimit), settings.concurrency, async (row) => {
      try {
        await refresh(row, signal);
      } catch (err) {
        if (!signal.aborted) failed(err, `reading ${row.client_order_id}`);
        return;
      }
      const short = row.market === 'spot' && orderHistory.lackingFills(row.client_order_id);
      if (short) lacking.set(row.symbol, [...(lacking.get(row.symbol) || []), short]);
    });
    for (const [symbol, rows] of lacking) {
      try {
        await recoverFills(symbol, rows, signal);
      } catch (err) {
        if (!signal.aborted) failed(err, `reading the fills of ${symbol}`);
      }
    }
    status.reconciliations += 1;
  }

  // One reconciliation at a time; one asked for meanwhile runs after it.
  function reconcileSoon() {
    if (reconciling) {
      reconcileAgain = true;
      return;
    }
    const { signal } = life;
    reconciling = (async () => {
      do {
        reconcileAgain = false;
        await reconcile(signal);
      } while (reconcileAgain && !signal.aborted);
    })().catch((err) => failed(err, 'reconciling')).finally(() => { reconciling = null; });
  }

  // ----- the stream -----
  function onUserStreams(states, connection) {
    const cameUp = connection.states !== null && Object.entries(states || {})
      .some(([market, state]) => state === 'up' && connection.states[market] !== 'up');
    const first = connection.states === null;
    connection.states = states || {};
    if (first || cameUp) reconcileSoon();
  }

  function onMessage({ event, data }, connection) {
    const body = parsed(data);
    if (body === null) return;
    if (event === 'user_streams') onUserStreams(body, connection);
    else if (event === 'account' && body.type === 'order') {
      status.events += 1;
      orderHistory.applyEvent(body);
    }
  }

  async function follow(signal, onUp) {
    status.state = 'connecting';
    status.attempts += 1;
    const response = await pythonService.stream(STREAM_PATH, options(signal));
    if (!response.ok) {
      const text = await response.text().catch(() => '');
      throw errorFrom({ status: response.status, headers: response.headers, body: parsed(text) });
    }
    status.state = 'up';
    status.connections += 1;
    if (lastLogged !== 'up') logger.info('account follower: following python_service\'s account events');
    lastLogged = 'up';
    onUp();
    const connection = { states: null };
    for await (const message of serverSentEvents(response.body)) {
      try {
        onMessage(message, connection);
      } catch (err) { // the store refused a write: logged, and the next event is read
        logger.error({ err }, 'account follower: an event could not be applied');
      }
    }
  }

  async function run(signal) {
    let failures = 0;
    while (!signal.aborted) {
      const started = Date.now();
      let upAt = null;
      try {
        await follow(signal, () => { upAt = Date.now(); });
      } catch (err) {
        if (signal.aborted) break;
        failed(err, 'following the account');
      }
      const stable = upAt !== null && Date.now() - started >= settings.stableMs;
      failures = stable ? 1 : failures + 1;
      status.state = 'waiting';
      try {
        await sleep(backoffMs(failures, settings, random), undefined, { signal });
      } catch {
        break; // stopped while waiting
      }
    }
  }

  return {
    /** Starts following (once; a second call does nothing). */
    start() {
      if (life) return;
      life = new AbortController();
      loop = run(life.signal).catch((err) => failed(err, 'following the account'))
        .finally(() => { status.state = 'stopped'; });
    },
    /** Stops following: the stream and any read in flight are aborted; resolves when all has ended. */
    async stop() {
      if (!life) return;
      life.abort();
      await loop;
      await reconciling;
      life = null;
    },
    /** { state: connecting | up | waiting | stopped, attempts, connections (attempts that got the stream),
     * reconciliations, events (order events read), last_error }. */
    status: () => ({ ...status }),
  };
}

module.exports = { createAccountFollower, backoffMs, DEFAULTS };
