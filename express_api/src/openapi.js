'use strict';
// The OpenAPI 3 document of express_api, served at /api/openapi.json: its own
// routes, plus the public routes of python_service it forwards (their documents
// come from openapi/python_service.json, a copy kept current by a test).
const forwarded = require('../openapi/python_service.json');
const { PUBLIC_ROUTES } = require('./routes/forward');

const { PASSWORD_LENGTH } = require('./passwords');
const { ROLES } = require('./users');
const { CURSOR } = require('./services/audit');
const { MAX_SYMBOLS } = require('./watchlist-store');
const { ACCOUNT_STREAMS_PER_USER } = require('./middleware/stream-slots');

const ref = (name) => ({ $ref: `#/components/schemas/${name}` });
const json = (schema, description = 'OK') => ({ description, content: { 'application/json': { schema } } });
const error = (description) => json(ref('Error'), description);
const obj = (required, properties) => ({ type: 'object', required, properties });
// The error code a request breaking this schema is answered with (src/errors.js); the nearest one to the
// broken rule counts, and without one it is invalid_parameter. An OpenAPI extension: validators ignore it.
const code = (errorCode, schema) => ({ ...schema, 'x-error-code': errorCode });
const jsonBody = (schema) => ({ required: true, content: { 'application/json': { schema } } });
const GATEWAY_DOWN = { 502: error('python_service unreachable'), 503: error('python_service timeout, or no data') };
const RATE_LIMITED = { 429: error('Too many attempts from this address (or, for login, for this username)') };
const BODY_ERRORS = { 413: error('Body larger than 10 kB (payload_too_large)'),
  415: error('Not a JSON body (unsupported_media_type), or an unsupported charset or encoding') };
const FORWARD_ERRORS = { ...GATEWAY_DOWN, 400: error('Invalid input, or a path with dot segments'),
  429: error('Too many requests from this address') };
const BEARER = [{ bearerAuth: [] }];
const NO_CONTENT = { description: 'Done (no body)' };

// Who may call an operation: x-role (none, viewer, trader, admin; each role includes the ones before),
// said in words in its description too. The routers enforce it (requireRole, src/middleware/auth.js);
// test/roles.test.js and tests/test_roles_matrix.py check every route against it.
const ROLE_WORDS = {
  none: 'Role: none (public).',
  viewer: 'Role: viewer (any logged-in user whose account is enabled: viewer, trader or admin).',
  trader: 'Role: trader (trader or admin).',
  admin: 'Role: admin.',
};
const UNAUTHORIZED = 'No valid Bearer token (unauthorized; also a token issued before a password change), '
  + 'or the user is disabled (account_disabled)';

/** The operation for `role`: x-role, its words, the Bearer scheme and the 401 and 403 it may answer. */
function allowed(role, operation) {
  const responses = { ...operation.responses };
  if (role !== 'none') responses[401] = error(UNAUTHORIZED);
  if (role === 'trader' || role === 'admin') {
    const forbidden = `The user's role does not include ${role} (forbidden)`;
    const other = operation.responses[403];
    responses[403] = other ? { ...other, description: `${forbidden}; or ${other.description}` } : error(forbidden);
  }
  return { ...operation, description: [ROLE_WORDS[role], operation.description].filter(Boolean).join(' '),
    'x-role': role, ...(role === 'none' ? {} : { security: BEARER }), responses };
}

const username = code('invalid_username', { type: 'string', pattern: '^[A-Za-z0-9_.-]{3,32}$',
  description: '3-32 of A-Z a-z 0-9 _ . - (unique in any case)' });
const password = code('invalid_password', { type: 'string', minLength: PASSWORD_LENGTH.min, maxLength: PASSWORD_LENGTH.max,
  description: `${PASSWORD_LENGTH.min}-${PASSWORD_LENGTH.max} characters (code points), not on a list of common `
    + 'passwords (400 common_password)' });
const role = code('invalid_role', { type: 'string', enum: ROLES,
  description: 'viewer: sees the account; trader: also places and cancels orders; admin: also users, risk limits, audit' });
const credentials = obj(['username', 'password'], { username, password });
const loginCredentials = code('invalid_credentials_format', obj(['username', 'password'], {
  username: { type: 'string' }, password: { type: 'string' } }));
const usernameInPath = [{ name: 'username', in: 'path', required: true, schema: username,
  description: 'The user (any case)' }];
const SET_COOKIES = { 'Set-Cookie': { schema: { type: 'string' }, description: 'The refresh cookie `refresh` '
  + '(httpOnly, SameSite=Strict, Path=/api/auth, Secure over TLS, Max-Age REFRESH_TTL_S) and, at a login, a device '
  + 'cookie `device` (httpOnly, Path=/api/auth): later logins of this user from this browser get past the '
  + 'per-username limit' } };
