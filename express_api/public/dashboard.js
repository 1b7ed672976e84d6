'use strict';
// The status dashboard: upstream state (with a banner when something is wrong),
// prices with their source and age, the demo balance and a candlestick chart.
// Prices and candles arrive as server-sent events (the gateway pushes each change);
// the periodic refresh polls prices only while that event stream is not open.
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

  function priceRow(symbol, price, source, ageS) {
    const tr = document.createElement('tr');
    tr.dataset.symbol = symbol;
    tr.append(cell(symbol), cell(price, 'num'), sourceCell(source), cell(age(ageS), 'num'));
    return tr;
  }

  function showPrices(prices) {
    const rows = prices.prices.map((row) => priceRow(row.symbol, row.price, prices.source, prices.age_s));
    $('prices').tBodies[0].replaceChildren(...rows);
    $('prices-error').hidden = true;
  }

  // One pushed price: its row is replaced (or added, in the order of SYMBOLS).
  function showPushedPrice(event) {
    const ageS = Math.max(0, (Date.now() - Date.parse(event.as_of)) / 1000);
    const tbody = $('prices').tBodies[0];
    const row = priceRow(event.symbol, event.price, event.source, ageS);
    const old = tbody.querySelector(`tr[data-symbol="${event.symbol}"]`);
    if (old) old.replaceWith(row);
    else {
      const after = [...tbody.rows].find((tr) => SYMBOLS.indexOf(tr.dataset.symbol) > SYMBOLS.indexOf(event.symbol));
      tbody.insertBefore(row, after || null);
    }
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

  let pushOpen = false; // while the price event stream is open, prices are not polled

  async function refreshBalance() {
    try {
      showBalance(await getJson('/direct-api/binance/demo-balance'));
    } catch (err) {
      showError('balance-note', err);
    }
  }

  // A pushed price of a held asset revalues the balance (server-side, exact decimals), at most every 300 ms.
  let balanceTimer = null;
  function balanceSoon() {
    if (!balanceTimer) balanceTimer = setTimeout(() => { balanceTimer = null; refreshBalance(); }, 300);
  }

  async function refresh() {
    const [status, prices] = await Promise.allSettled([
      getJson('/api/status'),
      pushOpen ? Promise.resolve(null) : getJson(`/api/binance/prices?symbols=${SYMBOLS.join(',')}`),
      refreshBalance(),
    ]);
    if (status.status === 'fulfilled') showStatus(status.value);
    if (prices.status === 'fulfilled') { if (prices.value) showPrices(prices.value); } else showError('prices-error', prices.reason);
    $('updated').textContent = `updated ${new Date().toLocaleTimeString()}`;
    document.body.dataset.refreshed = String(Number(document.body.dataset.refreshed || 0) + 1);
  }

  function pushPrices() {
    if (!window.EventSource) return;
    const source = new EventSource(`/api/binance/stream/prices?symbols=${SYMBOLS.join(',')}`);
    source.onopen = () => { pushOpen = true; document.body.dataset.push = 'open'; };
    source.onerror = () => { pushOpen = false; document.body.dataset.push = 'closed'; }; // it reconnects by itself
    source.addEventListener('price', (message) => {
      const event = JSON.parse(message.data);
      showPushedPrice(event);
      balanceSoon();
    });
  }

  // ----- the chart: candles from klines, then each update of the newest candle pushed -----
  const chart = { api: null, series: null, events: null };

  function toBar(candle) {
    return { time: Math.floor(candle.open_time / 1000), open: Number(candle.open), high: Number(candle.high),
      low: Number(candle.low), close: Number(candle.close) };
  }

  async function loadChart() {
    const symbol = $('chart-symbol').value;
    const interval = $('chart-interval').value;
    if (chart.events) chart.events.close();
    try {
      const klines = await getJson(`/api/binance/klines?symbol=${symbol}&interval=${interval}&limit=200`);
      chart.series.setData(klines.candles.map(toBar));
      chart.api.timeScale().fitContent();
      $('chart').dataset.candles = String(klines.candles.length);
      $('chart').dataset.close = klines.candles.length ? klines.candles[klines.candles.length - 1].close : '';
      $('chart-source').textContent = `${klines.source}`;
      $('chart-error').hidden = true;
    } catch (err) {
      showError('chart-error', err);
    }
    if (!window.EventSource) return;
    chart.events = new EventSource(`/api/binance/stream/klines?symbol=${symbol}&interval=${interval}`);
    chart.events.addEventListener('candle', (message) => {
      const candle = JSON.parse(message.data);
      try {
        chart.series.update(toBar(candle));
      } catch { // an older candle than the chart's last: reload
        loadChart();
        return;
      }
      $('chart').dataset.close = candle.close;
      $('chart-source').textContent = candle.source;
    });
  }

  function startChart() {
    if (!window.LightweightCharts) {
      showError('chart-error', new Error('the chart library did not load'));
      return;
    }
    for (const symbol of SYMBOLS) $('chart-symbol').append(new Option(symbol, symbol));
    chart.api = LightweightCharts.createChart($('chart'), { autoSize: true, timeScale: { timeVisible: true } });
    chart.series = chart.api.addSeries(LightweightCharts.CandlestickSeries, {});
    $('chart-symbol').addEventListener('change', loadChart);
    $('chart-interval').addEventListener('change', loadChart);
    loadChart();
  }

  refresh();
  setInterval(refresh, REFRESH_MS);
  pushPrices();
  startChart();
}());
