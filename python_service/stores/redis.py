"""The store on Redis, shared by every worker and host using it: the same operations as
MemoryStore (memory.py) and HostStore (host.py). `update` is WATCH/MULTI, so concurrent
writers of the upstream state cannot undo each other's bans."""
from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from typing import Any

from .circuit import Circuit
from .memory import MemoryStore

log = logging.getLogger(__name__)


# INCRBY with an expiry set only when the key has none; PEXPIRE ... NX needs Redis 7, this any Redis.
_INCR = """
local value = redis.call('INCRBY', KEYS[1], ARGV[1])
if ARGV[2] ~= '' and redis.call('PTTL', KEYS[1]) < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return value
"""


_UNSEEN = object()


class RedisStore:
    """The same operations on Redis, shared by every worker and host using it.

    Best effort like the cache: when Redis fails, the operation is logged and
    served by a process-local MemoryStore, so requests carry on (unshared), and
    the circuit keeps later calls from waiting on Redis for a while. Keys named
    in `keep_through_outages` (the upstream state) are mirrored into process
    memory, so a ban known before Redis went away is still obeyed, and written
    back (the stricter record wins) when Redis answers again."""

    def __init__(self, client, prefix: str = "gateway:", clock: Callable[[], float] = time.time,
                 circuit: Circuit | None = None, backup=None):
        """`backup`: where the kept keys are mirrored and every operation goes while Redis is
        away; the host store, so a ban one worker of this host read is obeyed by all of them
        (each worker's own MemoryStore when there is none)."""
        self.redis, self.prefix = client, prefix
        self.backup = backup if backup is not None else MemoryStore(clock)
        self._mirrored: dict[str, Any] = {}
        self.circuit = circuit or Circuit()
        self.degraded_since: float | None = None
        self._clock = clock
        self._kept: dict[str, Callable[[Any, Any], Any]] = {}
        self._incr = client.register_script(_INCR)

    @property
    def name(self) -> str:
        return "redis" if self.degraded_since is None else "redis (unavailable: using process memory)"

    def _k(self, key: str) -> str:
        return self.prefix + key

    @staticmethod
    def _ms(ttl: float | None) -> int | None:
        return None if ttl is None else max(1, int(ttl * 1000))

    def keep_through_outages(self, key: str, pick: Callable[[Any, Any], Any]) -> None:
        """Mirror `key` in process memory; when Redis is back, store pick(Redis's value, ours) there."""
        self._kept[key] = pick

    def _run(self, operation: str, on_redis: Callable[[], Any], on_backup: Callable[[], Any]) -> Any:
        import redis

        if not self.circuit.allows():  # opened here, or by the cache or single flight of this process
            self._degraded(operation, "short circuit open")
            return on_backup()
        try:
            if self.degraded_since is not None:
                self._write_back()  # first: a Redis that restarted empty must not forget a ban
            result = on_redis()
        except redis.RedisError as err:
            self.circuit.failed()
            self._degraded(operation, type(err).__name__)
            return on_backup()
        except BaseException:
            self.circuit.succeeded()  # Redis answered; the failure is someone else's
            raise
        self.circuit.succeeded()
        if self.degraded_since is not None:
            log.warning("Redis is back")
            self.degraded_since = None
        return result

    def _degraded(self, operation: str, why: str) -> None:
        if self.degraded_since is None:
            log.warning("Redis unavailable (%s: %s); using process memory until it is back", operation, why)
            self.degraded_since = self._clock()

    def _write_back(self) -> None:
        for key, pick in self._kept.items():
            ours = self.backup.get(key)
            if ours is not None:
                self._update_on_redis(key, lambda theirs, ours=ours, pick=pick: pick(theirs, ours), None)

    def _mirror(self, key: str, value: Any) -> Any:
        """Writes a kept key through to the backup whenever it is read or learned (only when
        it changed since this process last wrote it: the backup may be a file)."""
        if key in self._kept and self._mirrored.get(key, _UNSEEN) != value:
            if value is None:
                self.backup.delete(key)
            else:
                self.backup.update(key, lambda ours: self._kept[key](value, ours))
            self._mirrored[key] = value
        return value

    def get(self, key: str) -> Any:
        def from_redis():
            raw = self.redis.get(self._k(key))
            return self._mirror(key, None if raw is None else json.loads(raw))
        return self._run("get", from_redis, lambda: self.backup.get(key))

    def set(self, key: str, value: Any, ttl: float | None = None) -> None:
        def on_redis():
            self.redis.set(self._k(key), json.dumps(value), px=self._ms(ttl))
            self._mirror(key, value)
        self._run("set", on_redis, lambda: self.backup.set(key, value, ttl))

    def add(self, key: str, value: Any, ttl: float | None = None) -> bool:
        def on_redis():
            return bool(self.redis.set(self._k(key), json.dumps(value), px=self._ms(ttl), nx=True))
        return self._run("add", on_redis,
                         lambda: self.backup.add(key, value, ttl))

    def incr(self, key: str, amount: int = 1, ttl: float | None = None) -> int:
        ms = self._ms(ttl)
        return self._run("incr", lambda: int(self._incr(keys=[self._k(key)], args=[amount, "" if ms is None else ms])),
                         lambda: self.backup.incr(key, amount, ttl))

    def delete(self, key: str) -> None:
        def on_redis():
            self.redis.delete(self._k(key))
            self._mirror(key, None)
        self._run("delete", on_redis, lambda: self.backup.delete(key))

    def update(self, key: str, change: Callable[[Any], Any], ttl: float | None = None) -> Any:
        return self._run("update", lambda: self._mirror(key, self._update_on_redis(key, change, ttl)),
                         lambda: self.backup.update(key, change, ttl))

    def _update_on_redis(self, key: str, change: Callable[[Any], Any], ttl: float | None) -> Any:
        """WATCH, read, change, MULTI/SET/EXEC; again if another writer came in between."""
        import redis

        name = self._k(key)
        with self.redis.pipeline() as pipe:
            while True:
                try:
                    pipe.watch(name)
                    raw = pipe.get(name)
                    current = None if raw is None else json.loads(raw)
                    new = change(current)
                    if new is None or new == current:
                        pipe.unwatch()
                        return current
                    pipe.multi()
                    pipe.set(name, json.dumps(new), px=self._ms(ttl))
                    pipe.execute()
                    return new
                except redis.WatchError:
                    continue
