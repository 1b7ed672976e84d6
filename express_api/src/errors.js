'use strict';
// One error class and one JSON shape, the same as python_service:
// {"error": {"code": "...", "message": "...", "upstream"?: {...}}}

class ApiError extends Error {
  constructor(status, code, message, { upstream, retryAfter } = {}) {
    super(message);
    this.status = status;
    this.code = code;
    this.upstream = upstream;
    this.retryAfter = retryAfter;
  }
}

// A setting that cannot be used: start-up stops with its message, which names the variable.
class ConfigError extends Error {}

function envelope(code, message, upstream) {
  const error = { code, message };
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

function toApiError(err) {
  if (err instanceof ApiError) return err;
  const known = BODY_ERRORS[err && err.type];
  if (known) return new ApiError(...known);
  return null;
}

// eslint-disable-next-line no-unused-vars
function errorHandler(err, req, res, next) {
  const apiError = toApiError(err);
  if (!apiError) {
    (req.log || console).error({ err }, 'unhandled error');
    return res.status(500).json(envelope('internal_error', 'An unexpected error occurred.'));
  }
  if (apiError.retryAfter !== undefined && apiError.retryAfter !== null) {
    res.set('Retry-After', String(apiError.retryAfter));
  }
  return res.status(apiError.status).json(envelope(apiError.code, apiError.message, apiError.upstream));
}

module.exports = { ApiError, ConfigError, envelope, notFound, errorHandler, toApiError };
