'use strict';
// Refresh sessions (OWASP refresh token rotation with reuse detection), in the user store's database.
//
// A refresh token is `<family>.<secret>`: the family names one login (a browser's session) and stays
// the same through every rotation; the secret is 256 random bits, new at each rotation, and only its
// SHA-256 is stored. One row per family holds the hash of its current secret, so a token of that family
// whose secret is not the current one is a spent (rotated) token presented again: someone holds a copy,
// and the whole family is revoked (its row deleted) — the thief's copy and the owner's alike.
//
// Bounded: one row per family; a family expires REFRESH_TTL_S after its last rotation (rows past their
// expiry are pruned at every login and refresh); a user keeps at most MAX_FAMILIES_PER_USER families
// (the oldest is dropped at a new login); a deleted user's rows go with them (ON DELETE CASCADE).
const crypto = require('node:crypto');

const MAX_FAMILIES_PER_USER = 10;
const TOKEN = /^([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{43})$/;

const digest = (secret) => crypto.createHash('sha256').update(secret).digest();
const newSecret = () => crypto.randomBytes(32).toString('base64url'); // 43 characters

function statements(db) {
  return {
    insert: db.prepare(`INSERT INTO sessions (family, user_id, secret_hash, created_at, rotated_at, expires_at)
      VALUES (?, ?, ?, ?, ?, ?)`),
    byFamily: db.prepare('SELECT * FROM sessions WHERE family = ?'),
    rotate: db.prepare('UPDATE sessions SET secret_hash = ?, rotated_at = ?, expires_at = ? WHERE family = ?'),
    revokeFamily: db.prepare('DELETE FROM sessions WHERE family = ?'),
    revokeUser: db.prepare('DELETE FROM sessions WHERE user_id = ?'),
    prune: db.prepare('DELETE FROM sessions WHERE expires_at <= ?'),
    oldestBeyond: db.prepare(`DELETE FROM sessions WHERE user_id = ? AND family NOT IN
      (SELECT family FROM sessions WHERE user_id = ? ORDER BY created_at DESC, rowid DESC LIMIT ?)`),
    count: db.prepare('SELECT COUNT(*) AS n FROM sessions'),
  };
}

/** ttlS: a family's lifetime after its last rotation; clock: epoch milliseconds (injectable). */
function openSessionStore(db, { ttlS, clock = Date.now }) {
  db.exec(`CREATE TABLE IF NOT EXISTS sessions (
    family TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    secret_hash BLOB NOT NULL,
    created_at INTEGER NOT NULL,
    rotated_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
  )`);
  db.exec('CREATE INDEX IF NOT EXISTS sessions_by_user ON sessions (user_id)');
  const sql = statements(db);
  const ttlMs = ttlS * 1000;

  return {
    /** A new family for `userId` (a login): its first token. */
    start(userId) {
      const now = clock();
      sql.prune.run(now);
      const family = crypto.randomBytes(16).toString('base64url'); // 22 characters
      const secret = newSecret();
      sql.insert.run(family, userId, digest(secret), now, now, now + ttlMs);
      sql.oldestBeyond.run(userId, userId, MAX_FAMILIES_PER_USER);
      return `${family}.${secret}`;
    },
    /** Spends `token`: { status: 'rotated', userId, token } with the family's next token; 'reused' (a spent
     * token: the family is revoked) with its userId; or 'unknown' (malformed, expired, revoked, never ours). */
    rotate(token) {
      const now = clock();
      sql.prune.run(now);
      const [, family, secret] = TOKEN.exec(String(token)) || [];
      const row = family && sql.byFamily.get(family);
      if (!row) return { status: 'unknown' };
      if (!crypto.timingSafeEqual(digest(secret), row.secret_hash)) {
        sql.revokeFamily.run(family);
        return { status: 'reused', userId: row.user_id };
      }
      const next = newSecret();
      sql.rotate.run(digest(next), now, now + ttlMs, family);
      return { status: 'rotated', userId: row.user_id, token: `${family}.${next}` };
    },
    /** Logout: revokes the family `token` belongs to (whether or not it is the current one). */
    revoke(token) {
      const [, family] = TOKEN.exec(String(token)) || [];
      if (family) sql.revokeFamily.run(family);
    },
    /** Every family of the user (a password change, disabling). */
    revokeUser(userId) {
      sql.revokeUser.run(userId);
    },
    count: () => sql.count.get().n,
  };
}

module.exports = { openSessionStore, MAX_FAMILIES_PER_USER };
