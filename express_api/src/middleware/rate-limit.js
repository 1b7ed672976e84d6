'use strict';
// express-rate-limit with our error shape: 429 rate_limited and Retry-After in seconds.
const { rateLimit } = require('express-rate-limit');
const { ApiError } = require('../errors');

function secondsUntil(resetTime) {
  if (!resetTime) return 1;
  return Math.max(1, Math.ceil((resetTime.getTime() - Date.now()) / 1000));
}

/** options: windowMs, limit, message, and any other express-rate-limit option (keyGenerator, skip...). */
function limitRequests({ message, ...options }) {
  return rateLimit({
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    ...options,
    handler: (req, res, next) => next(new ApiError(429, 'rate_limited', message,
      { retryAfter: secondsUntil(req.rateLimit && req.rateLimit.resetTime) })),
  });
}

/** The per-user limit on order placements (ORDER_RATE_LIMIT_PER_MIN): one counter for spot and futures orders
 * and position closes together. After auth (it counts req.user). */
function limitPlacements(config) {
  return limitRequests({ windowMs: 60_000, limit: config.orderRateLimitPerMin,
    keyGenerator: (req) => `user:${req.user.id}`, message: 'Too many orders from this user; try again later' });
}

module.exports = { limitRequests, limitPlacements };
