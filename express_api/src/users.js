'use strict';
// The user store: SQLite (better-sqlite3) at DATABASE_PATH; ':memory:' in tests.
const fs = require('node:fs');
const path = require('node:path');
const Database = require('better-sqlite3');

// Password hashes are secrets: the file is the owner's alone, from its first byte on.
// SQLite gives its -wal and -shm files the database file's permissions.
function createPrivateFile(databasePath) {
  fs.mkdirSync(path.dirname(databasePath), { recursive: true, mode: 0o700 });
  fs.closeSync(fs.openSync(databasePath, 'a', 0o600));
  fs.chmodSync(databasePath, 0o600);
}

function openUserStore(databasePath) {
  if (databasePath !== ':memory:') createPrivateFile(databasePath);
  const db = new Database(databasePath);
  db.pragma('journal_mode = WAL');
  db.exec(`CREATE TABLE IF NOT EXISTS users (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    username TEXT NOT NULL UNIQUE COLLATE NOCASE,
    password_hash TEXT NOT NULL,
    created_at TEXT NOT NULL
  )`);
  const insert = db.prepare('INSERT INTO users (username, password_hash, created_at) VALUES (?, ?, ?)');
  const byName = db.prepare('SELECT * FROM users WHERE username = ?');
  const byId = db.prepare('SELECT * FROM users WHERE id = ?');

  return {
    /** Returns the new user, or null when the username is taken. */
    create(username, passwordHash) {
      try {
        const info = insert.run(username, passwordHash, new Date().toISOString());
        return byId.get(info.lastInsertRowid);
      } catch (err) {
        if (err.code === 'SQLITE_CONSTRAINT_UNIQUE') return null;
        throw err;
      }
    },
    findByUsername: (username) => byName.get(username) || null,
    findById: (id) => byId.get(id) || null,
    db, // other tables of the same store (src/order-store.js)
    close: () => db.close(),
  };
}

function publicUser(user) {
  return { id: user.id, username: user.username, created_at: user.created_at };
}

module.exports = { openUserStore, publicUser };
