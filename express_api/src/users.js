'use strict';
// The user store: SQLite (better-sqlite3) at DATABASE_PATH; ':memory:' in tests. Users have a role
// (viewer < trader < admin, each including the one before) and may be disabled; usernames are unique
// in any case. The same database holds the users' orders (src/order-store.js), their refresh sessions
// (src/session-store.js) and express_api's audit log (src/audit-store.js).
const fs = require('node:fs');
const path = require('node:path');
const Database = require('better-sqlite3');

const ROLES = ['viewer', 'trader', 'admin'];
const USERNAME = /^[A-Za-z0-9_.-]{3,32}$/; // the document says the same (src/openapi.js); python_service trusts it

/** True when `role` includes `needed` (admin includes trader, trader includes viewer). */
const hasRole = (role, needed) => ROLES.indexOf(role) >= ROLES.indexOf(needed) && ROLES.includes(needed);

// Password hashes are secrets: the file is the owner's alone, from its first byte on.
// SQLite gives its -wal and -shm files the database file's permissions.
function createPrivateFile(databasePath) {
  fs.mkdirSync(path.dirname(databasePath), { recursive: true, mode: 0o700 });
  fs.closeSync(fs.openSync(databasePath, 'a', 0o600));
  fs.chmodSync(databasePath, 0o600);
}

// Columns added since the first version of the table: a store from before roles gets them, its users
// as viewers (an admin then comes from ADMIN_USERNAME or the setup code).
const ADDED_COLUMNS = {
  role: "TEXT NOT NULL DEFAULT 'viewer' CHECK (role IN ('viewer', 'trader', 'admin'))",
  disabled: 'INTEGER NOT NULL DEFAULT 0',
  // access tokens carry the version they were issued at (claim ver); a password change or disabling
  // raises it, so every token issued before stops working (src/middleware/auth.js)
  token_version: 'INTEGER NOT NULL DEFAULT 0',
};

function migrate(db) {
  db.exec(`CREATE TABLE IF NOT EXISTS users (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    username TEXT NOT NULL UNIQUE COLLATE NOCASE,
    password_hash TEXT NOT NULL,
    created_at TEXT NOT NULL
  )`);
  const present = new Set(db.pragma('table_info(users)').map((column) => column.name));
  for (const [name, definition] of Object.entries(ADDED_COLUMNS)) {
    if (!present.has(name)) db.exec(`ALTER TABLE users ADD COLUMN ${name} ${definition}`);
  }
}

function statements(db) {
  return {
    insert: db.prepare('INSERT INTO users (username, password_hash, created_at, role) VALUES (?, ?, ?, ?)'),
    byName: db.prepare('SELECT * FROM users WHERE username = ?'),
    byId: db.prepare('SELECT * FROM users WHERE id = ?'),
    all: db.prepare('SELECT * FROM users ORDER BY id'),
    enabledAdmins: db.prepare("SELECT COUNT(*) AS n FROM users WHERE role = 'admin' AND disabled = 0"),
    remove: db.prepare('DELETE FROM users WHERE id = ?'),
  };
}

// AUTOINCREMENT: an id is never reused, so a deleted user's u<id>- order ids never name someone else's.
function openUserStore(databasePath) {
  if (databasePath !== ':memory:') createPrivateFile(databasePath);
  const db = new Database(databasePath);
  db.pragma('journal_mode = WAL');
  migrate(db);
  const sql = statements(db);

  return {
    /** Returns the new user, or null when the username is taken (in any case). */
    create(username, passwordHash, role = 'viewer') {
      try {
        const info = sql.insert.run(username, passwordHash, new Date().toISOString(), role);
        return sql.byId.get(info.lastInsertRowid);
      } catch (err) {
        if (err.code === 'SQLITE_CONSTRAINT_UNIQUE') return null;
        throw err;
      }
    },
    findByUsername: (username) => sql.byName.get(username) || null,
    findById: (id) => sql.byId.get(id) || null,
    list: () => sql.all.all(),
    enabledAdminCount: () => sql.enabledAdmins.get().n,
    /** changes: any of role, passwordHash, disabled, tokenVersion. Returns the user as it is now. */
    update(id, changes) {
      const columns = { role: changes.role, password_hash: changes.passwordHash,
        disabled: changes.disabled === undefined ? undefined : Number(changes.disabled),
        token_version: changes.tokenVersion };
      const set = Object.entries(columns).filter(([, value]) => value !== undefined);
      if (set.length) {
        db.prepare(`UPDATE users SET ${set.map(([name]) => `${name} = ?`).join(', ')} WHERE id = ?`)
          .run(...set.map(([, value]) => value), id);
      }
      return sql.byId.get(id) || null;
    },
    /** Deletes the user; their refresh sessions go with them (ON DELETE CASCADE), `before(id)` runs first
     * in the same transaction (the order store removes their order history there). */
    remove: (id, before = () => {}) => db.transaction(() => { before(id); sql.remove.run(id); })(),
    /** Runs `fn` in one transaction: a rule checked in it holds when its change is written. */
    atomically: (fn) => db.transaction(fn)(),
    db, // other tables of the same store (src/order-store.js, src/session-store.js, src/audit-store.js)
    close: () => db.close(),
  };
}

/** A user as any answer shows them: never the password hash. */
function publicUser(user) {
  return { id: user.id, username: user.username, role: user.role, disabled: Boolean(user.disabled),
    created_at: user.created_at };
}

module.exports = { openUserStore, publicUser, hasRole, ROLES, USERNAME };
