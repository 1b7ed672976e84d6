"""The embedded caches (no Redis): flask-caching's SimpleCache bounded by bytes as well as keys
(one worker), and the same bounds on a table shared by the workers of this host (HostCache).

Clients choose cache keys (klines startTime, depth limits...), and one klines?limit=1000
entry is about 300 kB serialized: a key-count bound alone lets 2,000 of them fill
gigabytes. Entries are stored pickled, so their size is known exactly; the oldest-expiring
go first when the total passes CACHE_MAX_BYTES, and an entry over a quarter of it is not
stored at all (it is still answered, just fetched again next time)."""
from __future__ import annotations

import pickle
import time
from typing import Any

from flask_caching.backends.base import BaseCache
from flask_caching.backends.simplecache import SimpleCache

from .host import HostDB


class _SizedDict(dict):
    """The (expires, pickled value) pairs cachelib keeps, with a running total of their bytes."""

    def __init__(self):
        super().__init__()
        self.total = 0

    def __setitem__(self, key, item) -> None:
        self.pop(key, None)
        super().__setitem__(key, item)
        self.total += len(item[1])

    def __delitem__(self, key) -> None:
        self.total -= len(self[key][1])
        super().__delitem__(key)

    def pop(self, key, default=None):
        if key not in self:
            return default
        item = super().pop(key)
        self.total -= len(item[1])
        return item

    def clear(self) -> None:
        super().clear()
        self.total = 0


class ByteBoundedCache(SimpleCache):
    def __init__(self, threshold: int = 500, max_bytes: int = 16 * 1024 * 1024, **kwargs):
        super().__init__(threshold=threshold, **kwargs)
        self._cache = _SizedDict()
        self.max_bytes, self.max_entry_bytes = max_bytes, max_bytes // 4

    @classmethod
    def factory(cls, app, config: dict, args: list, kwargs: dict[str, Any]) -> ByteBoundedCache:
        kwargs.update(threshold=config["CACHE_THRESHOLD"], max_bytes=config["CACHE_MAX_BYTES"])
        return cls(*args, **kwargs)

    @property
    def stored_bytes(self) -> int:
        with self._lock:
            return self._cache.total

    def _over_threshold(self) -> bool:
        return len(self._cache) > self._threshold or self._cache.total > self.max_bytes

    def set(self, key: str, value: Any, timeout=None) -> bool:
        blob = self.serializer.dumps(value)
        with self._lock:
            if len(blob) > self.max_entry_bytes:
                self._cache.pop(key, None)  # an older, smaller copy would be wrong now
                return False
            self._cache[key] = (self._normalize_timeout(timeout), blob)
            self._prune()
            return True

    def add(self, key: str, value: Any, timeout=None) -> bool:
        with self._lock:
            return False if self.has(key) else self.set(key, value, timeout)


_CACHE_SCHEMA = """
CREATE TABLE IF NOT EXISTS cache (key TEXT PRIMARY KEY, expires REAL NOT NULL, value BLOB NOT NULL) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS cache_expires ON cache (expires);
CREATE TABLE IF NOT EXISTS cache_total (one INTEGER PRIMARY KEY CHECK (one = 1), bytes INTEGER NOT NULL);
INSERT OR IGNORE INTO cache_total VALUES (1, 0);
"""


class HostCache(BaseCache):
    """The cache shared by this host's workers without Redis: a table of the host store's
    SQLite file (host.py), bounded by bytes and keys like ByteBoundedCache
    (the oldest-expiring go first). A worker keeps its own fresh copy in front of it
    (sourcing/provider.py), so the hot path rarely reaches the file."""

    def __init__(self, directory: str, threshold: int = 500, max_bytes: int = 16 * 1024 * 1024,
                 default_timeout: int = 300, **kwargs):
        super().__init__(default_timeout=default_timeout, **kwargs)
        self.db = HostDB(directory, _CACHE_SCHEMA)
        self.threshold, self.max_bytes, self.max_entry_bytes = threshold, max_bytes, max_bytes // 4

    @classmethod
    def factory(cls, app, config: dict, args: list, kwargs: dict[str, Any]) -> HostCache:
        kwargs.update(directory=config["CACHE_DIR"], threshold=config["CACHE_THRESHOLD"],
                      max_bytes=config["CACHE_MAX_BYTES"])
        return cls(*args, **kwargs)

    @property
    def stored_bytes(self) -> int:
        with self.db.read() as con:
            return con.execute("SELECT bytes FROM cache_total").fetchone()[0]

    def _expires(self, timeout) -> float:
        seconds = self._normalize_timeout(timeout)
        return time.time() + seconds if seconds > 0 else float("inf")

    def get(self, key: str) -> Any:
        with self.db.read() as con:
            row = con.execute("SELECT expires, value FROM cache WHERE key = ?", (key,)).fetchone()
        if row is None or row[0] <= time.time():
            return None
        return pickle.loads(row[1])

    def has(self, key: str) -> bool:
        with self.db.read() as con:
            row = con.execute("SELECT expires FROM cache WHERE key = ?", (key,)).fetchone()
        return row is not None and row[0] > time.time()

    def set(self, key: str, value: Any, timeout=None) -> bool:
        blob = pickle.dumps(value, pickle.HIGHEST_PROTOCOL)
        with self.db.write() as con:
            self._drop(con, key)  # an older, smaller copy would be wrong if this one is not kept
            if len(blob) > self.max_entry_bytes:
                return False
            con.execute("INSERT INTO cache (key, expires, value) VALUES (?, ?, ?)", (key, self._expires(timeout), blob))
            con.execute("UPDATE cache_total SET bytes = bytes + ?", (len(blob),))
            self._prune(con)
        return True

    def add(self, key: str, value: Any, timeout=None) -> bool:
        return False if self.has(key) else self.set(key, value, timeout)

    def delete(self, key: str) -> bool:
        with self.db.write() as con:
            return self._drop(con, key)

    def clear(self) -> bool:
        with self.db.write() as con:
            con.execute("DELETE FROM cache")
            con.execute("UPDATE cache_total SET bytes = 0")
        return True

    def _drop(self, con, key: str) -> bool:
        row = con.execute("DELETE FROM cache WHERE key = ? RETURNING length(value)", (key,)).fetchone()
        if row is not None:
            con.execute("UPDATE cache_total SET bytes = bytes - ?", (row[0],))
        return row is not None

    def _prune(self, con) -> None:
        """Expired entries first, then the oldest-expiring, until under both bounds."""
        total, count = con.execute("SELECT (SELECT bytes FROM cache_total), (SELECT count(*) FROM cache)").fetchone()
        if total <= self.max_bytes and count <= self.threshold:
            return
        for key, size in con.execute("SELECT key, length(value) FROM cache ORDER BY expires").fetchall():
            if total <= self.max_bytes and count <= self.threshold:
                break
            con.execute("DELETE FROM cache WHERE key = ?", (key,))
            total, count = total - size, count - 1
        con.execute("UPDATE cache_total SET bytes = ?", (total,))
