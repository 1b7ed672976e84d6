'use strict';
// The client for python_service: every call has a timeout, every failure becomes an
// ApiError in the shared envelope (never a hang, never a crash), and no call can be
// resolved to a path other than the one asked for.
const { ApiError } = require('./errors');

function createPythonService({ baseUrl, internalApiToken }) {
  const basePath = new URL(baseUrl).pathname.replace(/\/+$/, '');

  // WHATWG URL parsing resolves dot segments, %2e and backslashes; refuse any target it moved.
  function target(pathAndQuery) {
    const url = new URL(baseUrl + pathAndQuery);
    const askedPath = pathAndQuery.split('?', 1)[0];
    if (url.pathname !== basePath + askedPath || `${url.origin}` !== new URL(baseUrl).origin) {
      throw new ApiError(400, 'invalid_path', 'The request path is not allowed');
    }
    return url;
  }

  function headersFor({ headers, requestId, clientAddress, withInternalToken }) {
    const sent = { accept: 'application/json', ...headers };
    if (requestId) sent['x-request-id'] = requestId;
    // one value, replacing whatever the client sent: python_service shares its weight budget per client
    if (clientAddress) sent['x-forwarded-for'] = clientAddress;
    if (withInternalToken && internalApiToken) sent['x-internal-token'] = internalApiToken;
    return sent;
  }

  // signal: also ends the call when it aborts (the caller stops: answered as a timeout, which it ignores)
  async function request(pathAndQuery, { timeoutMs, method = 'GET', body, signal, ...options } = {}) {
    const url = target(pathAndQuery);
    const due = AbortSignal.timeout(timeoutMs);
    let response;
    try {
      response = await fetch(url, { method, body, headers: headersFor(options),
        signal: signal ? AbortSignal.any([signal, due]) : due });
    } catch (err) {
      if (err.name === 'TimeoutError' || err.name === 'AbortError') {
        throw new ApiError(503, 'python_service_timeout', `python_service did not answer within ${timeoutMs} ms`,
          { retryAfter: 1 });
      }
      throw new ApiError(502, 'python_service_unreachable', 'python_service could not be reached');
    }
    let text;
    try {
      text = await response.text();
    } catch {
      throw new ApiError(502, 'python_service_unreachable', 'python_service closed the connection mid-answer');
    }
    return { status: response.status, headers: response.headers, text };
  }

  // A long answer (server-sent events) as it comes: the caller pipes `response.body` on and
  // aborts `signal` when its own client leaves. Only the wait for the headers has a time limit.
  // The time limit covers the wait for the headers only: an event stream's body stays open for
  // minutes, and ends when python_service ends it or `signal` aborts (the browser left).
  async function stream(pathAndQuery, { timeoutMs, signal, ...options }) {
    const url = target(pathAndQuery);
    const headersDue = new AbortController();
    const timer = setTimeout(() => headersDue.abort(), timeoutMs);
    let response;
    try {
      response = await fetch(url, { headers: { ...headersFor(options), accept: 'text/event-stream' },
        signal: AbortSignal.any([signal, headersDue.signal]) });
    } catch {
      if (headersDue.signal.aborted) {
        throw new ApiError(503, 'python_service_timeout', `python_service did not answer within ${timeoutMs} ms`,
          { retryAfter: 1 });
      }
      throw new ApiError(502, 'python_service_unreachable', 'python_service could not be reached');
    } finally {
      clearTimeout(timer);
    }
    return response;
  }

  async function getJson(pathAndQuery, options) {
    const answer = await request(pathAndQuery, options);
    try {
      return { ...answer, body: JSON.parse(answer.text) };
    } catch {
      throw new ApiError(502, 'upstream_error', `python_service answered HTTP ${answer.status} without JSON`);
    }
  }

  return { request, getJson, stream };
}

/** The options of a call to python_service made for `req`: the time limit (FORWARD_TIMEOUT_MS unless
 * `extra` says otherwise), the request's id and the client's address (python_service budgets per client),
 * plus `extra` (method, body, headers, withInternalToken, signal...). */
function callOptions(req, config, extra = {}) {
  return { timeoutMs: config.forwardTimeoutMs, requestId: req.id, clientAddress: req.ip, ...extra };
}

/** The header naming the user a call is made for: python_service's audit log records it as user:<name>
 * (it trusts the header only with the internal token). Sent on every placement, cancel and risk change. */
const forUser = (req) => ({ 'x-gateway-user': req.user.username });

// Fields of python_service's error object passed on as they are: risk_limit's limit and value (which
// limit refused, and its value in force), looser_than_ceiling's limits and ceilings.
const PASSED_ON = ['limit', 'value', 'limits', 'ceilings'];

// An answer of python_service that is an error, turned into ours (its code kept when it has one).
function errorFrom(answer) {
  const error = answer.body && answer.body.error;
  const status = answer.status >= 500 && answer.status !== 503 ? 502 : answer.status;
  const retryAfter = answer.headers.get('retry-after') || undefined;
  if (error && error.code) {
    const details = Object.fromEntries(PASSED_ON.filter((name) => name in error).map((name) => [name, error[name]]));
    return new ApiError(status, error.code, error.message || 'python_service error',
      { upstream: error.upstream, retryAfter, details });
  }
  return new ApiError(502, 'upstream_error', `python_service answered HTTP ${answer.status}`);
}

module.exports = { createPythonService, callOptions, errorFrom, forUser };
