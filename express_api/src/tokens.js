'use strict';
// Login tokens: JWT (HS256) signed with JWT_SECRET, with an expiry.
const jwt = require('jsonwebtoken');

function createTokens({ secret, ttlS }) {
  return {
    issue(user) {
      const token = jwt.sign({ sub: String(user.id), username: user.username }, secret,
        { algorithm: 'HS256', expiresIn: ttlS });
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
