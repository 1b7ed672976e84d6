"""Single flight: concurrent requests for the same data share one upstream call."""
from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable
from typing import Any


class SingleFlightTimeout(Exception):
    """A refresh under way elsewhere did not finish within the wait."""

    def __init__(self, message: str, retry_after: float = 1.0):
        super().__init__(message)
        self.message, self.retry_after = message, retry_after


class _Call:
    def __init__(self):
        self.done = threading.Event()
        self.result: Any = None
        self.error: BaseException | None = None


class LocalFlight:
    """Threads of one process: the first caller fetches, the others wait for its outcome."""

    def __init__(self, wait_s: float = 30.0):
        self.wait_s = wait_s
        self._calls: dict[str, _Call] = {}
        self._lock = threading.Lock()

    def run(self, key: str, fetch: Callable[[], Any], ready: Callable[[], Any] = lambda: None) -> Any:
        while True:
            with self._lock:
                call = self._calls.get(key)
                leader = call is None
                if leader:
                    call = self._calls[key] = _Call()
            if leader:
                return self._lead(key, call, fetch)
            if not call.done.wait(self.wait_s):
                raise SingleFlightTimeout("timed out waiting for a refresh already under way")
            if call.error is None:
                return call.result
            if not getattr(call.error, "personal", False):
                raise call.error
            # the leader's own limit (its share of the weight), not ours: try again, for ourselves

    def _lead(self, key: str, call: _Call, fetch: Callable[[], Any]) -> Any:
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


class LeaseFlight(LocalFlight):
    """Across processes: a lease (a lock with an expiry) elects one fetcher; the others
    watch the shared cache (`ready`) until the fresh entry lands. Subclasses say where
    the lease lives (`_lease`) and which failures of it mean "shared state is down"."""

    failures: tuple = ()

    def __init__(self, wait_s: float = 30.0, lease_s: float = 30.0, poll_s: float = 0.02,
                 usable: Callable[[], bool] = lambda: True, on_error: Callable[[], None] = lambda: None):
        """While `usable()` is false (the shared store known down) only this process's threads
        share a call; `on_error()` reports a failure of the store to whoever decides that."""
        super().__init__(wait_s)
        self.lease_s, self.poll_s = lease_s, poll_s
        self.usable, self.on_error = usable, on_error

    def _lease(self, key: str):
        """An object with acquire(blocking=False) -> bool and release()."""
        raise NotImplementedError

    def _release(self, lease) -> None:
        lease.release()

    def run(self, key: str, fetch: Callable[[], Any], ready: Callable[[], Any] = lambda: None) -> Any:
        def across_processes():
            if not self.usable():
                return fetch()
            return self._across_processes(key, fetch, ready)
        return super().run(key, across_processes, ready)

    def _across_processes(self, key, fetch, ready):
        lease = self._lease(key)
        deadline = time.monotonic() + self.wait_s
        while True:
            if not self.usable():
                return fetch()
            try:
                leader = lease.acquire(blocking=False)
            except self.failures:
                self.on_error()
                return fetch()  # the store is down: this process fetches for itself (its threads still share)
            if leader:
                try:
                    return fetch()
                finally:
                    if self.usable():
                        self._release(lease)  # else the lease expires by itself; no wait on a silent store
            found = ready()
            if found is not None:
                return found
            if time.monotonic() > deadline:
                raise SingleFlightTimeout("timed out waiting for a refresh under way in another worker")
            time.sleep(self.poll_s)


class RedisFlight(LeaseFlight):
    """Across processes and hosts: a Redis lock (redis-py's Lock) is the lease."""

    def __init__(self, redis_client, wait_s: float = 30.0, lease_s: float = 30.0, poll_s: float = 0.02,
                 prefix: str = "gateway:flight:", usable: Callable[[], bool] = lambda: True,
                 on_error: Callable[[], None] = lambda: None):
        import redis

        super().__init__(wait_s, lease_s, poll_s, usable, on_error)
        self.redis, self.prefix, self.failures = redis_client, prefix, (redis.RedisError,)

    def _lease(self, key: str):
        return self.redis.lock(self.prefix + key, timeout=self.lease_s)

    def _release(self, lease) -> None:
        import redis

        try:
            lease.release()
        except (redis.exceptions.LockError, redis.RedisError):
            pass  # the lease expired (another worker may hold it now) or Redis is down: it expires by itself


class HostFlight(LeaseFlight):
    """Across the worker processes of one host: the lease is a key of the host store
    (stores/host.py) that only its holder deletes, and that expires by itself."""

    def __init__(self, store, wait_s: float = 30.0, lease_s: float = 30.0, poll_s: float = 0.02,
                 prefix: str = "flight:"):
        import sqlite3

        super().__init__(wait_s, lease_s, poll_s)
        self.store, self.prefix, self.failures = store, prefix, (sqlite3.Error,)

    def _lease(self, key: str):
        return _StoreLease(self.store, self.prefix + key, self.lease_s)


class _StoreLease:
    def __init__(self, store, key: str, lease_s: float):
        self.store, self.key, self.lease_s = store, key, lease_s
        self.token = uuid.uuid4().hex

    def acquire(self, blocking: bool = False) -> bool:
        return self.store.add(self.key, self.token, ttl=self.lease_s)

    def release(self) -> None:
        self.store.delete_if(self.key, self.token)