const session = (description) => ({ ...json(ref('Session'), description), headers: SET_COOKIES });
const AUTH_SCHEMAS = {
  User: obj(['id', 'username', 'role', 'disabled', 'created_at'], { id: { type: 'integer' },
    username: { type: 'string' }, role: { type: 'string', enum: ROLES }, disabled: { type: 'boolean' },
    created_at: { type: 'string', format: 'date-time' } }),
  UserAnswer: obj(['user'], { user: ref('User') }),
  Session: obj(['token', 'token_type', 'expires_in', 'expires_at', 'user'], {
    token: { type: 'string', description: 'The access token (JWT): send it as `Authorization: Bearer <token>`' },
    token_type: { type: 'string', enum: ['Bearer'] },
    expires_in: { type: 'integer', description: 'Seconds (TOKEN_TTL_S); POST /api/auth/refresh gets the next one' },
    expires_at: { type: 'string', format: 'date-time' }, user: ref('User') }),
};

// Orders: the words as python_service accepts them (its document's Placement); decimals as strings,
// so that nothing is rounded on the way (a JSON number is a double in JavaScript).
const placement = forwarded.components.schemas.Placement.properties;
const decimal = { type: 'string', pattern: '^[0-9]{1,20}(\\.[0-9]{1,18})?$', example: '0.001',
  description: 'A decimal as a string (at most 20 digits before the point, 18 after): a JSON number could lose digits' };
const symbol = code('invalid_symbol', placement.symbol);
const userOrderId = code('invalid_client_order_id', { type: 'string', pattern: '^[A-Za-z0-9_-]{1,24}$' });
const orderBody = obj(['symbol', 'side', 'type'], {
  symbol, side: placement.side, type: placement.type, timeInForce: placement.timeInForce,
  newOrderRespType: placement.newOrderRespType,
  quantity: decimal, quoteOrderQty: decimal, price: decimal, stopPrice: decimal,
  clientOrderId: { ...userOrderId,
    description: 'Yours to repeat a placement safely: the same id never places a second order' } });
const futuresPlacement = forwarded.components.schemas.FuturesPlacement.properties;
const futuresOrderBody = obj(['symbol', 'side', 'type'], {
  symbol, side: futuresPlacement.side, type: futuresPlacement.type, timeInForce: futuresPlacement.timeInForce,
  newOrderRespType: futuresPlacement.newOrderRespType, quantity: decimal, price: decimal, stopPrice: decimal,
  reduceOnly: { type: 'boolean', description: 'It may only shrink a position (never held to the notional limit)' },
  clientOrderId: { ...userOrderId,
    description: 'Yours to repeat a placement safely: the same id never places a second order' } });
/** The order fields passed on to python_service (clientOrderId goes as the user's Binance id). */
const ORDER_FIELDS = Object.keys(orderBody.properties).filter((name) => name !== 'clientOrderId');
const FUTURES_ORDER_FIELDS = Object.keys(futuresOrderBody.properties).filter((name) => name !== 'clientOrderId');
const ids = {
  clientOrderId: { type: 'string', description: 'Your id of the order: the one you sent, or the one generated for you' },
  binanceClientOrderId: { type: 'string',
    description: 'The id Binance holds for the order: u<your user id>-<clientOrderId>, so users never collide' } };
const userOrder = { ...obj(['clientOrderId', 'binanceClientOrderId'], { ...ids,
  symbol: { type: 'string' }, orderId: { type: 'integer' }, status: { type: 'string' }, side: { type: 'string' },
  type: { type: 'string' }, timeInForce: { type: 'string' }, price: { type: 'string' }, origQty: { type: 'string' },
  executedQty: { type: 'string' }, cummulativeQuoteQty: { type: 'string' }, stopPrice: { type: 'string' },
  time: { type: 'integer' }, updateTime: { type: 'integer' }, transactTime: { type: 'integer' } }),
description: "Binance's record of one of your orders, Binance's field names kept; clientOrderId is yours" };
const anyValue = { description: 'Any JSON value' };
const nullableDecimal = { type: 'string', nullable: true, description: 'A decimal as a string' };
const LIMIT_NAMES = ['max_order_notional', 'max_orders_per_min', 'allowed_symbols', 'max_leverage', 'trading_halted'];
const refusalError = obj(['code', 'message'], { code: { type: 'string' }, message: { type: 'string' },
  limit: { type: 'string', description: `risk_limit: the limit that refused (${LIMIT_NAMES.join(', ')})` },
  value: { ...anyValue, description: "risk_limit: that limit's value in force" },
  limits: { type: 'array', items: { type: 'string' },
    description: 'looser_than_ceiling: the limits asked looser than the settings allow' },
  ceilings: { ...forwarded.components.schemas.RiskLimits.properties.ceilings,
    description: "looser_than_ceiling: the settings' ceilings (each limit's loosest allowed value)" },
  clientOrderId: { type: 'string', description: 'A refused placement: your id of the order' },
  binanceClientOrderId: { type: 'string', description: 'A refused placement: the id Binance would have held' },
  upstream: forwarded.components.schemas.Error.properties.error.properties.upstream });
