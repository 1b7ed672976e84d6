'use strict';
// GET /api/status and GET /api/binance/* forwarded to python_service unchanged,
// so the React client needs one origin.
const express = require('express');

const KEPT_HEADERS = ['content-type', 'x-data-source', 'retry-after'];

function forwardRouter({ gateway, config }) {
  const router = express.Router();
  const forward = async (req, res) => {
    const answer = await gateway.request(req.originalUrl, { timeoutMs: config.forwardTimeoutMs });
    for (const name of KEPT_HEADERS) {
      const value = answer.headers.get(name);
      if (value) res.set(name, value);
    }
    res.status(answer.status).send(answer.text);
  };
  router.get('/api/status', forward);
  router.get('/api/binance/*rest', forward);
  return router;
}

module.exports = { forwardRouter };
