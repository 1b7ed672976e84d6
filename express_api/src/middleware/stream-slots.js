'use strict';
// A bound on the event streams one user holds open at once (each holds a connection here and a subscription
// at python_service, which allows few per client): past it, 429 too_many_streams. A place is taken when a
// stream is asked for and given back when its answer closes, however it ends (the browser left, python_service
// ended the stream, or it refused it). A HEAD request holds nothing and takes no place.
const { ApiError } = require('../errors');

/** Account event streams one user may hold open at once (python_service allows 4 per client address). */
const ACCOUNT_STREAMS_PER_USER = 4;

/** After auth (it counts per req.user). */
function limitOpenStreams(perUser) {
  const open = new Map(); // user id -> streams open
  return function streamSlot(req, res, next) {
    if (req.method === 'HEAD') return next();
    const { id } = req.user;
    const held = open.get(id) || 0;
    if (held >= perUser) {
      return next(new ApiError(429, 'too_many_streams',
        `At most ${perUser} account streams per user may be open at once; close one first`, { retryAfter: 5 }));
    }
    open.set(id, held + 1);
    res.once('close', () => {
      const left = open.get(id) - 1;
      if (left > 0) open.set(id, left);
      else open.delete(id);
    });
    return next();
  };
}

module.exports = { limitOpenStreams, ACCOUNT_STREAMS_PER_USER };