const provenanceProperties = forwarded.components.schemas.Provenance.properties;
const auditEntry = forwarded.components.schemas.AuditEntry;
const accountOrder = { ...obj(['clientOrderId', 'binanceClientOrderId', 'placed_by', 'mine'], {
  ...userOrder.properties,
  clientOrderId: { type: 'string', description: 'Your id of the order when it is yours (mine), else the id Binance holds' },
  binanceClientOrderId: { type: 'string', description: 'The id Binance holds: cancel another\'s order by it (admins, '
    + 'DELETE /direct-api/binance/orders/{symbol}/{binanceClientOrderId}?scope=account)' },
  placed_by: { type: 'string', nullable: true,
    description: 'The user who placed it through express_api; null for an order from elsewhere (a bot, Binance\'s site)' },
  mine: { type: 'boolean', description: 'Placed by you' } }),
description: "One of the account's orders, Binance's field names kept" };
const SCHEMAS = {
  ...AUTH_SCHEMAS,
  Refusal: { ...obj(['error'], { error: refusalError }),
    description: 'The error shape; a risk limit\'s refusal (403 risk_limit) names the limit and its value' },
  AccountOrder: accountOrder,
  AccountOrderList: obj(['orders', 'count'], { orders: { type: 'array', items: ref('AccountOrder') },
    count: { type: 'integer' } }),
  Portfolio: obj(['spot', 'futures', 'total_usdt', 'errors'], {
    spot: { type: 'object', nullable: true, required: ['balances', 'count', 'total_usdt', 'unpriced', 'source', 'as_of'],
      properties: { ...forwarded.components.schemas.Balances.properties, ...provenanceProperties },
      description: "python_service's GET /api/binance/account: the spot balances that are not zero, valued in USDT; "
        + 'null when it could not be read (errors.spot says why)' },
    futures: { type: 'object', nullable: true, required: ['account', 'positions'], properties: {
      account: ref('FuturesWallet'),
      positions: { type: 'array', items: ref('FuturesPosition'), description: 'Non-zero positions' } },
    description: 'null when the futures account could not be read (errors.futures says why: trading_disabled when '
        + "python_service's TRADING_ENABLED is false)" },
    total_usdt: { type: 'string', nullable: true, description: "The spot total plus the futures totalMarginBalance; "
      + 'null unless both are known' },
    errors: { type: 'object', properties: { spot: refusalError, futures: refusalError },
      description: 'Why a part is null, in the error shape' } }),
  AuditLogEntry: obj([...auditEntry.required, 'source'], { ...auditEntry.properties,
    source: { type: 'string', enum: ['python_service', 'express_api'],
      description: "python_service: placements, cancels, leverage and risk limit changes (users and bots); express_api: "
        + 'users created, changed, deleted and unlocked, the setup code used, risk changes asked, spent refresh tokens '
        + 'presented again' } }),
  AuditLog: obj(['entries', 'count', 'next_before', 'errors'], {
    entries: { type: 'array', items: ref('AuditLogEntry') }, count: { type: 'integer' },
    next_before: { type: 'string', nullable: true, description: 'The cursor of the next (older) page: pass it as '
      + '`before`; null after the last page' },
    errors: { type: 'object', properties: { python_service: refusalError },
      description: "python_service's log could not be read: express_api's entries alone, and why" } }),
  UserOrder: userOrder,
  UserOrderPlacement: obj(['outcome', 'clientOrderId', 'binanceClientOrderId'], { ...ids,
    outcome: { type: 'string', enum: ['placed', 'unknown'] }, order: ref('UserOrder'), replayed: { type: 'boolean' },
    conditional: { type: 'boolean', description: 'USDT-M: held by Binance\'s Algo Order API until it triggers' },
    recovered: { type: 'boolean' }, retry_after_s: { type: 'number', nullable: true } }),
  UserOrderAtBinance: obj(['clientOrderId', 'binanceClientOrderId', 'order'], { ...ids, order: ref('UserOrder'),
    conditional: { type: 'boolean', description: 'USDT-M: an order of Binance\'s Algo Order API (its record\'s fields: '
      + 'algoId, clientAlgoId, algoStatus, triggerPrice...)' },
    journal: { type: 'string', nullable: true, description: "python_service's journal state of the order, if it placed it" },
    placed_by: { type: 'string', nullable: true, description: 'scope=account: the user who placed it through '
      + 'express_api, else null' } }),
  UserOrderList: obj(['orders', 'count'], { orders: { type: 'array', items: ref('UserOrder') }, count: { type: 'integer' } }),
  UserOrderHistory: obj(['orders', 'count'], { count: { type: 'integer' }, orders: { type: 'array', items: obj(
    ['id', 'clientOrderId', 'binanceClientOrderId', 'market', 'symbol', 'outcome', 'created_at', 'status', 'fills'], {
      ...ids, id: { type: 'integer' },
      clientOrderId: { type: 'string', description: 'Your id of the order; for a position\'s close, the id '
        + 'python_service gave it (gw-...)' },
      market: { type: 'string', enum: ['spot', 'futures'] },
      conditional: { type: 'boolean', description: 'A USDT-M STOP_MARKET or TAKE_PROFIT_MARKET (Binance\'s Algo '
        + 'Order API: statuses NEW, TRIGGERED, FINISHED, CANCELED...)' },
      symbol: { type: 'string' }, request: { type: 'object' }, http_status: { type: 'integer', nullable: true },
      outcome: { type: 'string', enum: ['placed', 'unknown', 'rejected', 'invalid', 'not_placed', 'canceled'],
        description: 'What came of the placement through express_api (canceled: cancelled through express_api)' },
      response: { type: 'object', nullable: true }, created_at: { type: 'string', format: 'date-time' },
      updated_at: { type: 'string', format: 'date-time' },
      orderId: { type: 'integer', nullable: true, description: "Binance's orderId (a conditional order's algoId)" },
      status: { type: 'string', nullable: true, description: "Binance's status of the order as last told (the "
        + 'placement\'s answer, the account\'s events, a reconciliation): NEW, PARTIALLY_FILLED, FILLED, CANCELED, '
        + 'EXPIRED, REJECTED...; never goes backwards; null until Binance has told one' },
      executedQty: { type: 'string', nullable: true }, cumulativeQuote: { type: 'string', nullable: true },
      status_time: { type: 'integer', nullable: true, description: "Binance's time of that status (ms)" },
      fills: { type: 'array', items: ref('OrderFill'), description: 'Its fills, each once (by tradeId), oldest first' },
    }) } }),
  OrderFill: obj(['tradeId', 'price', 'qty', 'maker'], { tradeId: { type: 'integer' }, price: { type: 'string' },
    qty: { type: 'string' }, commission: { type: 'string', nullable: true },
    commissionAsset: { type: 'string', nullable: true }, maker: { type: 'boolean' },
    time: { type: 'integer', nullable: true, description: "Binance's time of the fill (ms)" } }),
  Watchlist: obj(['symbols'], { symbols: { type: 'array', items: { type: 'string' } } }),
  FuturesWallet: { type: 'object', description: "The USDT-M wallet (python_service's GET /api/binance/futures/account), "
    + 'amounts in USDT as decimal strings', properties: {
    ...Object.fromEntries(['totalWalletBalance', 'totalUnrealizedProfit', 'totalMarginBalance', 'availableBalance',
      'maxWithdrawAmount', 'totalInitialMargin', 'totalMaintMargin'].map((name) => [name, nullableDecimal])),
    assets: { type: 'array', items: { type: 'object', properties: { asset: { type: 'string' },
      ...Object.fromEntries(['walletBalance', 'unrealizedProfit', 'marginBalance', 'availableBalance']
        .map((name) => [name, nullableDecimal])) } } } } },
  FuturesPosition: { ...obj(['symbol', 'positionAmt'], { symbol: { type: 'string' },
    side: { type: 'string', enum: ['LONG', 'SHORT'] }, size: { type: 'string', description: 'The amount without its sign' },
    positionAmt: { type: 'string', description: 'Signed: negative for a short' }, entryPrice: nullableDecimal,
    markPrice: nullableDecimal, unrealizedProfit: nullableDecimal, liquidationPrice: nullableDecimal,
    notional: nullableDecimal, leverage: { type: 'integer', nullable: true, description: "The symbol's initial leverage" },
    positionSide: { type: 'string', nullable: true } }),
  description: "A non-zero USDT-M position (python_service's names: unrealizedProfit, not Binance's unRealizedProfit)" },
  Leverage: obj(['symbol', 'leverage'], { symbol: { type: 'string' }, leverage: { type: 'integer' },
    maxNotionalValue: { type: 'string', description: 'The largest position value at that leverage' } }),
  UserStreams: { type: 'object', description: 'The `user_streams` event of the account stream: each user data '
    + "stream's state", properties: { spot: { type: 'string' }, futures: { type: 'string' } },
  additionalProperties: { type: 'string' },
  example: { spot: 'up', futures: 'reconciling' } },
};
const REFUSED = json(ref('Refusal'), 'Trading is disabled on python_service (trading_disabled), or a risk limit '
  + 'refuses (risk_limit, with limit and value; nothing was sent to Binance)');
