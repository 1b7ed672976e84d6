"""Single flight: concurrent requests for the same data share one upstream call."""
from __future__ import annotations

import threading
import time
import uuid
from typing import Any, Callable, Optional

from .upstream.errors import Unreachable


class _Call:
    def __init__(self):
        self.done = threading.Event()
        self.result: Any = None
        self.error: Optional[BaseException] = None


class LocalFlight:
    """Threads of one process: the first caller fetches, the others wait for its outcome."""

    def __init__(self, wait_s: float = 30.0):
        self.wait_s = wait_s
        self._calls: dict[str, _Call] = {}
        self._lock = threading.Lock()

    def run(self, key: str, fetch: Callable[[], Any], ready: Callable[[], Any] = lambda: None) -> Any:
        with self._lock:
            call = self._calls.get(key)
            leader = call is None
            if leader:
                call = self._calls[key] = _Call()
        if not leader:
            if not call.done.wait(self.wait_s):
                raise Unreachable("timed out waiting for a refresh already under way")
            if call.error is not None:
                raise call.error
            return call.result
        try:
            call.result = fetch()
            return call.result
        except BaseException as exc:
            call.error = exc
            raise
        finally:
            with self._lock:
                del self._calls[key]
            call.done.set()


class RedisFlight(LocalFlight):
    """Across processes and hosts: a Redis lease elects one fetcher; the others
    watch the shared cache (`ready`) until the fresh entry lands."""

    def __init__(self, redis_client, wait_s: float = 30.0, lease_s: float = 30.0, poll_s: float = 0.02,
                 prefix: str = "gateway:flight:"):
        super().__init__(wait_s)
        self.redis, self.lease_s, self.poll_s, self.prefix = redis_client, lease_s, poll_s, prefix

    def run(self, key: str, fetch: Callable[[], Any], ready: Callable[[], Any] = lambda: None) -> Any:
        return super().run(key, lambda: self._across_processes(key, fetch, ready), ready)

    def _acquire_lease(self, lock_key: str, token: str) -> bool:
        import redis

        try:
            return bool(self.redis.set(lock_key, token, nx=True, px=int(self.lease_s * 1000)))
        except redis.RedisError:
            return True  # Redis is down: this process fetches for itself (its threads still share)

    def _across_processes(self, key, fetch, ready):
        token, lock_key = uuid.uuid4().hex, self.prefix + key
        deadline = time.monotonic() + self.wait_s
        while True:
            if self._acquire_lease(lock_key, token):
                try:
                    return fetch()
                finally:
                    self._release(lock_key, token)
            found = ready()
            if found is not None:
                return found
            if time.monotonic() > deadline:
                raise Unreachable("timed out waiting for a refresh under way in another worker")
            time.sleep(self.poll_s)

    _RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0"

    def _release(self, lock_key: str, token: str) -> None:
        import redis

        try:
            self.redis.eval(self._RELEASE, 1, lock_key, token)
        except redis.RedisError:
            pass  # the lease expires by itself
