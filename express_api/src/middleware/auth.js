'use strict';
// Sets req.user from a valid Bearer token, or passes a 401 to the error handler.
const { ApiError } = require('../errors');

function requireAuth({ tokens, users }) {
  return (req, res, next) => {
    const match = /^Bearer\s+(\S+)$/i.exec(req.get('authorization') || '');
    const claims = match && tokens.verify(match[1]);
    const user = claims && users.findById(Number(claims.sub));
    if (!user) {
      res.set('WWW-Authenticate', 'Bearer');
      return next(new ApiError(401, 'unauthorized', 'A valid Bearer token is required'));
    }
    req.user = user;
    return next();
  };
}

module.exports = { requireAuth };
