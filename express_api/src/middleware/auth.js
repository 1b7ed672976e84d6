'use strict';
// requireAuth sets req.user from a valid Bearer token, or passes a 401 to the error handler; requireRole
// (after it) passes a 403 when the user's role does not include the one a route needs. The user is read
// from the store on every request, so a user disabled, deleted or demoted loses access on their next
// request, whatever token they hold; a password change or disabling also ends the tokens issued before.
const { ApiError } = require('../errors');
const { hasRole } = require('../users');

function unauthorized(res, code, message) {
  res.set('WWW-Authenticate', 'Bearer');
  return new ApiError(401, code, message);
}

function requireAuth({ tokens, users }) {
  return (req, res, next) => {
    const match = /^Bearer\s+(\S+)$/i.exec(req.get('authorization') || '');
    const claims = match && tokens.verify(match[1]);
    const user = claims && users.findById(Number(claims.sub));
    if (user && user.disabled) return next(unauthorized(res, 'account_disabled', 'This account is disabled'));
    if (!user || claims.ver !== user.token_version) {
      return next(unauthorized(res, 'unauthorized', 'A valid Bearer token is required'));
    }
    req.user = user;
    return next();
  };
}

/** After requireAuth: 403 forbidden unless req.user's role includes `role`. */
function requireRole(role) {
  return (req, res, next) => {
    if (hasRole(req.user.role, role)) return next();
    return next(new ApiError(403, 'forbidden', `This needs the ${role} role; you are a ${req.user.role}`));
  };
}

/** The middleware of a route for `role`: a valid token of an enabled user whose role includes it. */
const signedIn = (deps, role) => [requireAuth(deps), requireRole(role)];

module.exports = { requireAuth, requireRole, signedIn };
