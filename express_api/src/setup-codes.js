'use strict';
// The one-time setup code: while no admin exists, start-up logs a fresh code (src/bootstrap.js) that
// lets whoever can read the log create the first admin (POST /api/auth/setup). Valid once, for an hour,
// for this process only (a restart logs a new one). Kept as a digest, compared in constant time.
const crypto = require('node:crypto');

const TTL_MS = 3600 * 1000;
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ'; // Crockford's base32: no I, L, O, U to misread
const GROUPS = 3;
const GROUP_LENGTH = 4; // 12 characters of 5 bits: 60 random bits, against a rate-limited guesser

// Any case, with or without the dashes and spaces a person may copy along.
const normalized = (code) => String(code).toUpperCase().replace(/[\s-]/g, '');
const digest = (code) => crypto.createHash('sha256').update(normalized(code)).digest();

function randomCode() {
  const bytes = crypto.randomBytes(GROUPS * GROUP_LENGTH); // 256 is a multiple of 32: each character uniform
  const characters = [...bytes].map((byte) => ALPHABET[byte % ALPHABET.length]).join('');
  return characters.match(new RegExp(`.{${GROUP_LENGTH}}`, 'g')).join('-');
}

/** clock: epoch milliseconds (injectable, so a test can let a code expire). */
function createSetupCodes({ clock = Date.now, ttlMs = TTL_MS } = {}) {
  let current = null; // { digest, expiresAt }

  const valid = (code) => current !== null && clock() < current.expiresAt &&
    crypto.timingSafeEqual(digest(code), current.digest);

  return {
    /** A new code (any earlier one stops working): { code, expiresAt } (a Date). */
    issue() {
      const code = randomCode();
      current = { digest: digest(code), expiresAt: clock() + ttlMs };
      return { code, expiresAt: new Date(current.expiresAt) };
    },
    /** True when `code` is the current code and has not expired. */
    matches: (code) => valid(code),
    /** Spends the code: true once, for the current code before it expires. */
    consume(code) {
      if (!valid(code)) return false;
      current = null;
      return true;
    },
  };
}

module.exports = { createSetupCodes, TTL_MS };
