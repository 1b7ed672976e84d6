'use strict';
// Requests checked against express_api's OpenAPI document (express-openapi-validator): the path and
// query parameters and the JSON body of the operation a request is routed to. The document is the one
// place the shape of a request is said; src/errors.js renders a violation in the one error shape, with
// the code the document names beside the broken rule (x-error-code).
//
// A router puts `validate` after auth, rate limits and the body parser: a client without a token gets
// 401 whatever it sent, every attempt counts against its limits, and the body is parsed (10 kB at most).
// python_service's forwarded routes are not checked here: python_service checks them (and the order
// check's body must reach it as raw bytes, unparsed).
const OpenApiValidator = require('express-openapi-validator');
const { document } = require('../openapi');

/** The `validate` middleware for the document `apiSpec` (loaded once, on the first request). */
function createRequestValidation(apiSpec) {
  const steps = OpenApiValidator.middleware({
    apiSpec,
    validateApiSpec: true,
    // Unknown query parameters are ignored, as before (browsers and proxies add cache busters).
    validateRequests: { allowUnknownQueryParameters: true },
    validateResponses: false, // tests check every answer against the document (test/helpers.js)
    validateSecurity: false, // src/middleware/auth.js checks tokens and users, with our 401
    ignoreUndocumented: true, // only routes that call `validate` are checked; the rest are not operations
    fileUploader: false,
    $refParser: { mode: 'dereference' }, // src/errors.js reads x-error-code from the operation it matched
  });

  // HEAD is answered by a GET route, and the document lists the GET: check it as that GET.
  return function validate(req, res, next) {
    const head = req.method === 'HEAD';
    if (head) req.method = 'GET';
    runInTurn(steps, req, res, (err) => {
      if (head) req.method = 'HEAD';
      next(err);
    });
  };
}

// The document does not change while the process runs, and loading it (checked against OpenAPI's own
// schema, references resolved) takes 0.1-0.3 s: every app of the process shares one validation.
let shared;
/** The `validate` middleware for express_api's document. */
function requestValidation() {
  shared = shared || createRequestValidation(document());
  return shared;
}

function runInTurn(steps, req, res, done, index = 0) {
  if (index === steps.length) return done();
  return steps[index](req, res, (err) => (err ? done(err) : runInTurn(steps, req, res, done, index + 1)));
}

module.exports = { requestValidation, createRequestValidation };
