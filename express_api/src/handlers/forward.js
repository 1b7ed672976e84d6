'use strict';
// Handlers of python_service's public routes, forwarded unchanged (wired in src/routes/forward.js).
// The POST body is passed on as the raw bytes it came as: parsing it in JavaScript would round JSON numbers.
const { Readable } = require('node:stream');
const { callOptions } = require('../python-service');

const KEPT_HEADERS = ['content-type', 'x-data-source', 'retry-after', 'allow', 'x-request-id'];

function keepHeaders(answer, res) {
  for (const name of KEPT_HEADERS) {
    const value = answer.headers.get(name);
    if (value) res.set(name, value);
  }
}

/** The request passed on as asked (path and query), python_service's answer passed back. */
async function forward({ pythonService, config }, req, res) {
  const post = req.method === 'POST';
  const answer = await pythonService.request(req.originalUrl, callOptions(req, config, {
    method: req.method,
    body: post ? req.body : undefined,
    headers: post ? { 'content-type': 'application/json' } : {},
  }));
  keepHeaders(answer, res);
  res.status(answer.status).send(answer.text);
}

/** The event stream python_service answers at `path`, asked for `req` (extra: more call options, e.g. the
 * internal token): a fetch Response whose body the caller pipes on (pipeEvents), aborted when the browser
 * leaves, so python_service's subscription ends at once. */
function openEvents({ pythonService, config }, req, res, path, extra = {}) {
  const leaving = new AbortController();
  res.on('close', () => leaving.abort());
  return pythonService.stream(path, callOptions(req, config, { ...extra, signal: leaving.signal }));
}

/** python_service's answer `answer` (an event stream) piped on as it is written, never buffered. */
function pipeEvents(answer, res) {
  keepHeaders(answer, res);
  if (answer.ok) res.set({ 'cache-control': 'no-cache', 'x-accel-buffering': 'no' });
  res.status(answer.status);
  res.flushHeaders();
  if (!answer.body) return res.end();
  const body = Readable.fromWeb(answer.body);
  body.on('error', () => res.end()); // python_service went away or we aborted: end our side too
  return body.pipe(res);
}

/** An event stream of python_service's public routes, piped on as it is written. */
async function forwardStream(deps, req, res) {
  if (req.method === 'HEAD') return forward(deps, req, res); // headers only: python_service subscribes nothing
  return pipeEvents(await openEvents(deps, req, res, req.originalUrl), res);
}

module.exports = { forward, forwardStream, openEvents, pipeEvents, keepHeaders };
