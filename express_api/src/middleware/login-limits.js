'use strict';
// Failed-login limits: per address, and per username against guessing from many addresses.
const { limitRequests } = require('./rate-limit');

// Usernames are case-insensitive in the store; bound the key so junk cannot grow the limiter.
const usernameKey = (username) => `user:${String(username || '').toLowerCase().slice(0, 64)}`;

/** config: authRateLimit failures per authRateWindowMs. */
function createLoginLimits({ config }) {
  const window = { windowMs: config.authRateWindowMs, limit: config.authRateLimit };
  const byAddress = limitRequests({ ...window, skipSuccessfulRequests: true,
    message: 'Too many login attempts from this address; try again later' });
  const byUsername = limitRequests({ ...window, skipSuccessfulRequests: true,
    keyGenerator: (req) => usernameKey((req.body || {}).username),
    message: 'Too many login attempts for this username; try again later' });
  return {
    /** The login route's limiters, in order. */
    middleware: [byAddress, byUsername],
    /** Lifts the lockout of `username` (the failed attempts counted against it) at once. */
    unlock: (username) => byUsername.resetKey(usernameKey(username)),
  };
}

module.exports = { createLoginLimits };
