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
    /** The verified claims, or null for a missing, tampered, expired or wrongly signed token. */
    verify(token) {
      try {
        return jwt.verify(token, secret, { algorithms: ['HS256'] });
      } catch {
        return null;
      }
    },
  };
}

module.exports = { createTokens };
