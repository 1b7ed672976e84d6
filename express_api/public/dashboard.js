'use strict';
// The status dashboard: upstream state (with a banner when something is wrong),
// prices with their source and age, and the demo balance. Refreshes on its own.
(function dashboard() {
  const SYMBOLS = ['BTCUSDT', 'ETHUSDT', 'BNBUSDT', 'SOLUSDT', 'XRPUSDT'];
  // ?refresh=SECONDS changes the period (default 5 s)
  const REFRESH_MS = Math.max(0.5, Number(new URLSearchParams(window.location.search).get('refresh')) || 5) * 1000;
  const BANNERS = {
    restricted: (u) => `Binance refuses this location (HTTP 451) since ${u.since || '?'}: prices below are not live. ${u.message || ''}`,
    banned: (u) => `Binance banned this IP (HTTP 418) until ${u.until || '?'}: prices below are not live.`,
    rate_limited: (u) => `Binance rate-limited this IP (HTTP 429) until ${u.until || '?'}: prices below may be old.`,
    unreachable: (u) => `Binance is unreachable: ${(u.last_error && u.last_error.message) || 'no answer'}. Prices below may be old.`,
  };
  const $ = (id) => document.getElementById(id);

  async function getJson(url) {
    const response = await fetch(url, { headers: { accept: 'application/json' } });
    const body = await response.json();
    if (!response.ok) throw new Error((body.error && body.error.message) || `HTTP ${response.status}`);
    return body;
  }

  function cell(text, className) {
    const td = document.createElement('td');
    td.textContent = text;
    if (className) td.className = className;
    return td;
  }

  function sourceCell(source) {
    const td = document.createElement('td');
    const badge = document.createElement('span');
    badge.className = `source ${source}`;
    badge.textContent = source;
    td.appendChild(badge);
    return td;
  }

  function age(seconds) {
    if (seconds === null || seconds === undefined) return '';
    if (seconds < 60) return `${seconds.toFixed(1)} s`;
    if (seconds < 3600) return `${Math.round(seconds / 60)} min`;
    if (seconds < 86400) return `${Math.round(seconds / 3600)} h`;
    return `${Math.round(seconds / 86400)} d`;
  }

  function showStatus(status) {
    const upstream = status.upstream;
    $('state').textContent = upstream.state;
    $('base-url').textContent = upstream.base_url;
    $('proxy').textContent = upstream.proxy || 'none (direct)';
    $('weight').textContent = `${status.weight.used_1m} of ${status.weight.ceiling_1m} allowed (${status.weight.limit_1m} limit)`;
    const banner = $('banner');
    const message = BANNERS[upstream.state];
    banner.hidden = !message;
    banner.className = `banner ${upstream.state}`;
    banner.textContent = message ? message(upstream) : '';
  }

  function showPrices(prices) {
    const rows = prices.prices.map((row) => {
      const tr = document.createElement('tr');
      tr.dataset.symbol = row.symbol;
      tr.append(cell(row.symbol), cell(row.price, 'num'), sourceCell(prices.source), cell(age(prices.age_s), 'num'));
      return tr;
    });
    $('prices').tBodies[0].replaceChildren(...rows);
    $('prices-error').hidden = true;
  }

  function showBalance(balance) {
    const rows = balance.assets.map((asset) => {
      const tr = document.createElement('tr');
      tr.append(cell(asset.asset), cell(asset.amount, 'num'), cell(asset.price, 'num'), cell(asset.value_usdt, 'num'),
        sourceCell(asset.source));
      return tr;
    });
    $('balance').tBodies[0].replaceChildren(...rows);
    $('total').textContent = balance.total_usdt;
    $('balance-source').replaceChildren(sourceCell(balance.source).firstChild);
    $('balance-note').hidden = !balance.note;
    $('balance-note').textContent = balance.note || '';
  }

  function showError(id, err) {
    $(id).hidden = false;
    $(id).textContent = err.message;
  }

  async function refresh() {
    const [status, prices, balance] = await Promise.allSettled([
      getJson('/api/status'),
      getJson(`/api/binance/prices?symbols=${SYMBOLS.join(',')}`),
      getJson('/direct-api/binance/demo-balance'),
    ]);
    if (status.status === 'fulfilled') showStatus(status.value);
    if (prices.status === 'fulfilled') showPrices(prices.value); else showError('prices-error', prices.reason);
    if (balance.status === 'fulfilled') showBalance(balance.value); else showError('balance-note', balance.reason);
    $('updated').textContent = `updated ${new Date().toLocaleTimeString()}`;
    document.body.dataset.refreshed = String(Number(document.body.dataset.refreshed || 0) + 1);
  }

  refresh();
  setInterval(refresh, REFRESH_MS);
}());
