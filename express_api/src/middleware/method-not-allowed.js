'use strict';
// The last handler of a route path: any method the path does not declare answers 405
// with an Allow header (RFC 9110), e.g. router.route('/me').get(show).all(methodNotAllowed(['GET'])).
const { ApiError } = require('../errors');

function methodNotAllowed(methods) {
  const allowed = [...new Set(methods.includes('GET') ? [...methods, 'HEAD'] : methods)].sort().join(', ');
  return (req, res, next) => {
    res.set('Allow', allowed);
    next(new ApiError(405, 'method_not_allowed', `${req.method} is not allowed here; use ${allowed}`));
  };
}

module.exports = { methodNotAllowed };
