'use strict';
// Cache-Control: no-store, for answers about users and their orders (errors included).

function noStore(req, res, next) {
  res.set('Cache-Control', 'no-store');
  next();
}

module.exports = { noStore };
