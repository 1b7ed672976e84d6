'use strict';
// GET /api/status, GET /api/binance/* and POST /api/binance/order/validate forwarded
// to python_service unchanged, so the React client needs one origin. The POST body is
// passed as raw bytes: parsing it in JavaScript would round JSON numbers to floats.
const express = require('express');

const KEPT_HEADERS = ['content-type', 'x-data-source', 'retry-after', 'allow', 'x-request-id'];

function forwardRouter({ gateway, config }) {
  const router = express.Router();
  const forward = async (req, res) => {
    const post = req.method === 'POST';
    const answer = await gateway.request(req.originalUrl, {
      timeoutMs: config.forwardTimeoutMs,
      requestId: req.id,
      method: req.method,
      body: post ? req.body : undefined,
      headers: post ? { 'content-type': 'application/json' } : {},
    });
    for (const name of KEPT_HEADERS) {
      const value = answer.headers.get(name);
      if (value) res.set(name, value);
    }
    res.status(answer.status).send(answer.text);
  };
  router.get('/api/status', forward);
  router.get('/api/binance/*rest', forward);
  router.post('/api/binance/order/validate', express.raw({ type: () => true, limit: '10kb' }), forward);
  return router;
}

module.exports = { forwardRouter };
