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

/** An event stream, piped on as python_service writes it; when the browser leaves, the request to
 * python_service is aborted, so its subscription ends at once. */
async function forwardStream(deps, req, res) {
  if (req.method === 'HEAD') return forward(deps, req, res); // headers only: python_service subscribes nothing
  const leaving = new AbortController();
  res.on('close', () => leaving.abort());
  const answer = await deps.pythonService.stream(req.originalUrl, callOptions(req, deps.config, { signal: leaving.signal }));
  keepHeaders(answer, res);
  if (answer.ok) res.set({ 'cache-control': 'no-cache', 'x-accel-buffering': 'no' });
  res.status(answer.status);
  res.flushHeaders();
  if (!answer.body) return res.end();
  const body = Readable.fromWeb(answer.body);
  body.on('error', () => res.end()); // python_service went away or we aborted: end our side too
  return body.pipe(res);
}

module.exports = { forward, forwardStream };
