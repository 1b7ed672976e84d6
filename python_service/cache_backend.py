"""The embedded cache (no Redis): flask-caching's SimpleCache bounded by bytes as well as keys.

Clients choose cache keys (klines startTime, depth limits...), and one klines?limit=1000
entry is about 300 kB serialized: a key-count bound alone lets 2,000 of them fill
gigabytes. Entries are stored pickled, so their size is known exactly; the oldest-expiring
go first when the total passes CACHE_MAX_BYTES, and an entry over a quarter of it is not
stored at all (it is still answered, just fetched again next time)."""
from __future__ import annotations

from typing import Any

from flask_caching.backends.simplecache import SimpleCache


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
    def factory(cls, app, config: dict, args: list, kwargs: dict[str, Any]) -> "ByteBoundedCache":
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
