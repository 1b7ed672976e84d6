'use strict';
// The React client (client/, built by Vite into client/dist) served at express_api's port:
// its hashed assets cached for a year, and index.html for every page the client routes itself
// (any GET or HEAD that is not the API), never cached so a new build is picked up at once.
const fs = require('node:fs');
const path = require('node:path');
const express = require('express');
const { ApiError } = require('./errors');
const { methodNotAllowed } = require('./middleware/method-not-allowed');

// Express matches routes without regard to case, so this does too: /API/nope is the API's 404, not a page.
const API_PATH = /^\/(?:api|direct-api|metrics)(?:\/|$)/i;
const FILE_PATH = /\.[A-Za-z0-9]+$/; // /favicon.ico, /robots.txt: a missing file is a 404, not the client
const YEAR_MS = 365 * 24 * 3600 * 1000;

function clientRouter({ distDir }) {
  const router = express.Router();
  const indexFile = path.join(distDir, 'index.html');
  const index = (req, res, next) => {
    if (!fs.existsSync(indexFile)) {
      return next(new ApiError(503, 'client_not_built',
        'The React client is not built: `make run` builds it (or `cd client && npm run build`)'));
    }
    return res.set('Cache-Control', 'no-cache').sendFile(indexFile);
  };
  router.use('/assets', express.static(path.join(distDir, 'assets'), { index: false, immutable: true, maxAge: YEAR_MS }),
    (req, res, next) => next(new ApiError(404, 'not_found', `No such client file: ${req.originalUrl.split('?')[0]}`)));
  router.route('/').get(index).all(methodNotAllowed(['GET']));
  router.use(express.static(distDir, { index: false, setHeaders: (res, file) => {
    if (path.basename(file) === 'index.html') res.set('Cache-Control', 'no-cache');
  } }));
  // The client's own pages (/symbol/BTCUSDT, /trade, ...): everything else stays the API's 404.
  router.use((req, res, next) => {
    const page = (req.method === 'GET' || req.method === 'HEAD') && !API_PATH.test(req.path) && !FILE_PATH.test(req.path);
    return page ? index(req, res, next) : next();
  });
  return router;
}

module.exports = { clientRouter };
