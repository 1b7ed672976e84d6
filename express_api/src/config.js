'use strict';
// Settings from the environment (and .env), validated once at start-up.
const crypto = require('node:crypto');
const net = require('node:net');
const path = require('node:path');
const { ConfigError } = require('./errors');
const { passwordProblem } = require('./passwords');
const { USERNAME } = require('./users');

function integer(env, name, fallback, { min = 0, max = Number.MAX_SAFE_INTEGER } = {}) {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name} must be an integer between ${min} and ${max}, not ${JSON.stringify(raw)}`);
  }
  return value;
}

function url(env, name, fallback) {
  const raw = (env[name] || '').trim() || fallback;
  let parsed;
  try {
    parsed = new URL(raw);
  } catch {
    throw new ConfigError(`${name} is not a valid URL: ${JSON.stringify(maskUserinfo(raw))}`);
  }
  if (!['http:', 'https:'].includes(parsed.protocol)) {
    throw new ConfigError(`${name} must be an http:// or https:// URL, not ${JSON.stringify(maskUserinfo(raw))}`);
  }
  return raw.replace(/\/+$/, '');
}

// A URL as it may be shown: any user name and password replaced by *** (they may hold a key). All
// before the last '@' but the scheme is replaced: a password may hold spaces, '@' or '/', and the URL
// parser skips tabs and line breaks and reads '\' (or nothing) as the '//' of http(s).
function maskUserinfo(text) {
  return String(text).replace(/^([a-z][a-z0-9+.-]*:(?:\/\/)?)?[\s\S]*@/i, '$1***@');
}

const TRUST_PROXY_NAMES = ['loopback', 'linklocal', 'uniquelocal'];

function isAddressOrSubnet(item) {
  if (TRUST_PROXY_NAMES.includes(item)) return true;
  const [address, prefix, extra] = item.split('/');
  const family = net.isIP(address);
  if (!family || extra !== undefined) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
}

// Express's 'trust proxy': false (the socket address), true, a hop count, or addresses and subnets.
function trustProxy(env) {
  const raw = (env.TRUST_PROXY || '').trim();
  if (raw === '' || raw === 'false') return false;
  if (raw === 'true') return true;
  if (/^\d+$/.test(raw)) return Number(raw);
  const items = raw.split(',').map((item) => item.trim());
  if (!items.every(isAddressOrSubnet)) {
    throw new ConfigError('TRUST_PROXY must be false, true, a hop count, or a comma list of addresses, subnets ' +
      `(10.0.0.0/8) and loopback/linklocal/uniquelocal, not ${JSON.stringify(raw)}`);
  }
  return items;
}

// A weak JWT_SECRET lets anyone forge tokens; its value is never put in the message.
function jwtSecret(env, warn) {
  const secret = (env.JWT_SECRET || '').trim();
  if (!secret) {
    warn('JWT_SECRET is not set: using a random secret for this start; tokens will not survive a restart');
    return crypto.randomBytes(32).toString('hex');
  }
  if (secret.length < 32 || new Set(secret).size === 1) {
    throw new ConfigError('JWT_SECRET must be at least 32 characters and not one character repeated');
  }
  return secret;
}

function oneOf(env, name, allowed, fallback) {
  const raw = (env[name] || '').trim().toLowerCase() || fallback;
  if (!allowed.includes(raw)) throw new ConfigError(`${name} must be one of ${allowed.join(', ')}, not ${JSON.stringify(env[name])}`);
  return raw;
}

// The first admin, created at start when missing (src/bootstrap.js). Both or neither; the password must
// pass the password rules, and is never put in a message.
function firstAdmin(env) {
  const username = (env.ADMIN_USERNAME || '').trim();
  const password = env.ADMIN_PASSWORD || '';
  if (!username && !password) return null;
  if (!username || !password) {
    throw new ConfigError(`${username ? 'ADMIN_PASSWORD' : 'ADMIN_USERNAME'} must be set too when `
      + `${username ? 'ADMIN_USERNAME' : 'ADMIN_PASSWORD'} is set (the first admin needs both)`);
  }
  if (!USERNAME.test(username)) throw new ConfigError('ADMIN_USERNAME must be 3-32 of A-Z a-z 0-9 _ . -');
  const problem = passwordProblem(password);
  if (problem) throw new ConfigError(`ADMIN_PASSWORD does not meet the password rules: ${problem[1]}`);
  return { username, password };
}

function loadConfig(env = process.env, { warn = (msg) => console.warn(msg) } = {}) {
  const origins = (env.CORS_ORIGINS || 'http://localhost:3000').split(',').map((o) => o.trim()).filter(Boolean);
  return {
    port: integer(env, 'PORT', 5000, { min: 0, max: 65535 }),
    // unset: python_service on this host, at GATEWAY_PORT (default 5001), as `make run` starts it
    pythonServiceUrl: url(env, 'PYTHON_SERVICE_URL',
      `http://127.0.0.1:${integer(env, 'GATEWAY_PORT', 5001, { min: 1, max: 65535 })}`),
    pythonServiceTimeoutMs: integer(env, 'PYTHON_SERVICE_TIMEOUT_MS', 3000, { min: 1 }),
    forwardTimeoutMs: integer(env, 'FORWARD_TIMEOUT_MS', 20000, { min: 1 }),
    jwtSecret: jwtSecret(env, warn),
    trustProxy: trustProxy(env),
    forwardRateLimitPerMin: integer(env, 'FORWARD_RATE_LIMIT_PER_MIN', 600, { min: 1 }),
    tokenTtlS: integer(env, 'TOKEN_TTL_S', 900, { min: 1 }),
    refreshTtlS: integer(env, 'REFRESH_TTL_S', 30 * 24 * 3600, { min: 60 }),
    registration: oneOf(env, 'REGISTRATION', ['open', 'closed'], 'closed'),
    firstAdmin: firstAdmin(env),
    databasePath: (env.DATABASE_PATH || '').trim() || path.join(__dirname, '..', '..', 'var', 'users.sqlite'),
    internalApiToken: (env.INTERNAL_API_TOKEN || '').trim() || null,
    corsOrigins: origins,
    authRateLimit: integer(env, 'AUTH_RATE_LIMIT', 20, { min: 1 }),
    orderRateLimitPerMin: integer(env, 'ORDER_RATE_LIMIT_PER_MIN', 30, { min: 1 }),
    authRateWindowMs: integer(env, 'AUTH_RATE_WINDOW_S', 900, { min: 1 }) * 1000,
    demoPortfolioFile: (env.DEMO_PORTFOLIO_FILE || '').trim() || null,
    // one background subscription to python_service's account events keeps the order histories current
    accountFollow: oneOf(env, 'ACCOUNT_FOLLOW', ['true', 'false'], 'true') === 'true',
    logLevel: (env.LOG_LEVEL || 'info').trim(),
    // the React client's build (client/, `npm run build`), served at /
    clientDistDir: (env.CLIENT_DIST_DIR || '').trim() || path.join(__dirname, '..', '..', 'client', 'dist'),
  };
}

module.exports = { loadConfig, ConfigError };
