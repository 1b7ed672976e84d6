"""The audit log: who tried to place or cancel what, the risk decision and Binance's outcome,
and every change of the risk limits. Append-only: SQLite triggers refuse any UPDATE or
DELETE of a row, and an attempt's outcome is a row of its own that names the attempt.
Durable (WAL, synchronous FULL), shared by the workers of the host, kept across restarts.

Nothing secret is ever written: a bot is its address and a fingerprint of its API key
(sha256, 16 hex digits), never the key; a signed request's signature is never kept."""
from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import threading
import time
from typing import Any

SCHEMA = """
CREATE TABLE IF NOT EXISTS audit (
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
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
"""
COLUMNS = ("id", "at", "actor", "action", "market", "symbol", "decision", "outcome", "attempt_id", "detail")
MAX_PAGE = 500


def key_fingerprint(api_key: str | None) -> str | None:
    """Tells one bot's key from another's without keeping the key."""
    return hashlib.sha256(api_key.encode()).hexdigest()[:16] if api_key else None


class AuditLog:
    def __init__(self, path: str, clock=time.time):
        self.path, self.clock = path, clock
        self._conn: sqlite3.Connection | None = None
        self._pid: int | None = None
        self._lock = threading.RLock()

    def _db(self) -> sqlite3.Connection:
        """One connection per process, opened on first use (a connection must not cross a fork)."""
        if self._conn is None or self._pid != os.getpid():
            if self.path != ":memory:":
                os.makedirs(os.path.dirname(os.path.abspath(self.path)), exist_ok=True)
            conn = sqlite3.connect(self.path, timeout=10, isolation_level=None, check_same_thread=False)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=FULL")
            conn.executescript(SCHEMA)
            self._conn, self._pid = conn, os.getpid()
        return self._conn

    def append(self, actor: str, action: str, *, market: str | None = None, symbol: str | None = None,
               decision: str | None = None, outcome: str | None = None, attempt_id: int | None = None,
               detail: dict | None = None) -> int:
        """Writes one row; returns its id (an outcome row names its attempt by it)."""
        with self._lock:
            cursor = self._db().execute(
                "INSERT INTO audit (at, actor, action, market, symbol, decision, outcome, attempt_id, detail)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (self.clock(), actor, action, market, symbol, decision, outcome, attempt_id,
                 json.dumps(detail or {}, sort_keys=True, default=str)))
            return cursor.lastrowid

    def rows(self, limit: int = 100, before_id: int | None = None) -> list[dict[str, Any]]:
        """The newest rows first (before `before_id`, for the next page)."""
        limit = max(1, min(limit, MAX_PAGE))
        with self._lock:
            found = self._db().execute(
                f"SELECT {', '.join(COLUMNS)} FROM audit WHERE id < ? ORDER BY id DESC LIMIT ?",
                (before_id if before_id is not None else 2**62, limit)).fetchall()
        return [{**dict(zip(COLUMNS, row, strict=True)), "detail": json.loads(row[-1])} for row in found]
