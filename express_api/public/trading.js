'use strict';
// Trading on the dashboard, for a logged-in user: the order form checks an order against the
// symbol's filters (order/validate) before it can be placed, then places it once; the user's
// open orders and the futures positions. The token lives in this page's memory only.
(function trading() {
  const $ = (id) => document.getElementById(id);
  let token = null;
  // order/validate knows LIMIT, LIMIT_MAKER and MARKET; the others are checked as what they rest or fill as.
  const CHECKED_AS = { STOP_LOSS: 'MARKET', TAKE_PROFIT: 'MARKET', STOP_LOSS_LIMIT: 'LIMIT', TAKE_PROFIT_LIMIT: 'LIMIT' };
  const PRICED = ['LIMIT', 'LIMIT_MAKER', 'STOP_LOSS_LIMIT', 'TAKE_PROFIT_LIMIT'];
  const STOPPED = ['STOP_LOSS', 'STOP_LOSS_LIMIT', 'TAKE_PROFIT', 'TAKE_PROFIT_LIMIT'];
  const TIMED = ['LIMIT', 'STOP_LOSS_LIMIT', 'TAKE_PROFIT_LIMIT'];

  async function call(method, url, body) {
    const headers = { accept: 'application/json' };
    if (token) headers.authorization = `Bearer ${token}`;
    if (body) headers['content-type'] = 'application/json';
    const response = await fetch(url, { method, headers, body: body && JSON.stringify(body) });
    const payload = await response.json();
    return { status: response.status, ok: response.ok, body: payload };
  }

  function row(values) {
    const tr = document.createElement('tr');
    for (const [text, num] of values) {
      const td = document.createElement('td');
      td.textContent = text === null || text === undefined ? '' : String(text);
      if (num) td.className = 'num';
      tr.append(td);
    }
    return tr;
  }

  function order() {
    const type = $('o-type').value;
    const o = { symbol: $('o-symbol').value.trim(), side: $('o-side').value, type, quantity: $('o-quantity').value.trim() };
    if (PRICED.includes(type)) o.price = $('o-price').value.trim();
    if (STOPPED.includes(type)) o.stopPrice = $('o-stop').value.trim();
    if (TIMED.includes(type)) o.timeInForce = $('o-tif').value;
    return o;
  }

  async function check() {
    const o = order();
    const type = CHECKED_AS[o.type] || o.type;
    const price = type === 'MARKET' ? undefined : o.price;
    const answer = await call('POST', '/api/binance/order/validate',
      { symbol: o.symbol, side: o.side, type, quantity: o.quantity, price });
    const list = $('violations');
    list.replaceChildren();
    if (!answer.ok) {
      $('check-result').textContent = `Not valid: ${answer.body.error.message}`;
      $('place').disabled = true;
      return;
    }
    for (const v of answer.body.violations) {
      const li = document.createElement('li');
      li.textContent = `${v.filter}: ${v.message} (nearest valid ${v.nearest_valid})`;
      list.append(li);
    }
    $('check-result').textContent = answer.body.valid ? `Valid: notional ${answer.body.notional || 'at market'}`
      : 'Not valid: fix the fields below';
    $('check-result').className = answer.body.valid ? 'ok' : 'error';
    $('place').disabled = !answer.body.valid;
  }

  async function place(event) {
    event.preventDefault();
    $('place').disabled = true;
    const answer = await call('POST', '/direct-api/binance/orders', order());
    const body = answer.body;
    $('place-result').textContent = body.error ? `Not placed: ${body.error.message}`
      : `${body.outcome}: ${body.clientOrderId}${body.order ? ` (${body.order.status || 'accepted'})` : ''}`;
    $('place-result').className = body.error ? 'error' : 'ok';
    await refresh();
  }

  async function refresh() {
    const [open, positions] = await Promise.all([call('GET', '/direct-api/binance/open-orders'),
      call('GET', '/direct-api/binance/futures/positions')]);
    show(open, 'open-orders', (o) => [[o.clientOrderId], [o.symbol], [o.side], [o.type], [o.price, 1], [o.origQty, 1],
      [o.status]], 'orders');
    show(positions, 'positions', (p) => [[p.symbol], [p.side], [p.size, 1], [p.entryPrice, 1], [p.markPrice, 1],
      [p.unrealizedProfit, 1], [p.leverage, 1], [p.liquidationPrice, 1]], 'positions');
  }

  function show(answer, id, cells, key) {
    $(`${id}-error`).hidden = answer.ok;
    if (!answer.ok) {
      $(`${id}-error`).textContent = answer.body.error ? answer.body.error.message : `HTTP ${answer.status}`;
      return;
    }
    $(id).tBodies[0].replaceChildren(...answer.body[key].map((item) => row(cells(item))));
  }

  async function login(event) {
    event.preventDefault();
    const answer = await call('POST', '/api/auth/login',
      { username: $('login-username').value, password: $('login-password').value });
    $('login-error').hidden = answer.ok;
    if (!answer.ok) {
      $('login-error').textContent = answer.body.error.message;
      return;
    }
    token = answer.body.token;
    $('who').textContent = answer.body.user.username;
    $('login').hidden = true;
    $('trading-body').hidden = false;
    await refresh();
  }

  $('login').addEventListener('submit', login);
  $('check').addEventListener('click', check);
  $('order-form').addEventListener('submit', place);
  // Any edit invalidates the last check: the form must be checked again before it can be placed.
  $('order-form').addEventListener('input', () => { $('place').disabled = true; $('check-result').textContent = ''; });
}());
