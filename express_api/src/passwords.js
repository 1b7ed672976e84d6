'use strict';
// Passwords: scrypt (node:crypto) at OWASP's recommended cost, parameters stored with
// each hash so older hashes keep verifying; compared in constant time. New passwords are
// 8-128 code points and not on a list of common passwords.
const crypto = require('node:crypto');
const { promisify } = require('node:util');
const { dictionary } = require('@zxcvbn-ts/language-common');

const scrypt = promisify(crypto.scrypt);
const OWASP = { N: 2 ** 17, r: 8, p: 1 }; // OWASP Password Storage Cheat Sheet
const LIMITS = { N: 2 ** 20, r: 32, p: 16 }; // a stored hash beyond these is corrupt, not computed
const KEY_LENGTH = 64;
const COMMON = new Set(dictionary['passwords-common']);
const PASSWORD_LENGTH = { min: 8, max: 128 }; // code points; the OpenAPI document says the same (src/openapi.js)

// scrypt needs 128 * N * r bytes; Node refuses above maxmem (32 MiB by default).
const maxmemFor = ({ N, r }) => 128 * N * r + 16 * 1024 * 1024;

function withinLimits(params) {
  return Object.entries(LIMITS).every(([name, max]) => Number.isInteger(params[name]) && params[name] >= 1 &&
    params[name] <= max) && (params.N & (params.N - 1)) === 0;
}

/** Why a new password is refused, or null: the password rules, for any way a password comes in (the
 * registration's body is checked against the document first, which says the same lengths). */
function passwordProblem(password) {
  const codePoints = [...password].length;
  if (codePoints < PASSWORD_LENGTH.min || codePoints > PASSWORD_LENGTH.max) {
    return ['invalid_password', `password must be ${PASSWORD_LENGTH.min}-${PASSWORD_LENGTH.max} characters`];
  }
  if (COMMON.has(password.toLowerCase())) {
    return ['common_password', 'that password is on a list of commonly used passwords; choose another'];
  }
  return null;
}

function createPasswords(params = OWASP) {
  const cost = { ...OWASP, ...params };

  async function hash(password) {
    const salt = crypto.randomBytes(16);
    const key = await scrypt(password.normalize('NFKC'), salt, KEY_LENGTH, { ...cost, maxmem: maxmemFor(cost) });
    return `scrypt$${cost.N}$${cost.r}$${cost.p}$${salt.toString('base64')}$${key.toString('base64')}`;
  }

  async function verify(password, stored) {
    const [scheme, N, r, p, salt, expected] = String(stored).split('$');
    const storedCost = { N: Number(N), r: Number(r), p: Number(p) };
    if (scheme !== 'scrypt' || !expected || !withinLimits(storedCost)) return false;
    const expectedKey = Buffer.from(expected, 'base64');
    const key = await scrypt(password.normalize('NFKC'), Buffer.from(salt, 'base64'), expectedKey.length,
      { ...storedCost, maxmem: maxmemFor(storedCost) });
    return crypto.timingSafeEqual(key, expectedKey);
  }

  // For unknown users: spend the same time as a real check, so timing does not tell who exists.
  let dummyHash;
  async function burnVerifyTime(password) {
    dummyHash = dummyHash || (await hash('not-a-real-password'));
    await verify(password, dummyHash);
    return false;
  }

  return { hash, verify, burnVerifyTime };
}

module.exports = { createPasswords, passwordProblem, OWASP, PASSWORD_LENGTH };
