'use strict';
// The OpenAPI 3 document of express_api, served at /api/openapi.json: its own
// routes, plus the public routes of python_service it forwards (their documents
// come from openapi/python_service.json, a copy kept current by a test).
const forwarded = require('../openapi/python_service.json');
const { PUBLIC_ROUTES } = require('./routes/forward');

const { PASSWORD_LENGTH } = require('./passwords');

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

const credentials = obj(['username', 'password'], {
  username: code('invalid_username', { type: 'string', pattern: '^[A-Za-z0-9_.-]{3,32}$',
    description: '3-32 of A-Z a-z 0-9 _ . - (unique in any case)' }),
  password: code('invalid_password', { type: 'string', minLength: PASSWORD_LENGTH.min, maxLength: PASSWORD_LENGTH.max,
    description: `${PASSWORD_LENGTH.min}-${PASSWORD_LENGTH.max} characters (code points), not on a list of common `
      + 'passwords (400 common_password)' }),
});
const loginCredentials = code('invalid_credentials_format', obj(['username', 'password'], {
  username: { type: 'string' }, password: { type: 'string' } }));
const user = obj(['user'], { user: obj(['id', 'username', 'created_at'], {
  id: { type: 'integer' }, username: { type: 'string' }, created_at: { type: 'string', format: 'date-time' } }) });

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
/** The order fields passed on to python_service (clientOrderId goes as the user's Binance id). */
const ORDER_FIELDS = Object.keys(orderBody.properties).filter((name) => name !== 'clientOrderId');
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
const SCHEMAS = {
  UserOrder: userOrder,
  UserOrderPlacement: obj(['outcome', 'clientOrderId', 'binanceClientOrderId'], { ...ids,
    outcome: { type: 'string', enum: ['placed', 'unknown'] }, order: ref('UserOrder'), replayed: { type: 'boolean' },
    recovered: { type: 'boolean' }, retry_after_s: { type: 'number', nullable: true } }),
  UserOrderAtBinance: obj(['clientOrderId', 'binanceClientOrderId', 'order'], { ...ids, order: ref('UserOrder'),
    journal: { type: 'string', nullable: true, description: "python_service's journal state of the order, if it placed it" } }),
  UserOrderList: obj(['orders', 'count'], { orders: { type: 'array', items: ref('UserOrder') }, count: { type: 'integer' } }),
  UserOrderHistory: obj(['orders', 'count'], { count: { type: 'integer' }, orders: { type: 'array', items: obj(
    ['id', 'clientOrderId', 'binanceClientOrderId', 'symbol', 'outcome', 'created_at'], { ...ids, id: { type: 'integer' },
      symbol: { type: 'string' }, request: { type: 'object' }, http_status: { type: 'integer', nullable: true },
      outcome: { type: 'string', enum: ['placed', 'unknown', 'rejected', 'invalid', 'not_placed', 'canceled'] },
      response: { type: 'object', nullable: true }, created_at: { type: 'string', format: 'date-time' },
      updated_at: { type: 'string', format: 'date-time' } }) } }),
};
const ORDER_ERRORS = { 400: error('Invalid order, broken filters (violations), or rejected by Binance'),
  401: error('No valid Bearer token'), 403: error('Trading is disabled on python_service'),
  409: error('clientOrderId already used for a different order'),
  429: error('Too many orders from this user'), ...BODY_ERRORS, ...GATEWAY_DOWN };
const ONE_ORDER_ERRORS = { 400: error('Invalid symbol or clientOrderId (1-24 of A-Z a-z 0-9 _ -)'),
  401: error('No valid Bearer token'), 403: error('Trading is disabled on python_service'),
  404: error('You have no such order on that symbol (another user\'s orders are never found)'),
  405: error('Method not allowed'), ...GATEWAY_DOWN };
const listOf = (name) => json(obj([name, 'count'], { [name]: { type: 'array', items: { type: 'object' } },
  count: { type: 'integer' } }));
const oneOrderPath = [{ name: 'symbol', in: 'path', required: true, schema: symbol },
  { name: 'clientOrderId', in: 'path', required: true, description: 'Your id of the order (clientOrderId at placement)',
    schema: userOrderId }];

