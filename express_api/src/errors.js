'use strict';
// One error class and one JSON shape, the same as python_service:
// {"error": {"code": "...", "message": "...", "upstream"?: {...}}}
const { error: validatorErrors } = require('express-openapi-validator');

// The class of every error express-openapi-validator raises (not exported by name).
const ValidatorError = Object.getPrototypeOf(validatorErrors.BadRequest);

class ApiError extends Error {
  /** details: more fields of the error object (e.g. risk_limit's limit and value). */
  constructor(status, code, message, { upstream, retryAfter, details } = {}) {
    super(message);
    this.status = status;
    this.code = code;
    this.upstream = upstream;
    this.retryAfter = retryAfter;
    this.details = details;
  }
}

// A setting that cannot be used: start-up stops with its message, which names the variable.
class ConfigError extends Error {}

function envelope(code, message, upstream, details) {
  const error = { code, message, ...details };
  if (upstream) error.upstream = upstream;
  return { error };
}

function notFound(req, res, next) {
  next(new ApiError(404, 'not_found', `No route for ${req.method} ${req.path}`));
}

// Errors thrown by express.json() carry `type`; map the ones a client can cause.
const BODY_ERRORS = {
  'entity.parse.failed': [400, 'invalid_json', 'The request body is not valid JSON'],
  'entity.too.large': [413, 'payload_too_large', 'The request body is too large'],
  'encoding.unsupported': [415, 'unsupported_encoding', 'Unsupported content encoding'],
  'charset.unsupported': [415, 'unsupported_charset', 'Unsupported charset'],
};

// The validator's statuses other than 400, each with its code; its status is always kept.
const STATUS_CODES = { 401: 'unauthorized', 403: 'forbidden', 404: 'not_found', 405: 'method_not_allowed',
  406: 'not_acceptable', 413: 'payload_too_large', 415: 'unsupported_media_type', 500: 'internal_error',
  503: 'service_unavailable' };
const PARAMETER_PLACES = { params: 'path', query: 'query', headers: 'header', cookies: 'cookie' };

/** The code of a broken rule: the x-error-code nearest to it in the operation's schemas (the document says
 * it beside the rule), else invalid_parameter. `path`: the validator's, e.g. /body/username, /params/symbol. */
function violationCode(operation, path = '') {
  const [place, ...names] = path.split('/').filter(Boolean);
  let schema;
  if (place === 'body') {
    schema = operation?.requestBody?.content?.['application/json']?.schema;
  } else {
    const name = String(names.shift()).toLowerCase();
    schema = operation?.parameters?.find((p) => p.in === PARAMETER_PLACES[place] && p.name.toLowerCase() === name)?.schema;
  }
  let code = schema?.['x-error-code'];
  for (const name of names) {
    schema = /^\d+$/.test(name) && schema?.items ? schema.items : schema?.properties?.[name]; // an array's item
    code = schema?.['x-error-code'] ?? code;
  }
  return code ?? 'invalid_parameter';
}

function violationMessage({ path = '', message, errorCode = '' }) {
  const [place, ...names] = path.split('/').filter(Boolean);
  const field = names.join('.') || (place === 'body' ? 'the body' : 'the request');
  if (errorCode.startsWith('required.')) return `${field} is required`;
  return `${field} ${message}`;
}

// The validator's words for these name no field, or say "undefined": ours are plainer.
const STATUS_MESSAGES = { 415: 'The request body must be JSON (Content-Type: application/json)' };

// express-openapi-validator's error for a request that breaks the document. Its status is kept
// whatever it is (never collapsed into 400 or 500); a 400 says which rule broke, with its code.
function fromValidator(err, req) {
  const status = Number.isInteger(err.status) ? err.status : 500;
  if (status === 400) {
    const [violation = {}] = err.errors || [];
    return new ApiError(400, violationCode(req.openapi?.schema, violation.path), violationMessage(violation));
  }
  if (status >= 500) return new ApiError(status, STATUS_CODES[status] || 'internal_error', 'An unexpected error occurred.');
  return new ApiError(status, STATUS_CODES[status] || 'invalid_request', STATUS_MESSAGES[status] || err.message);
}

function toApiError(err, req) {
  if (err instanceof ApiError) return err;
  if (err instanceof ValidatorError) return fromValidator(err, req);
  const known = BODY_ERRORS[err && err.type];
  if (known) return new ApiError(...known);
  return null;
}

// eslint-disable-next-line no-unused-vars -- Express tells an error handler by its four parameters
function errorHandler(err, req, res, next) {
  const apiError = toApiError(err, req);
  if (!apiError || (apiError !== err && apiError.status >= 500)) {
    (req.log || console).error({ err }, 'unhandled error');
  }
  if (!apiError) return res.status(500).json(envelope('internal_error', 'An unexpected error occurred.'));
  if (apiError.retryAfter !== undefined && apiError.retryAfter !== null) {
    res.set('Retry-After', String(apiError.retryAfter));
  }
  return res.status(apiError.status).json(envelope(apiError.code, apiError.message, apiError.upstream, apiError.details));
}

module.exports = { ApiError, ConfigError, envelope, notFound, errorHandler, toApiError };
