"""The store of one process (all its threads): the same operations as the host's SQLite
store (host.py) and Redis (redis.py). `update` is an atomic read-modify-write under
the lock, so concurrent writers of the upstream state cannot undo each other's bans."""
from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from typing import Any


class MemoryStore:
    name = "memory"
    SWEEP_INTERVAL_S = 60.0  # expired keys nobody asks for again (old weight minutes) go at most this late

    def __init__(self, clock: Callable[[], float] = time.time):
        self._clock = clock
        self._data: dict[str, tuple[Any, float | None]] = {}
        self._lock = threading.Lock()
        self._swept_at = clock()

    def __len__(self) -> int:
        """Keys held, expired ones not yet swept included."""
        with self._lock:
            return len(self._data)

    def _sweep(self) -> None:
        """Drops every expired key, once per SWEEP_INTERVAL_S; called by writes, under the lock."""
        now = self._clock()
        if now - self._swept_at < self.SWEEP_INTERVAL_S:
            return
        self._swept_at = now
        for key in [k for k, (_, expires) in self._data.items() if expires is not None and now >= expires]:
            del self._data[key]

    def _live(self, key: str):
        item = self._data.get(key)
        if item is None:
            return None
        value, expires = item
        if expires is not None and self._clock() >= expires:
            del self._data[key]
            return None
        return item

    def _expiry(self, ttl: float | None) -> float | None:
        return None if ttl is None else self._clock() + ttl

    def get(self, key: str) -> Any:
        with self._lock:
            item = self._live(key)
            return None if item is None else json.loads(item[0])

    def set(self, key: str, value: Any, ttl: float | None = None) -> None:
        with self._lock:
            self._sweep()
            self._data[key] = (json.dumps(value), self._expiry(ttl))

    def add(self, key: str, value: Any, ttl: float | None = None) -> bool:
        """Sets `key` only if it is absent; True when this call set it."""
        with self._lock:
            self._sweep()
            if self._live(key) is not None:
                return False
            self._data[key] = (json.dumps(value), self._expiry(ttl))
            return True

    def incr(self, key: str, amount: int = 1, ttl: float | None = None) -> int:
        with self._lock:
            self._sweep()
            item = self._live(key)
            value = (json.loads(item[0]) if item else 0) + amount
            self._data[key] = (json.dumps(value), item[1] if item else self._expiry(ttl))
            return value

    def delete(self, key: str) -> None:
        with self._lock:
            self._data.pop(key, None)

    def update(self, key: str, change: Callable[[Any], Any], ttl: float | None = None) -> Any:
        """Stores change(current value) atomically and returns what is stored; when `change`
        returns the current value (or None), nothing is written."""
        with self._lock:
            item = self._live(key)
            current = None if item is None else json.loads(item[0])
            new = change(current)
            if new is None or new == current:
                return current
            self._data[key] = (json.dumps(new), self._expiry(ttl))
            return new

    def keep_through_outages(self, key: str, pick: Callable[[Any, Any], Any]) -> None:
        """Nothing to do: process memory has no outages (see RedisStore)."""