const own = {
  '/direct-api/binance/orders': {
    post: { summary: 'Place an order once (python_service journals it); recorded in the user store', security: BEARER,
      requestBody: jsonBody(orderBody),
      responses: { 200: json(ref('UserOrderPlacement'), 'Already placed: the journalled order'),
        201: json(ref('UserOrderPlacement'), 'Placed'),
        202: json(ref('UserOrderPlacement'), 'Unknown for now: repeat with the same clientOrderId after Retry-After'),
        ...ORDER_ERRORS } },
    get: { summary: "The user's own orders, newest first (a cancel through this API shows as outcome canceled)",
      security: BEARER, responses: { 200: json(ref('UserOrderHistory')), 401: error('No valid Bearer token') } } },
  '/direct-api/binance/orders/{symbol}/{clientOrderId}': {
    get: { summary: "One of the user's orders, as Binance has it now", security: BEARER, parameters: oneOrderPath,
      responses: { 200: json(ref('UserOrderAtBinance')), ...ONE_ORDER_ERRORS } },
    delete: { summary: "Cancel one of the user's open orders at Binance (never retried)", security: BEARER,
      parameters: oneOrderPath,
      responses: { 200: json(ref('UserOrderAtBinance'), 'Canceled: Binance\'s answer to the cancel'),
        ...ONE_ORDER_ERRORS } } },
  '/direct-api/binance/open-orders': { get: { summary: "The user's open orders at Binance", security: BEARER,
    responses: { 200: json(ref('UserOrderList')), 401: error('No valid Bearer token'), 403: error('Trading is disabled'),
      ...GATEWAY_DOWN } } },
  '/direct-api/binance/futures/positions': { get: { summary: 'USDT-M futures positions of the account',
    security: BEARER, responses: { 200: listOf('positions'), 401: error('No valid Bearer token'),
      403: error('Trading is disabled'), ...GATEWAY_DOWN } } },
  '/': { get: { summary: 'The React trading client (HTML); its other pages are served the same index.html',
    responses: { 200: { description: 'The client', content: { 'text/html': { schema: { type: 'string' } } } },
      503: error('The client is not built (client_not_built)') } } },
  '/api/auth/register': { post: {
    summary: 'Create a user', requestBody: jsonBody(credentials),
    responses: { 201: json(user, 'Created'), 400: error('Invalid username, password or JSON'),
      409: error('Username taken'), ...BODY_ERRORS, ...RATE_LIMITED } } },
  '/api/auth/login': { post: {
    summary: 'Log in: a Bearer token with its expiry',
    requestBody: jsonBody(loginCredentials),
    responses: { 200: { ...json(obj(['token', 'token_type', 'expires_in', 'expires_at', 'user'], {
      token: { type: 'string' }, token_type: { type: 'string', enum: ['Bearer'] }, expires_in: { type: 'integer' },
      expires_at: { type: 'string', format: 'date-time' }, user: { type: 'object' } })),
    headers: { 'Set-Cookie': { schema: { type: 'string' }, description: 'A device cookie (httpOnly, Path=/api/auth): '
      + 'later logins of this user from this browser get past the per-username limit' } } },
    400: error('Malformed request'), 401: error('Unknown username or wrong password'), ...BODY_ERRORS,
    ...RATE_LIMITED } } },
  '/api/auth/me': { get: { summary: 'The logged-in user', security: BEARER,
    responses: { 200: json(user), 401: error('No valid Bearer token') } } },
  '/direct-api/binance/demo-balance': { get: { summary: 'Demo portfolio valued in USDT at current prices',
    responses: { 200: json(obj(['assets', 'total_usdt', 'source', 'as_of', 'prices_are_current'], {
      assets: { type: 'array', items: obj(['asset', 'amount', 'price', 'value_usdt', 'source'], {
        asset: { type: 'string' }, amount: { type: 'string' }, price: { type: 'string' },
        value_usdt: { type: 'string' }, source: { type: 'string' }, as_of: { type: 'string', nullable: true } }) },
      total_usdt: { type: 'string' }, source: forwarded.components.schemas.Provenance.properties.source,
      as_of: { type: 'string' }, prices_are_current: { type: 'boolean' }, note: { type: 'string', nullable: true } })),
    400: error('python_service refused the symbols'), 404: error('A symbol of the portfolio is unknown'),
    ...GATEWAY_DOWN } } },
  '/direct-api/binance/connection-test': { get: { summary: 'Authenticated check of the connection to Binance',
    security: BEARER, responses: { 200: json(obj(['ok', 'reachable', 'restricted', 'authenticated'], {
      ok: { type: 'boolean' }, reachable: { type: 'boolean' }, restricted: { type: 'boolean' },
      authenticated: { type: 'boolean' }, keys_configured: { type: 'boolean', nullable: true },
      latency_ms: { type: 'number', nullable: true }, permissions: { type: 'array', items: { type: 'string' } },
      error: { type: 'string', nullable: true } })), 401: error('No valid Bearer token') } } },
};

const pick = (object, keys) => Object.fromEntries(keys.filter((k) => k in object).map((k) => [k, object[k]]));

function forwardedPaths() {
  const paths = {};
  for (const [method, route] of PUBLIC_ROUTES) {
    const path = route.replace(/:(\w+)/g, '{$1}');
    const op = forwarded.paths[path][method.toLowerCase()];
    paths[path] = { ...paths[path], [method.toLowerCase()]: { ...op, summary: `${op.summary} (forwarded to python_service)`,
      responses: { ...op.responses, ...FORWARD_ERRORS, ...pick(op.responses, ['400']) } } };
  }
  return paths;
}

function document() {
  return {
    openapi: '3.0.3',
    info: { title: 'Binance gateway: express_api', version: require('../package.json').version,
      description: 'The React client\'s one origin: users, demo balance, connection test, and python_service\'s routes.' },
    paths: {
      ...own,
      '/api/openapi.json': { get: { summary: 'This document', responses: { 200: json({ type: 'object' }) } } },
      '/metrics': { get: { summary: 'Prometheus metrics', responses: {
        200: { description: 'Prometheus text format', content: { 'text/plain': { schema: { type: 'string' } } } } } } },
      ...forwardedPaths(),
    },
    components: {
      schemas: { ...forwarded.components.schemas, ...SCHEMAS },
      securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
    },
  };
}

module.exports = { document, ORDER_FIELDS };
