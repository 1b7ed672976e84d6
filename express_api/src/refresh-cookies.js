'use strict';
// The refresh cookie: `refresh=<family>.<secret>` (src/session-store.js), httpOnly (no script reads it),
// SameSite=Strict (no other site's page sends it), Path=/api/auth (sent to the auth routes only), Secure
// when the request came over TLS (behind a proxy Express knows that only through TRUST_PROXY), and
// Max-Age REFRESH_TTL_S, renewed at each rotation.
const { readCookie } = require('./device-cookies');

const NAME = 'refresh';
const MAX_LENGTH = 100; // ours are 66 characters; longer is not ours

function createRefreshCookies({ ttlS }) {
  const attributes = (req) => ({ httpOnly: true, sameSite: 'strict', path: '/api/auth', secure: req.secure });
  return {
    set(req, res, token) {
      res.cookie(NAME, token, { ...attributes(req), maxAge: ttlS * 1000 });
    },
    /** The request's refresh token, or null. */
    read(req) {
      const raw = readCookie(req, NAME);
      return raw && raw.length <= MAX_LENGTH ? raw : null;
    },
    clear(req, res) {
      res.clearCookie(NAME, attributes(req));
    },
  };
}

module.exports = { createRefreshCookies };
