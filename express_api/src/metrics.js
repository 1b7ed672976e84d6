'use strict';
// Prometheus metrics (prom-client): requests by route and status, and their latency.
const client = require('prom-client');

function createMetrics() {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry, prefix: 'express_api_' });
  const requests = new client.Counter({
    name: 'express_api_http_requests_total', help: 'HTTP requests served', labelNames: ['route', 'method', 'status'],
    registers: [registry],
  });
  const latency = new client.Histogram({
    name: 'express_api_http_request_duration_seconds', help: 'HTTP request latency', labelNames: ['route', 'method'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });

  function middleware(req, res, next) {
    const stop = latency.startTimer();
    res.on('finish', () => {
      // the route pattern, not the path: one series per route, not per symbol
      const route = req.route ? `${req.baseUrl}${req.route.path}` : 'unmatched';
      requests.inc({ route, method: req.method, status: String(res.statusCode) });
      stop({ route, method: req.method });
    });
    next();
  }

  /** Gauges of the account follower (src/services/account-follower.js), read from `statusOf()` (its status(), or
   * undefined while none is started) at each scrape. */
  function watchFollower(statusOf) {
    const gauges = [['up', 'Whether the account follower is reading python_service\'s account events (1) or not (0)',
      (status) => Number(status.state === 'up')],
    ['connections', 'Account event streams the follower has opened', (status) => status.connections],
    ['reconciliations', 'Reconciliations of the order histories done', (status) => status.reconciliations],
    ['events', 'Order events the follower has read', (status) => status.events]];
    for (const [name, help, value] of gauges) {
      new client.Gauge({ name: `express_api_account_follower_${name}`, help, registers: [registry], collect() {
        const status = statusOf();
        this.set(status ? value(status) : 0);
      } });
    }
  }

  async function handler(req, res) {
    res.set('Content-Type', registry.contentType).send(await registry.metrics());
  }

  return { middleware, handler, registry, watchFollower };
}

module.exports = { createMetrics };
