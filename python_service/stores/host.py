"""The store shared by the worker processes of one host, without Redis: one SQLite file
in WAL mode (readers never wait for the writer; a write is one short transaction).

Same operations as MemoryStore and RedisStore. Every read-modify-write (`incr`, `add`,
`update`) runs in one `BEGIN IMMEDIATE` transaction, so the check-and-spend of the
weight budget, a ban record and a lease are atomic across the processes. The file
lives in a directory made fresh for each start (server/gunicorn.conf.py): nothing in it has
to survive the service, so SQLite is told not to wait for the disk."""
from __future__ import annotations

import json
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

FILE_NAME = "host-store.sqlite3"
BUSY_TIMEOUT_S = 5.0  # a writer waits this long for another process's transaction (each takes microseconds)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS kv (key TEXT PRIMARY KEY, value TEXT NOT NULL, expires REAL) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS kv_expires ON kv (expires);
"""


class HostDB:
    """One connection per process to the host's SQLite file, opened lazily (a connection
    must not cross a fork) and used under a lock (greenlet-aware under gevent)."""

    def __init__(self, directory: str, schema: str = _SCHEMA):
        self.path = os.path.join(directory, FILE_NAME)
        self._schema = schema
        self._con: sqlite3.Connection | None = None
        self._pid: int | None = None
        self._lock = threading.RLock()

    def _connection(self) -> sqlite3.Connection:
        if self._con is None or self._pid != os.getpid():
            con = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False)
            con.execute("PRAGMA journal_mode=WAL")
            con.execute("PRAGMA synchronous=OFF")
            con.executescript(self._schema)
            self._con, self._pid = con, os.getpid()
        return self._con

    @contextmanager
    def read(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            yield self._connection()

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """One transaction that holds the file's write lock from its first statement."""
        with self._lock:
            con = self._connection()
            con.execute("BEGIN IMMEDIATE")
            try:
                yield con
            except BaseException:
                con.execute("ROLLBACK")
                raise
            con.execute("COMMIT")


class HostStore:
    name = "host"  # shown in /api/status: shared by this host's workers
    SWEEP_INTERVAL_S = 60.0

    def __init__(self, directory_or_db, clock: Callable[[], float] = time.time):
        self.db = directory_or_db if isinstance(directory_or_db, HostDB) else HostDB(directory_or_db)
        self._clock = clock
        self._swept_at = 0.0

    def __len__(self) -> int:
        with self.db.read() as con:
            return con.execute("SELECT count(*) FROM kv").fetchone()[0]

    def _expiry(self, ttl: float | None) -> float | None:
        return None if ttl is None else self._clock() + ttl

    def _live(self, con: sqlite3.Connection, key: str) -> tuple[Any, float | None] | None:
        row = con.execute("SELECT value, expires FROM kv WHERE key = ?", (key,)).fetchone()
        if row is None or (row[1] is not None and self._clock() >= row[1]):
            return None
        return json.loads(row[0]), row[1]

    def _put(self, con: sqlite3.Connection, key: str, value: Any, expires: float | None) -> None:
        con.execute("INSERT OR REPLACE INTO kv (key, value, expires) VALUES (?, ?, ?)",
                    (key, json.dumps(value), expires))

    def _sweep(self, con: sqlite3.Connection) -> None:
        """Drops expired keys (old weight minutes nobody asks for), once a minute per process."""
        now = self._clock()
        if now - self._swept_at >= self.SWEEP_INTERVAL_S:
            self._swept_at = now
            con.execute("DELETE FROM kv WHERE expires IS NOT NULL AND expires <= ?", (now,))

    def get(self, key: str) -> Any:
        with self.db.read() as con:
            item = self._live(con, key)
        return None if item is None else item[0]

    def set(self, key: str, value: Any, ttl: float | None = None) -> None:
        with self.db.write() as con:
            self._sweep(con)
            self._put(con, key, value, self._expiry(ttl))

    def add(self, key: str, value: Any, ttl: float | None = None) -> bool:
        """Sets `key` only if it is absent; True when this call set it."""
        with self.db.write() as con:
            if self._live(con, key) is not None:
                return False
            self._put(con, key, value, self._expiry(ttl))
            return True

    def incr(self, key: str, amount: int = 1, ttl: float | None = None) -> int:
        with self.db.write() as con:
            item = self._live(con, key)
            value = (item[0] if item else 0) + amount
            self._put(con, key, value, item[1] if item else self._expiry(ttl))
            return value

    def delete(self, key: str) -> None:
        with self.db.write() as con:
            con.execute("DELETE FROM kv WHERE key = ?", (key,))

    def delete_if(self, key: str, value: Any) -> bool:
        """Deletes `key` only while it holds `value` (a lease released by its holder only)."""
        with self.db.write() as con:
            item = self._live(con, key)
            if item is None or item[0] != value:
                return False
            con.execute("DELETE FROM kv WHERE key = ?", (key,))
            return True

    def update(self, key: str, change: Callable[[Any], Any], ttl: float | None = None) -> Any:
        """Stores change(current value) atomically and returns what is stored; when `change`
        returns the current value (or None), nothing is written."""
        with self.db.write() as con:
            item = self._live(con, key)
            current = None if item is None else item[0]
            new = change(current)
            if new is None or new == current:
                return current
            self._put(con, key, new, self._expiry(ttl))
            return new

    def keep_through_outages(self, key: str, pick: Callable[[Any, Any], Any]) -> None:
        """Nothing to do: the file has no outages (see RedisStore)."""