const ORDER_ERRORS = { 400: error('Invalid order, broken filters (violations), or rejected by Binance'),
  403: REFUSED, 409: error('clientOrderId already used for a different order'),
  429: error('Too many orders from this user'), ...BODY_ERRORS, ...GATEWAY_DOWN };
const ONE_ORDER_ERRORS = { 400: error('Invalid symbol or clientOrderId (1-24 of A-Z a-z 0-9 _ -)'),
  403: REFUSED, 404: error('You have no such order on that symbol (another user\'s orders are never found)'),
  405: error('Method not allowed'), ...GATEWAY_DOWN };
const symbolInPath = { name: 'symbol', in: 'path', required: true, schema: symbol };
const oneOrderPath = [symbolInPath,
  { name: 'clientOrderId', in: 'path', required: true, description: 'Your id of the order (clientOrderId at placement)',
    schema: userOrderId }];
const cancelPath = [symbolInPath,
  { name: 'clientOrderId', in: 'path', required: true, schema: code('invalid_client_order_id',
    { type: 'string', pattern: '^[.A-Za-z0-9:_-]{1,36}$' }),
  description: 'Your id of the order (1-24 of A-Z a-z 0-9 _ -); with scope=account, the id Binance holds '
    + '(binanceClientOrderId in open-orders)' },
  { name: 'scope', in: 'query', required: false, schema: { type: 'string', enum: ['own', 'account'], default: 'own' },
    description: 'own: one of your orders, by your id; account (admins only, else 403 forbidden): any of the '
      + "account's orders, by the id Binance holds" }];
const symbolQuery = (required) => ({ name: 'symbol', in: 'query', required, schema: symbol });

