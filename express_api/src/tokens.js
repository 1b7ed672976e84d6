'use strict';
// Access tokens: JWT (HS256) signed with JWT_SECRET, with an expiry (TOKEN_TTL_S) and the user's
// token_version (claim ver), which a password change or disabling raises (src/middleware/auth.js).
const crypto = require('node:crypto');
const jwt = require('jsonwebtoken');

function createTokens({ secret, ttlS }) {
  return {
    issue(user) {
      const token = jwt.sign({ sub: String(user.id), username: user.username, ver: user.token_version }, secret,
        { algorithm: 'HS256', expiresIn: ttlS, jwtid: crypto.randomBytes(8).toString('hex') }); // each one apart
      const { exp } = jwt.decode(token);
      return { token, token_type: 'Bearer', expires_in: ttlS, expires_at: new Date(exp * 1000).toISOString() };
    },
    /** The verified claims, or null for a missing, tampered, expired, never-expiring or wrongly signed token. */
    verify(token) {
      let claims;
      try {
        claims = jwt.verify(token, secret, { algorithms: ['HS256'] });
      } catch {
        return null;
      }
      // jsonwebtoken accepts a token without exp; ours always carry one, so one without is not ours
      return typeof claims.exp === 'number' ? claims : null;
    },
  };
}

module.exports = { createTokens };
