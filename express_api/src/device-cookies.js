'use strict';
// Device cookies (OWASP "Slow Down Online Guessing Attacks with Device Cookies"): a browser that has
// logged in as a user holds `<username>,<nonce>,<hmac>`, which lets it past that username's lockout.
const crypto = require('node:crypto');

const NAME = 'device';
const MAX_AGE_MS = 180 * 24 * 3600 * 1000;
const MAX_LENGTH = 200; // a username of 32, a nonce and a MAC are far shorter; longer is not ours

/** The raw value of the first cookie called `name` in the request's Cookie header, or null. */
function readCookie(req, name) {
  for (const pair of String(req.get('cookie') || '').split(';')) {
    const eq = pair.indexOf('=');
    if (eq > 0 && pair.slice(0, eq).trim() === name) return pair.slice(eq + 1).trim();
  }
  return null;
}

function decoded(raw) {
  try {
    return decodeURIComponent(raw);
  } catch {
    return null;
  }
}

function createDeviceCookies({ secret }) {
  // A key of its own, so a device-cookie MAC can never stand in for a token signature.
  const key = Buffer.from(crypto.hkdfSync('sha256', secret, '', 'express_api device cookie', 32));
  const mac = (payload) => crypto.createHmac('sha256', key).update(payload).digest('base64url');

  /** The nonce when `value` is a cookie we issued for `username` (any case), else null. */
  function nonceIn(value, username) {
    const [owner, nonce, signature, extra] = value.split(',');
    if (extra !== undefined || !owner || !nonce || !signature) return null;
    if (owner.toLowerCase() !== username.toLowerCase()) return null;
    // compared as text: decoding base64 would skip stray characters, so a changed cookie could still pass
    const expected = Buffer.from(mac(`${owner},${nonce}`));
    const given = Buffer.from(signature);
    return given.length === expected.length && crypto.timingSafeEqual(given, expected) ? nonce : null;
  }

  return {
    /** Gives the browser a new device cookie for `username` (after a successful login). */
    issue(req, res, username) {
      const nonce = crypto.randomBytes(16).toString('base64url');
      const payload = `${username},${nonce}`;
      res.cookie(NAME, `${payload},${mac(payload)}`, {
        httpOnly: true, sameSite: 'strict', path: '/api/auth', secure: req.secure, maxAge: MAX_AGE_MS,
      });
    },
    /** The nonce of the request's device cookie when it is valid for `username`; null otherwise. */
    nonceFor(req, username) {
      const raw = readCookie(req, NAME);
      if (typeof username !== 'string' || !raw || raw.length > MAX_LENGTH) return null;
      const value = decoded(raw);
      return value ? nonceIn(value, username) : null;
    },
  };
}

module.exports = { createDeviceCookies, readCookie };