// USDT-M futures: the spot order routes' rules (ids, ownership, scope=account, the history), plus a position's
// close and the leverage; reading is for viewers, the rest for traders.
const FUTURES = '/direct-api/binance/futures';
function futuresPaths() {
  const riskNote = 'python_service records it in its audit log under your username (X-Gateway-User).';
  return {
    [`${FUTURES}/orders`]: { post: allowed('trader', {
      summary: 'Place a USDT-M order once (MARKET, LIMIT, STOP_MARKET, TAKE_PROFIT_MARKET; reduceOnly); recorded in '
        + 'the user store (market futures)',
      description: `STOP_MARKET and TAKE_PROFIT_MARKET wait in Binance's Algo Order API (conditional: true). ${riskNote}`,
      requestBody: jsonBody(futuresOrderBody),
      responses: { 200: json(ref('UserOrderPlacement'), 'Already placed: the journalled order'),
        201: json(ref('UserOrderPlacement'), 'Placed'),
        202: json(ref('UserOrderPlacement'), 'Unknown for now: repeat with the same clientOrderId after Retry-After'),
        ...ORDER_ERRORS } }) },
    [`${FUTURES}/orders/{symbol}/{clientOrderId}`]: {
      get: allowed('viewer', { summary: "One of the user's USDT-M orders (a conditional one too), as Binance has it now",
        parameters: oneOrderPath, responses: { 200: json(ref('UserOrderAtBinance')), ...ONE_ORDER_ERRORS } }),
      delete: allowed('trader', { summary: "Cancel one of the user's open USDT-M orders (conditional ones too; never "
        + "retried); an admin any of the account's (scope=account)", parameters: cancelPath,
      description: `A trader cancels only their own orders. ${riskNote}`,
      responses: { 200: json(ref('UserOrderAtBinance'), 'Canceled: Binance\'s answer to the cancel'),
        ...ONE_ORDER_ERRORS } }) },
    [`${FUTURES}/open-orders`]: { get: allowed('viewer', {
      summary: "The account's open USDT-M orders, the conditional ones waiting included (conditional: true), whoever "
        + 'placed them: each with placed_by and mine', parameters: [symbolQuery(false)],
      responses: { 200: json(ref('AccountOrderList')), 400: error('Invalid symbol'), 403: error('Trading is disabled'),
        ...GATEWAY_DOWN } }) },
    [`${FUTURES}/positions/{symbol}/close`]: { post: allowed('trader', {
      summary: 'Close the whole position on a symbol: a reduce-only MARKET order python_service places once, recorded '
        + 'in the user store under the id it gave it (gw-...)',
      description: riskNote, parameters: [symbolInPath],
      responses: { 200: json(ref('UserOrderPlacement'), 'Already placed: the journalled order'),
        201: json(ref('UserOrderPlacement'), 'Placed'),
        202: json(ref('UserOrderPlacement'), 'Unknown for now: read the positions before closing again'),
        400: error('Invalid symbol, or rejected by Binance'), 403: REFUSED,
        404: error('No open position on the symbol (no_position)'), 429: error('Too many orders from this user'),
        ...GATEWAY_DOWN } }) },
    [`${FUTURES}/leverage`]: { post: allowed('trader', { summary: "Set a symbol's USDT-M initial leverage",
      description: `Over RISK_MAX_LEVERAGE (or an admin's max_leverage): 403 risk_limit with limit and value. ${riskNote}`,
      requestBody: jsonBody(obj(['symbol', 'leverage'], { symbol,
        leverage: { type: 'integer', minimum: 1, maximum: 125 } })),
      responses: { 200: json(ref('Leverage'), "Binance's answer"),
        400: error('Invalid symbol or leverage, or rejected by Binance (leverage_rejected)'), 403: REFUSED,
        ...BODY_ERRORS, ...GATEWAY_DOWN } }) },
    [`${FUTURES}/account`]: { get: allowed('viewer', { summary: 'The USDT-M wallet of the account: wallet, available '
      + 'balance, margin, unrealized profit, assets',
    responses: { 200: json(ref('FuturesWallet')), 403: error('Trading is disabled'), ...GATEWAY_DOWN } }) },
    [`${FUTURES}/positions`]: { get: allowed('viewer', { summary: 'USDT-M futures positions of the account',
      responses: { 200: json(obj(['positions', 'count'], { positions: { type: 'array', items: ref('FuturesPosition') },
        count: { type: 'integer' } })), 403: error('Trading is disabled'), ...GATEWAY_DOWN } }) },
  };
}

