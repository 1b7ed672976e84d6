"""The order journal: every placement is written here, durably, before it is sent.

SQLite in WAL mode, one short transaction per step, shared by every worker on the
host. A row's `state` says what the gateway knows about the order:

  pending   journalled, not yet sent (a worker killed here never sent it)
  sending   handed to Binance at `sent_at_ms` (Binance's clock); the answer may be lost
  not_sent  certainly not placed (held back, refused before booking, or expired unseen)
  placed    Binance has it (`outcome` is its answer)
  rejected  Binance said no (`outcome` is its error)

Moving to `sending` is a compare-and-set, so of two requests with the same
clientOrderId at most one ever sends."""
from __future__ import annotations

import json
import os
import sqlite3
import threading
import time
from dataclasses import dataclass

SCHEMA = """
CREATE TABLE IF NOT EXISTS orders (
    market TEXT NOT NULL,
    client_order_id TEXT NOT NULL,
    symbol TEXT NOT NULL,
    request TEXT NOT NULL,
    state TEXT NOT NULL,
    sent_at_ms INTEGER,
    recv_window_ms INTEGER,
    outcome TEXT,
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL,
    PRIMARY KEY (market, client_order_id)
)"""
FINAL = ("placed", "rejected")
SENDABLE = ("pending", "not_sent")


@dataclass(frozen=True)
class Entry:
    market: str
    client_order_id: str
    symbol: str
    request: dict
    state: str
    sent_at_ms: int | None
    recv_window_ms: int | None
    outcome: dict | None
    created_at: float


class OrderJournal:
    def __init__(self, path: str, clock=time.time):
        self.path, self.clock = path, clock
        self._local = threading.local()
        self._ready = False
        self._ready_lock = threading.Lock()

    def _db(self) -> sqlite3.Connection:
        """One connection per thread, opened on first use (an app that never trades makes no file)."""
        conn = getattr(self._local, "conn", None)
        if conn is None:
            with self._ready_lock:
                if not self._ready and self.path != ":memory:":
                    os.makedirs(os.path.dirname(os.path.abspath(self.path)), exist_ok=True)
                conn = sqlite3.connect(self.path, timeout=10, isolation_level=None, check_same_thread=False)
                conn.execute("PRAGMA journal_mode=WAL")
                conn.execute("PRAGMA synchronous=FULL")  # a placement's row survives a power cut, not just a crash
                conn.execute(SCHEMA)
                self._ready = True
            self._local.conn = conn
        return conn

    def claim(self, market: str, client_order_id: str, symbol: str, request: dict) -> Entry:
        """The journal's row for this clientOrderId, written as `pending` when it is new."""
        now = self.clock()
        self._db().execute(
            "INSERT OR IGNORE INTO orders (market, client_order_id, symbol, request, state, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, 'pending', ?, ?)",
            (market, client_order_id, symbol, json.dumps(request, sort_keys=True), now, now))
        return self.get(market, client_order_id)

    def get(self, market: str, client_order_id: str) -> Entry | None:
        row = self._db().execute(
            "SELECT market, client_order_id, symbol, request, state, sent_at_ms, recv_window_ms, outcome, created_at"
            " FROM orders WHERE market = ? AND client_order_id = ?", (market, client_order_id)).fetchone()
        if row is None:
            return None
        return Entry(row[0], row[1], row[2], json.loads(row[3]), row[4], row[5], row[6],
                     json.loads(row[7]) if row[7] else None, row[8])

    def start_sending(self, entry: Entry, sent_at_ms: int, recv_window_ms: int) -> bool:
        """pending/not_sent -> sending; False when another request got there first."""
        cursor = self._db().execute(
            "UPDATE orders SET state = 'sending', sent_at_ms = ?, recv_window_ms = ?, updated_at = ?"
            " WHERE market = ? AND client_order_id = ? AND state IN ('pending', 'not_sent')",
            (sent_at_ms, recv_window_ms, self.clock(), entry.market, entry.client_order_id))
        return cursor.rowcount == 1

    def settle(self, entry: Entry, state: str, outcome: dict | None = None) -> None:
        """Records what is now known. A final outcome is never overwritten."""
        self._db().execute(
            "UPDATE orders SET state = ?, outcome = ?, updated_at = ?"
            " WHERE market = ? AND client_order_id = ? AND state NOT IN ('placed', 'rejected')",
            (state, json.dumps(outcome) if outcome is not None else None, self.clock(),
             entry.market, entry.client_order_id))

    def counts(self) -> dict:
        rows = self._db().execute("SELECT state, COUNT(*) FROM orders GROUP BY state").fetchall()
        return dict(rows)
