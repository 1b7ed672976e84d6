'use strict';
// Every answer a test gets from express_api's own routes is checked against the OpenAPI document:
// its status must be one the operation lists, its Content-Type one listed for that status, and a JSON
// body must match that response's schema (ajv). So a route that breaks its document fails `npm test`.
// python_service's forwarded routes are not checked here (their answers are python_service's, stood in
// for by the tests), nor paths and methods the document does not name (404s, 405s, the client's pages).
const Ajv = require('ajv');
const addFormats = require('ajv-formats');
const { document } = require('../src/openapi');
const { PUBLIC_ROUTES } = require('../src/routes/forward');

const DOCUMENT_ID = 'express_api.openapi.json';
const doc = document();
// Strict, but for the document's own words around its schemas, OpenAPI 3.0's schema words that are
// not JSON Schema's (nullable is ajv's own) and ours: known to ajv, and ignored.
const ajv = addFormats(new Ajv({ allErrors: true, strict: true,
  keywords: ['openapi', 'info', 'paths', 'components', 'example', 'x-error-code'] }));
ajv.addSchema(doc, DOCUMENT_ID);

const FORWARDED = new Set(PUBLIC_ROUTES.map(([, route]) => route.replace(/:(\w+)/g, '{$1}')));
const escapeRegExp = (text) => text.replace(/[.*+?^$()|[\]\\]/g, '\\$&');
// Express matches paths whatever their case, and with or without a trailing slash.
const OWN_PATHS = Object.keys(doc.paths).filter((path) => !FORWARDED.has(path)).map((path) => ({ path,
  pattern: new RegExp(`^${escapeRegExp(path).replace(/\{\w+\}/g, '[^/]+')}/?$`, 'i') }));

const pointer = (...tokens) => tokens.map((t) => `/${encodeURIComponent(String(t).replace(/~/g, '~0').replace(/\//g, '~1'))}`)
  .join('');
const validators = new Map();
function validatorFor(path, method, status, type) {
  const key = [path, method, status, type].join(' ');
  if (!validators.has(key)) {
    const at = pointer('paths', path, method, 'responses', status, 'content', type, 'schema');
    validators.set(key, ajv.compile({ $ref: `${DOCUMENT_ID}#${at}` }));
  }
  return validators.get(key);
}

/** For supertest's .expect(): throws when `res` is not an answer the document allows. */
function conformsToDocument(res) {
  const asked = res.req.method.toLowerCase();
  const method = asked === 'head' ? 'get' : asked; // HEAD is answered by the GET route
  const path = new URL(res.req.path, 'http://x').pathname;
  const own = OWN_PATHS.find(({ pattern }) => pattern.test(path));
  const operation = own && doc.paths[own.path][method];
  if (!operation) return;
  const where = `${asked.toUpperCase()} ${path} (${own.path}) answered ${res.status}`;
  const response = operation.responses[res.status];
  if (!response) throw new Error(`${where}, a status the document does not list for this operation`);
  if (!response.content || asked === 'head') return;
  const type = String(res.headers['content-type'] || '').split(';')[0].trim();
  if (!response.content[type]) throw new Error(`${where} as ${type || 'no Content-Type'}, which the document does not list`);
  if (type !== 'application/json') return;
  const validate = validatorFor(own.path, method, res.status, type);
  if (!validate(res.body)) {
    throw new Error(`${where} with a body off the document: ${ajv.errorsText(validate.errors, { dataVar: 'body' })}`);
  }
}

module.exports = { conformsToDocument };
