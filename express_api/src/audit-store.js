'use strict';
// express_api's own audit log, in the user store's database: what admins did (users created, changed,
// deleted, unlocked; the setup code used; risk limit changes asked of python_service) and what happened
// to sessions that matters (a spent refresh token presented again). The columns are python_service's
// (python_service/sourcing/audit_log.py), so the two logs merge into one (src/services/audit.js).
//
// Append-only: SQLite triggers refuse any UPDATE or DELETE of a row. Nothing secret is ever written
// (no password, hash, token, cookie or setup code): callers pass names, roles and flags only.

const COLUMNS = ['id', 'at', 'actor', 'action', 'market', 'symbol', 'decision', 'outcome', 'attempt_id', 'detail'];
const MAX_PAGE = 500;

function openAuditStore(db, { clock = Date.now } = {}) {
  db.exec(`CREATE TABLE IF NOT EXISTS audit (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at REAL NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    market TEXT,
    symbol TEXT,
    decision TEXT,
    outcome TEXT,
    attempt_id INTEGER,
    detail TEXT NOT NULL
  );
  CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON audit
  BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
  CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON audit
  BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;`);
  const insert = db.prepare(`INSERT INTO audit (at, actor, action, outcome, detail) VALUES (?, ?, ?, ?, ?)`);
  const page = db.prepare(`SELECT ${COLUMNS.join(', ')} FROM audit WHERE id < ? ORDER BY id DESC LIMIT ?`);

  return {
    /** One row: actor `user:<name>` (or `system`), an action, its outcome and detail (no secrets). */
    append({ actor, action, outcome = null, detail = {} }) {
      return insert.run(clock() / 1000, actor, action, outcome, JSON.stringify(detail)).lastInsertRowid;
    },
    /** The newest rows first, older than id `before` when given (the next page). */
    rows(limit = 100, before = null) {
      const found = page.all(before ?? Number.MAX_SAFE_INTEGER, Math.max(1, Math.min(limit, MAX_PAGE)));
      return found.map((row) => ({ ...row, detail: JSON.parse(row.detail) }));
    },
  };
}

/** The actor of a row written for a user's request. */
const actorOf = (user) => `user:${user.username}`;

module.exports = { openAuditStore, actorOf };