const own = {
  '/direct-api/binance/orders': {
    post: allowed('trader', { summary: 'Place an order once (python_service journals it); recorded in the user store',
      description: 'python_service records the placement in its audit log under your username (X-Gateway-User).',
      requestBody: jsonBody(orderBody),
      responses: { 200: json(ref('UserOrderPlacement'), 'Already placed: the journalled order'),
        201: json(ref('UserOrderPlacement'), 'Placed'),
        202: json(ref('UserOrderPlacement'), 'Unknown for now: repeat with the same clientOrderId after Retry-After'),
        ...ORDER_ERRORS } }),
    get: allowed('viewer', { summary: "The user's own orders, newest first (a cancel through this API shows as outcome canceled)",
      responses: { 200: json(ref('UserOrderHistory')) } }) },
  '/direct-api/binance/orders/{symbol}/{clientOrderId}': {
    get: allowed('viewer', { summary: "One of the user's orders, as Binance has it now", parameters: oneOrderPath,
      responses: { 200: json(ref('UserOrderAtBinance')), ...ONE_ORDER_ERRORS } }),
    delete: allowed('trader', { summary: "Cancel one of the user's open orders at Binance (never retried); an admin "
      + "any of the account's (scope=account)", parameters: cancelPath,
    description: 'A trader cancels only their own orders. python_service records the cancel under your username.',
    responses: { 200: json(ref('UserOrderAtBinance'), 'Canceled: Binance\'s answer to the cancel'),
      ...ONE_ORDER_ERRORS } }) },
  '/direct-api/binance/open-orders': { get: allowed('viewer', {
    summary: "The account's open orders, whoever placed them (users, bots): each says who placed it through "
      + 'express_api (placed_by) and whether it is yours (mine)', parameters: [symbolQuery(false)],
    responses: { 200: json(ref('AccountOrderList')), 400: error('Invalid symbol'), 403: error('Trading is disabled'),
      ...GATEWAY_DOWN } }) },
  ...futuresPaths(),
  '/direct-api/binance/stream/account': { get: allowed('viewer', {
    summary: "The account's events as server-sent events, piped on from python_service as they come",
    description: '`user_streams` first ({spot, futures}: up, reconciling, connecting, down, not_started...) and again '
      + 'when one changes; then `account` events (python_service\'s AccountEvent): an order update with its fill, a '
      + 'balance change, a position change, a margin call. python_service ends a stream after a few minutes '
      + '(EventSource reconnects). HEAD: the headers only, nothing subscribed. At most '
      + `${ACCOUNT_STREAMS_PER_USER} open at once per user.`,
    responses: { 200: { description: 'text/event-stream', content: { 'text/event-stream': { schema: { type: 'string' } } } },
      429: error(`This user has ${ACCOUNT_STREAMS_PER_USER} account streams open (too_many_streams), or python_service `
        + 'has its maximum of streams for this client (too_many_subscriptions)'),
      ...GATEWAY_DOWN, 503: error('No keys on python_service (keys_not_configured), its streams are off '
        + '(streams_disabled), it has no room for another stream (subscriptions_full), or python_service timeout') } }) },
  '/direct-api/watchlist': {
    get: allowed('viewer', { summary: "The user's watchlist (a new user's: BTCUSDT, ETHUSDT, BNBUSDT, SOLUSDT, XRPUSDT)",
      responses: { 200: json(ref('Watchlist')) } }),
    put: allowed('viewer', { summary: "Replace the user's watchlist: the symbols upper-cased, duplicates dropped (the "
      + 'first kept in place); the list as saved',
    requestBody: jsonBody(obj(['symbols'], { symbols: code('invalid_watchlist', { type: 'array',
      maxItems: MAX_SYMBOLS, items: symbol,
      description: `At most ${MAX_SYMBOLS} symbols (letters and digits of any script and -_., 1-50 after NFC)` }) })),
    responses: { 200: json(ref('Watchlist')), 400: error('Not a list of at most 100 (invalid_watchlist), or a '
      + 'symbol that breaks the symbol rule (invalid_symbol)'), ...BODY_ERRORS } }) },
  '/direct-api/binance/portfolio': { get: allowed('viewer', {
    summary: "The configured account: spot balances and the futures wallet and positions, valued in USDT",
    description: 'One part failing (futures unreachable, or trading disabled on python_service) does not hide the '
      + 'other: it is null, and errors says why. 503 keys_not_configured when python_service has no keys (the client '
      + 'shows the demo balance then).',
    responses: { 200: json(ref('Portfolio')), 429: error("python_service's weight share for this client is spent"),
      ...GATEWAY_DOWN, 503: error('No keys on python_service (keys_not_configured), python_service timeout, or '
        + 'Binance unavailable for both parts') } }) },
  '/direct-api/binance/fills': { get: allowed('viewer', { summary: "The account's recent fills on one symbol",
    parameters: [symbolQuery(true), { name: 'limit', in: 'query', required: false,
      schema: { type: 'integer', minimum: 1, maximum: 1000, default: 50 } }],
    responses: { 200: json({ allOf: [ref('Fills'), ref('Provenance')] }), 400: error('Invalid symbol or limit'),
      429: error("python_service's weight share for this client is spent"), ...GATEWAY_DOWN,
      503: error('No keys on python_service (keys_not_configured), python_service timeout, or Binance unavailable') } }) },
  '/direct-api/binance/risk': {
    get: allowed('viewer', { summary: 'The risk limits in force, the settings\' ceilings and the admin\'s limits',
      responses: { 200: json(ref('RiskLimits')), ...GATEWAY_DOWN } }),
    put: allowed('admin', { summary: "Set the admin's limits (they replace the previous ones; each null or absent: "
      + 'no limit of its own); never looser than the settings',
    description: "Passed to python_service under the admin's name (X-Gateway-User); recorded in both audit logs.",
    requestBody: jsonBody(ref('Limits')),
    responses: { 200: json(ref('RiskLimits')), 400: json(ref('Refusal'), 'Malformed limits (invalid_parameter), or '
      + 'looser than a setting allows (looser_than_ceiling, with limits and ceilings)'), ...BODY_ERRORS,
    ...GATEWAY_DOWN } }) },
  '/direct-api/binance/audit': { get: allowed('admin', {
    summary: "The audit log, newest first: python_service's (placements, cancels, leverage, risk changes) and "
      + "express_api's (admin actions), merged by time",
    parameters: [{ name: 'limit', in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: 500,
      default: 100 } }, { name: 'before', in: 'query', required: false, description: 'next_before of the previous page',
      schema: { type: 'string', pattern: CURSOR.source } }],
    responses: { 200: json(ref('AuditLog')), 400: error('Invalid limit or before') } }) },
  '/': { get: allowed('none', { summary: 'The React trading client (HTML); its other pages are served the same index.html',
    responses: { 200: { description: 'The client', content: { 'text/html': { schema: { type: 'string' } } } },
      503: error('The client is not built (client_not_built)') } }) },
  '/api/auth/register': { post: allowed('none', {
    summary: 'Create a user, as a viewer (REGISTRATION=open only)', requestBody: jsonBody(credentials),
    responses: { 201: json(ref('UserAnswer'), 'Created'), 400: error('Invalid username, password or JSON'),
      403: error('Registration is closed (registration_closed): an admin creates users'),
      409: error('Username taken'), ...BODY_ERRORS, ...RATE_LIMITED } }) },
  '/api/auth/login': { post: allowed('none', {
    summary: 'Log in: an access token (Bearer) with its expiry, and a refresh cookie',
    requestBody: jsonBody(loginCredentials),
    responses: { 200: session('Logged in'), 400: error('Malformed request'),
      401: error('Unknown username or wrong password (invalid_credentials), or the account is disabled (account_disabled)'),
      ...BODY_ERRORS, ...RATE_LIMITED } }) },
  '/api/auth/refresh': { post: allowed('none', {
    summary: 'A new access token for the refresh cookie; the cookie rotates (the one sent is spent)',
    description: 'Needs the refresh cookie and a header X-Requested-With (any value). A spent cookie sent again ends '
      + 'every session of that login (401 refresh_token_reused): someone else holds a copy.',
    parameters: [{ name: 'X-Requested-With', in: 'header', required: false, schema: { type: 'string' },
      description: 'Required (403 csrf_header_missing without it): another site\'s page cannot send it' }],
    responses: { 200: session('Refreshed: the rotated cookie in Set-Cookie'),
      401: error('No refresh cookie (refresh_cookie_missing); expired, logged out or revoked (invalid_refresh); '
        + 'a spent one (refresh_token_reused); the cookie is cleared'),
      403: error('No X-Requested-With header (csrf_header_missing)') } }) },
  '/api/auth/logout': { post: allowed('none', {
    summary: "Log out: the refresh cookie's sessions revoked and the cookie cleared (also without a cookie)",
    responses: { 204: { ...NO_CONTENT, headers: SET_COOKIES } } }) },
  '/api/auth/me': { get: allowed('viewer', { summary: 'The logged-in user', responses: { 200: json(ref('UserAnswer')) } }) },
  '/api/auth/setup': {
    get: allowed('none', { summary: 'Whether the first admin is still to be made (no enabled admin exists)',
      responses: { 200: json(obj(['needed'], { needed: { type: 'boolean' } })) } }),
    post: allowed('none', { summary: 'Make the first admin with the one-time setup code from express_api\'s log; '
      + 'logged in as by login',
    requestBody: jsonBody(obj(['code', 'username', 'password'], {
      code: code('invalid_setup_code', { type: 'string', maxLength: 64,
        description: 'The code start-up logged (any case; dashes optional); valid once, for an hour' }),
      username, password })),
    responses: { 201: session('The first admin, logged in'), 400: error('Invalid username or password'),
      403: error('An admin exists (setup_not_needed), or a wrong, used or expired code (invalid_setup_code)'),
      409: error('Username taken'), ...BODY_ERRORS, ...RATE_LIMITED } }) },
  '/api/auth/users': {
    get: allowed('admin', { summary: 'Every user', responses: { 200: json(obj(['users'], {
      users: { type: 'array', items: ref('User') } })) } }),
    post: allowed('admin', { summary: 'Create a user with a role',
      requestBody: jsonBody(obj(['username', 'password', 'role'], { username, password, role })),
      responses: { 201: json(ref('UserAnswer'), 'Created'), 400: error('Invalid username, password or role'),
        409: error('Username taken (username_taken)'), ...BODY_ERRORS } }) },
  '/api/auth/users/{username}': {
    patch: allowed('admin', { summary: 'Change a user\'s role, password or disabled flag',
      description: 'A new password or disabling ends the user\'s sessions (refresh cookies and access tokens); a new '
        + 'password also lifts the username\'s login lockout. Never leaves the deployment without an enabled admin.',
      parameters: usernameInPath,
      requestBody: jsonBody({ type: 'object', minProperties: 1, additionalProperties: false,
        properties: { role, password, disabled: { type: 'boolean' } } }),
      responses: { 200: json(ref('UserAnswer')), 400: error('Invalid role or password, or nothing to change'),
        404: error('No such user (unknown_user)'),
        409: error('That would leave no enabled admin (last_admin)'), ...BODY_ERRORS } }),
    delete: allowed('admin', { summary: 'Delete a user, their sessions and their order history',
      description: 'Their placements stay in python_service\'s audit log. Never the last enabled admin.',
      parameters: usernameInPath,
      responses: { 204: NO_CONTENT, 400: error('Invalid username'), 404: error('No such user (unknown_user)'),
        409: error('That would leave no enabled admin (last_admin)') } }) },
  '/api/auth/users/{username}/unlock': { post: allowed('admin', {
    summary: 'Lift the username\'s login lockout (failed logins counted against it) at once',
    parameters: usernameInPath,
    responses: { 204: NO_CONTENT, 400: error('Invalid username'), 404: error('No such user (unknown_user)') } }) },
  '/direct-api/binance/demo-balance': { get: allowed('none', { summary: 'Demo portfolio valued in USDT at current prices',
    responses: { 200: json(obj(['assets', 'total_usdt', 'source', 'as_of', 'prices_are_current'], {
      assets: { type: 'array', items: obj(['asset', 'amount', 'price', 'value_usdt', 'source'], {
        asset: { type: 'string' }, amount: { type: 'string' }, price: { type: 'string' },
        value_usdt: { type: 'string' }, source: { type: 'string' }, as_of: { type: 'string', nullable: true } }) },
      total_usdt: { type: 'string' }, source: forwarded.components.schemas.Provenance.properties.source,
      as_of: { type: 'string' }, prices_are_current: { type: 'boolean' }, note: { type: 'string', nullable: true } })),
    400: error('python_service refused the symbols'), 404: error('A symbol of the portfolio is unknown'),
    ...GATEWAY_DOWN } }) },
  '/direct-api/binance/connection-test': { get: allowed('viewer', { summary: 'Authenticated check of the connection to Binance',
    responses: { 200: json(obj(['ok', 'reachable', 'restricted', 'authenticated'], {
      ok: { type: 'boolean' }, reachable: { type: 'boolean' }, restricted: { type: 'boolean' },
      authenticated: { type: 'boolean' }, keys_configured: { type: 'boolean', nullable: true },
      testnet: { type: 'boolean', nullable: true, description: "python_service's BINANCE_TESTNET: true on Binance's "
        + 'testnet, false on the live exchange (real money); null when python_service could not say' },
      can_trade: { type: 'boolean', nullable: true }, state: { type: 'string', nullable: true },
      latency_ms: { type: 'number', nullable: true }, permissions: { type: 'array', items: { type: 'string' } },
      error: { type: 'string', nullable: true } })) } }) },
};

