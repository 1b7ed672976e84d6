'use strict';
// A path that exists with other methods answers 405 with an Allow header (RFC 9110), not 404.
const { ApiError } = require('../errors');

function allowedMethods(app, path) {
  const allowed = new Set();
  const scan = (stack, subPath) => {
    for (const layer of stack) {
      if (layer.route && layer.match(subPath)) {
        for (const method of Object.keys(layer.route.methods)) allowed.add(method.toUpperCase());
      }
    }
  };
  scan(app.router.stack, path);
  for (const [prefix, router] of app.locals.mounts) {
    if (path === prefix || path.startsWith(`${prefix}/`)) scan(router.stack, path.slice(prefix.length) || '/');
  }
  if (allowed.has('GET')) allowed.add('HEAD');
  return [...allowed].sort();
}

function methodNotAllowed(app) {
  return (req, res, next) => {
    const allowed = allowedMethods(app, req.path);
    if (!allowed.length) return next();
    res.set('Allow', allowed.join(', '));
    return next(new ApiError(405, 'method_not_allowed', `${req.method} is not allowed here; use ${allowed.join(', ')}`));
  };
}

module.exports = { methodNotAllowed };
