'use strict';
// The client for python_service: every call has a timeout, and every failure
// becomes an ApiError in the shared envelope (never a hang, never a crash).
const { ApiError } = require('./errors');

function createGateway({ baseUrl, internalApiToken }) {
  async function request(pathAndQuery, { timeoutMs, headers = {}, method = 'GET', body, requestId } = {}) {
    const sendHeaders = { accept: 'application/json', ...headers };
    if (requestId) sendHeaders['x-request-id'] = requestId;
    if (internalApiToken) sendHeaders['x-internal-token'] = internalApiToken;
    let response;
    try {
      response = await fetch(baseUrl + pathAndQuery,
        { method, body, headers: sendHeaders, signal: AbortSignal.timeout(timeoutMs) });
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

  async function getJson(pathAndQuery, options) {
    const answer = await request(pathAndQuery, options);
    try {
      return { ...answer, body: JSON.parse(answer.text) };
    } catch {
      throw new ApiError(502, 'upstream_error', `python_service answered HTTP ${answer.status} without JSON`);
    }
  }

  return { request, getJson };
}

// An answer of python_service that is an error, turned into ours (its code kept when it has one).
function errorFrom(answer) {
  const error = answer.body && answer.body.error;
  const status = answer.status >= 500 && answer.status !== 503 ? 502 : answer.status;
  const retryAfter = answer.headers.get('retry-after') || undefined;
  if (error && error.code) {
    return new ApiError(status, error.code, error.message || 'python_service error', { upstream: error.upstream, retryAfter });
  }
  return new ApiError(502, 'upstream_error', `python_service answered HTTP ${answer.status}`);
}

module.exports = { createGateway, errorFrom };