// An operation that calls python_service (it may answer 502) may also meet python_service's own limit on
// express_api as its client (its weight share, or bytes a second), passed on as 429 unless the operation
// names a 429 of its own.
const PYTHON_LIMITED = error("python_service's limit for this client is spent (its weight share, or bytes a "
  + 'second): try again shortly');
function withPythonLimit(paths) {
  return Object.fromEntries(Object.entries(paths).map(([path, ops]) => [path, Object.fromEntries(
    Object.entries(ops).map(([method, op]) => [method, op.responses?.[502] && !op.responses[429]
      ? { ...op, responses: { ...op.responses, 429: PYTHON_LIMITED } } : op]))]));
}

const pick = (object, keys) => Object.fromEntries(keys.filter((k) => k in object).map((k) => [k, object[k]]));

function forwardedPaths() {
  const paths = {};
  for (const [method, route] of PUBLIC_ROUTES) {
    const path = route.replace(/:(\w+)/g, '{$1}');
    const op = forwarded.paths[path][method.toLowerCase()];
    paths[path] = { ...paths[path], [method.toLowerCase()]: allowed('none', { ...op,
      summary: `${op.summary} (forwarded to python_service)`,
      responses: { ...op.responses, ...FORWARD_ERRORS, ...pick(op.responses, ['400']) } }) };
  }
  return paths;
}

function document() {
  return {
    openapi: '3.0.3',
    info: { title: 'Binance gateway: express_api', version: require('../package.json').version,
      description: 'The React client\'s one origin: users and sessions, the account (by role), orders, the demo '
        + 'balance, the connection test, and python_service\'s public routes. Each operation names the role it needs '
        + '(x-role: none, viewer, trader, admin; each role includes the ones before).' },
    paths: {
      ...withPythonLimit(own),
      '/api/openapi.json': { get: allowed('none', { summary: 'This document', responses: { 200: json({ type: 'object' }) } }) },
      '/metrics': { get: allowed('none', { summary: 'Prometheus metrics', responses: {
        200: { description: 'Prometheus text format', content: { 'text/plain': { schema: { type: 'string' } } } } } }) },
      ...forwardedPaths(),
    },
    components: {
      schemas: { ...forwarded.components.schemas, ...SCHEMAS },
      securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
    },
  };
}

module.exports = { document, ORDER_FIELDS, FUTURES_ORDER_FIELDS };
