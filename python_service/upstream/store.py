"""Small shared key-value store for upstream state and the weight budget.

MemoryStore serves one process (all its threads); RedisStore (same methods)
shares the state between workers and hosts."""
from __future__ import annotations

import json
import logging
import threading
import time
from typing import Any, Callable, Optional

log = logging.getLogger(__name__)


class MemoryStore:
    name = "memory"
    SWEEP_INTERVAL_S = 60.0  # expired keys nobody asks for again (old weight minutes) go at most this late

    def __init__(self, clock: Callable[[], float] = time.time):
        self._clock = clock
        self._data: dict[str, tuple[Any, Optional[float]]] = {}
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

    def _expiry(self, ttl: Optional[float]) -> Optional[float]:
        return None if ttl is None else self._clock() + ttl

    def get(self, key: str) -> Any:
        with self._lock:
            item = self._live(key)
            return None if item is None else json.loads(item[0])

    def set(self, key: str, value: Any, ttl: Optional[float] = None) -> None:
        with self._lock:
            self._sweep()
            self._data[key] = (json.dumps(value), self._expiry(ttl))

    def add(self, key: str, value: Any, ttl: Optional[float] = None) -> bool:
        """Sets `key` only if it is absent; True when this call set it."""
        with self._lock:
            self._sweep()
            if self._live(key) is not None:
                return False
            self._data[key] = (json.dumps(value), self._expiry(ttl))
            return True

    def incr(self, key: str, amount: int = 1, ttl: Optional[float] = None) -> int:
        with self._lock:
            self._sweep()
            item = self._live(key)
            value = (json.loads(item[0]) if item else 0) + amount
            self._data[key] = (json.dumps(value), item[1] if item else self._expiry(ttl))
            return value

    def delete(self, key: str) -> None:
        with self._lock:
            self._data.pop(key, None)


class RedisStore:
    """The same operations on Redis, shared by every worker and host using it.

    Best effort like the cache: when Redis fails, the operation is logged and
    served by a process-local MemoryStore, so requests carry on (unshared)."""

    def __init__(self, client, prefix: str = "gateway:", clock: Callable[[], float] = time.time):
        self.redis, self.prefix = client, prefix
        self.backup = MemoryStore(clock)
        self.degraded_since: Optional[float] = None
        self._clock = clock

    @property
    def name(self) -> str:
        return "redis" if self.degraded_since is None else "redis (unavailable: using process memory)"

    def _k(self, key: str) -> str:
        return self.prefix + key

    @staticmethod
    def _ms(ttl: Optional[float]) -> Optional[int]:
        return None if ttl is None else max(1, int(ttl * 1000))

    def _run(self, operation: str, on_redis: Callable[[], Any], on_backup: Callable[[], Any]) -> Any:
        import redis

        try:
            result = on_redis()
        except redis.RedisError as err:
            if self.degraded_since is None:
                log.warning("Redis unavailable (%s: %s); using process memory until it is back",
                            operation, type(err).__name__)
                self.degraded_since = self._clock()
            return on_backup()
        if self.degraded_since is not None:
            log.warning("Redis is back")
            self.degraded_since = None
        return result

    def get(self, key: str) -> Any:
        def from_redis():
            raw = self.redis.get(self._k(key))
            return None if raw is None else json.loads(raw)
        return self._run("get", from_redis, lambda: self.backup.get(key))

    def set(self, key: str, value: Any, ttl: Optional[float] = None) -> None:
        self._run("set", lambda: self.redis.set(self._k(key), json.dumps(value), px=self._ms(ttl)),
                  lambda: self.backup.set(key, value, ttl))

    def add(self, key: str, value: Any, ttl: Optional[float] = None) -> bool:
        return self._run("add", lambda: bool(self.redis.set(self._k(key), json.dumps(value), px=self._ms(ttl), nx=True)),
                         lambda: self.backup.add(key, value, ttl))

    def incr(self, key: str, amount: int = 1, ttl: Optional[float] = None) -> int:
        def on_redis():
            pipe = self.redis.pipeline()
            pipe.incrby(self._k(key), amount)
            if ttl is not None:
                pipe.pexpire(self._k(key), self._ms(ttl), nx=True)
            return int(pipe.execute()[0])
        return self._run("incr", on_redis, lambda: self.backup.incr(key, amount, ttl))

    def delete(self, key: str) -> None:
        self._run("delete", lambda: self.redis.delete(self._k(key)), lambda: self.backup.delete(key))
