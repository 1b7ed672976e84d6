'use strict';
// The connection test's report: is Binance reachable from python_service, and does it
// accept the configured keys? trading/status is credential-using: asked with the internal
// token, and only from here, after the route has checked the user.

async function checkConnection(pythonService, options) {
  const [connection, trading] = await Promise.allSettled([
    pythonService.getJson('/api/binance/connection-status', options),
    pythonService.getJson('/api/binance/trading/status', { ...options, withInternalToken: true }),
  ]);
  return connectionReport(connection, trading);
}

function connectionReport(connection, trading) {
  const conn = connection.status === 'fulfilled' && connection.value.status === 200 ? connection.value.body : null;
  const trade = trading.status === 'fulfilled' && trading.value.status === 200 ? trading.value.body : null;
  const report = {
    ok: false,
    reachable: conn ? Boolean(conn.reachable) : false,
    restricted: conn ? Boolean(conn.restricted) : false,
    authenticated: trade ? Boolean(trade.authenticated) : false,
    keys_configured: trade ? Boolean(trade.api_key_configured && trade.api_secret_configured) : null,
    latency_ms: conn ? conn.latency_ms : null,
    permissions: trade ? trade.permissions || [] : [],
    can_trade: trade ? trade.can_trade : null,
    testnet: trade ? Boolean(trade.testnet) : null,
    state: conn ? conn.state : null,
    error: null,
  };
  report.ok = report.reachable && !report.restricted && report.authenticated;
  report.error = report.ok ? null : explain(report, conn, trade, connection, trading);
  return report;
}

function explain(report, conn, trade, connection, trading) {
  if (!conn) return `python_service could not check the connection: ${failure(connection)}`;
  if (report.restricted) {
    return `Binance refuses this location (HTTP 451): ${conn.restriction_message || ''} ` +
      'Set BINANCE_PROXY_URL to a proxy in an allowed region (see scripts/fix_proxy_connection.py).';
  }
  if (!report.reachable) {
    return `Binance is unreachable: ${(conn.last_error && conn.last_error.message) || conn.not_probed_because || conn.state}`;
  }
  if (!trade) return `python_service could not check the API keys: ${failure(trading)}`;
  if (!report.keys_configured) return 'BINANCE_API_KEY and BINANCE_API_SECRET are not configured on python_service';
  return `Binance rejected the API keys: ${(trade.error && trade.error.message) || 'not authenticated'}`;
}

function failure(settled) {
  if (settled.status === 'rejected') return settled.reason.message;
  const body = settled.value.body || {};
  return (body.error && body.error.message) || `HTTP ${settled.value.status}`;
}

module.exports = { checkConnection, connectionReport };
