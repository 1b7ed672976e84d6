'use strict';
// Failed-login limits: per address for everyone; per username, except for a browser holding a device
// cookie for that username (src/device-cookies.js), whose failures are limited per cookie instead.
const { rateLimit } = require('express-rate-limit');
const { limitRequests } = require('./rate-limit');

// Usernames are case-insensitive in the store; bound the key so junk cannot grow the limiter.
const usernameKey = (username) => `user:${String(username || '').toLowerCase().slice(0, 64)}`;

// req.knownDevice: the nonce of a valid device cookie for the username this login tries, else null.
const recognizeDevice = (devices) => (req, res, next) => {
  req.knownDevice = devices.nonceFor(req, (req.body || {}).username);
  next();
};

// Over its limit a cookie stops vouching for its holder until its window ends: the username limit
// applies again. Only cookies we signed get a counter, and each one ends with its window.
function limitPerDevice(window) {
  return rateLimit({ ...window, skipSuccessfulRequests: true, standardHeaders: false, legacyHeaders: false,
    requestPropertyName: 'deviceRateLimit', // req.rateLimit stays the address's or the username's
    skip: (req) => !req.knownDevice,
    keyGenerator: (req) => `device:${req.knownDevice}`,
    handler: (req, res, next) => {
      req.knownDevice = null;
      next();
    },
  });
}

/** config: authRateLimit failures per authRateWindowMs; devices: createDeviceCookies(...). */
function createLoginLimits({ config, devices }) {
  const window = { windowMs: config.authRateWindowMs, limit: config.authRateLimit };
  const byAddress = limitRequests({ ...window, skipSuccessfulRequests: true,
    message: 'Too many login attempts from this address; try again later' });
  const byUsername = limitRequests({ ...window, skipSuccessfulRequests: true,
    skip: (req) => Boolean(req.knownDevice),
    keyGenerator: (req) => usernameKey((req.body || {}).username),
    message: 'Too many login attempts for this username; try again later' });
  return {
    /** The login route's limiters, in order. */
    middleware: [byAddress, recognizeDevice(devices), limitPerDevice(window), byUsername],
    /** Lifts the lockout of `username` (the failed attempts counted against it) at once. */
    unlock: (username) => byUsername.resetKey(usernameKey(username)),
  };
}

module.exports = { createLoginLimits };
